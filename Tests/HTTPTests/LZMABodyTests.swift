import CLzma
import CZlib
import HTTP
import L7Core
import SluiceTestSupport
import XCTest

/// Content-Encoding: lzma (issue 18): the LZMA-alone format, decoded as libhtp does, with the
/// same bounds and counted errors as gzip and deflate.
final class LZMABodyTests: XCTestCase {
    /// `plain` in the LZMA-alone format at `preset` (6, xz's default, announces an 8 MiB
    /// dictionary and no size, ending with an end marker, as Python's lzma module writes it).
    static func lzmaAlone(_ plain: [UInt8], preset: UInt32 = 6) -> [UInt8] {
        var options = lzma_options_lzma()
        XCTAssertEqual(lzma_lzma_preset(&options, preset), 0)
        var strm = lzma_stream()
        XCTAssertEqual(lzma_alone_encoder(&strm, &options), LZMA_OK)
        var out = [UInt8](repeating: 0, count: plain.count + 1024)
        let n = plain.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o -> Int in
                strm.next_in = inp.baseAddress; strm.avail_in = inp.count
                strm.next_out = o.baseAddress; strm.avail_out = o.count
                XCTAssertEqual(lzma_code(&strm, LZMA_FINISH), LZMA_STREAM_END)
                return o.count - strm.avail_out
            }
        }
        lzma_end(&strm)
        return Array(out[0..<n])
    }

    func respond(_ body: [UInt8], encoding: String, cuts: Int = 400) -> RunResult {
        let head = "HTTP/1.1 200 OK\r\nContent-Encoding: \(encoding)\r\nContent-Length: \(body.count)\r\n\r\n"
        return Harness.check([.c("GET / HTTP/1.1\r\n\r\n"), .s(Array(head.utf8) + body)], everyCutLimit: cuts, randomRuns: 5)
    }

    func testLZMABodyIsDecoded() {
        let text = Array(("lzma-compressed body: " + String(repeating: "sluice ", count: 40)).utf8)
        let r = respond(Self.lzmaAlone(text), encoding: "lzma")
        XCTAssertEqual(r.tx(0).responseText, String(decoding: text, as: UTF8.self))
        XCTAssertFalse(r.tx(0).responseRaw)
        XCTAssertTrue(r.tx(0).has(.compressed))
        XCTAssertEqual(r.inflateErrors, 0)
    }

    func testLZMAUnderGzipInTheNamedOrder() {
        let text = Array(String(repeating: "layered lzma then gzip. ", count: 30).utf8)
        let body = HTTPParserTests.compress(Self.lzmaAlone(text), windowBits: 31)
        XCTAssertEqual(respond(body, encoding: "lzma, gzip").tx(0).responseBody, text)
    }

    /// Bodies larger than the slot's dictionary still decode while matches stay within it;
    /// one reaching further back is a counted decoding error, never a trap.
    func testLargeBodiesAndBrokenStreams() {
        var rng = SystemRandomNumberGenerator()
        let block = (0..<20_000).map { _ in UInt8.random(in: 0x61...0x7a, using: &rng) }
        let far = Self.lzmaAlone(block + block)   // the repeat is 20 000 bytes back
        let r = respond(far, encoding: "lzma", cuts: 0)
        XCTAssertEqual(r.inflateErrors, 1)
        XCTAssertEqual(Array(r.tx(0).responseBody.prefix(20_000)), block)
        var broken = Self.lzmaAlone(Array(String(repeating: "abc", count: 500).utf8))
        for i in 20..<broken.count { broken[i] ^= 0x5a }
        let b = respond(broken, encoding: "lzma", cuts: 0)
        XCTAssertLessThanOrEqual(b.inflateErrors, 1)
        // Labelled lzma, too short to be: inspected as is.
        XCTAssertEqual(respond(Array("plain".utf8), encoding: "lzma").tx(0).responseText, "plain")
    }

    /// The checked-in capture (Tests/Captures/fidelity/make.py: Python's lzma module, an 8 MiB
    /// dictionary announced, 302 bytes of text): its body reaches the sink as that text.
    func testCaptureBodyDecodesToThePlainText() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Captures/fidelity/http-lzma.pcap").standardized.path
        let streams = PcapStreams(path: path)
        XCTAssertNil(streams.error)
        let conn = try XCTUnwrap(streams.connections.first)
        let r = Harness.check([.c(conn.toServer.flatMap { $0 }), .s(conn.toClient.flatMap { $0 })], everyCutLimit: 0, randomRuns: 5)
        XCTAssertEqual(r.tx(0).responseText, "lzma-compressed body: " + String(repeating: "sluice ", count: 40))
        XCTAssertTrue(r.tx(0).has(.compressed))
        XCTAssertEqual(r.inflateErrors, 0)
    }
}
