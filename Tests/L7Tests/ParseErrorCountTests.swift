import Codecs
import Engine
import L7
import L7Core
import XCTest

/// What a parser distrusts outlives the parser: a hostile Content-Length on one flow is in the
/// worker's `parseErrors` (and so in the summary and `/metrics`) after the flow ends and its
/// parser is reset for the next one.
final class ParseErrorCountTests: XCTestCase {
    /// An Ethernet/IPv4/TCP frame from 10.0.0.1:40000 to 10.0.0.2:80 (or back).
    func frame(toServer: Bool, flags: UInt8, seq: UInt32, ack: UInt32, _ payload: [UInt8] = [], port: UInt16) -> [UInt8] {
        var f: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
        let total = UInt16(40 + payload.count)
        let (src, dst): ([UInt8], [UInt8]) = toServer ? ([10, 0, 0, 1], [10, 0, 0, 2]) : ([10, 0, 0, 2], [10, 0, 0, 1])
        f += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0x40, 0, 64, 6, 0, 0] + src + dst
        let (sp, dp) = toServer ? (port, UInt16(80)) : (UInt16(80), port)
        f += [UInt8(sp >> 8), UInt8(sp & 0xFF), UInt8(dp >> 8), UInt8(dp & 0xFF)]
        f += withUnsafeBytes(of: seq.bigEndian, Array.init) + withUnsafeBytes(of: ack.bigEndian, Array.init)
        f += [0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
        return f + payload
    }

    func testBadContentLengthIsCountedPastTheFlow() {
        var worker = Worker(config: EngineConfig(), stage: L7Stage())
        var t: UInt64 = 1_000_000_000
        func feed(_ f: [UInt8]) {
            t += 1_000_000
            f.withUnsafeBytes { _ = worker.process(frame: $0, wireLength: f.count, timestamp: t, linkType: .ethernet) }
        }
        let request = Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\nabc".utf8)
        for (i, port) in [40000, 40001].enumerated() {
            let p = UInt16(port)
            feed(frame(toServer: true, flags: 0x02, seq: 100, ack: 0, port: p))
            feed(frame(toServer: false, flags: 0x12, seq: 500, ack: 101, port: p))
            feed(frame(toServer: true, flags: 0x10, seq: 101, ack: 501, port: p))
            feed(frame(toServer: true, flags: 0x18, seq: 101, ack: 501, request, port: p))
            feed(frame(toServer: true, flags: 0x11, seq: 101 + UInt32(request.count), ack: 501, port: p))
            feed(frame(toServer: false, flags: 0x11, seq: 501, ack: 102 + UInt32(request.count), port: p))
            feed(frame(toServer: true, flags: 0x10, seq: 102 + UInt32(request.count), ack: 502, port: p))
            _ = i
        }
        worker.shutdown()
        let counts = worker.stage.counters.parseErrors
        XCTAssertEqual(counts[Int(L7ParseError.httpBadContentLength.rawValue)], 2)
        XCTAssertTrue(worker.stage.parseErrorLine().contains("http_bad_content_length 2"), worker.stage.parseErrorLine())
    }
}
