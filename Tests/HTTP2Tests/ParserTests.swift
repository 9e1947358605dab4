import XCTest
import L7Core
import Output
@testable import HTTP2

final class ParserTests: XCTestCase {
    typealias Flow = [(toServer: Bool, bytes: [UInt8])]

    /// A prior-knowledge exchange: SETTINGS both ways, a request split over HEADERS and
    /// CONTINUATION with a padded DATA body, a response with Huffman-coded headers, a padded
    /// DATA and trailers.
    static func exchange() -> Flow {
        let reqBlock = [0x82, 0x86] + H2.indexed(":authority", "example.com") + [0x04] + H2.string("/upload")
            + H2.literal("user-agent", "test-agent/1.0", huffman: true) + H2.literal("content-type", "text/plain")
        let split = reqBlock.count / 2
        var client = H2.preface + H2.settings([(1, 4096), (4, 65535)])
        client += H2.frame(1, 0x20, 1, [0, 0, 0, 0, 15] + Array(reqBlock[..<split]))  // PRIORITY flag
        client += H2.frame(9, 0x4, 1, Array(reqBlock[split...]))
        client += H2.frame(0, 0x8 | 0x1, 1, [3] + Array("hello".utf8) + [0, 0, 0])  // padded, END_STREAM
        var server = H2.settings([(3, 100)]) + H2.frame(4, 1, 0, [])
        server += H2.frame(1, 0x4 | 0x8, 1, [2] + [0x88] + H2.literal("content-type", "text/html", huffman: true)
            + H2.literal("content-length", "11") + [0, 0])
        server += H2.frame(0, 0x8, 1, [4] + Array("hello world".utf8) + [0, 0, 0, 0])
        server += H2.frame(6, 0, 0, [UInt8](repeating: 1, count: 8))  // PING
        server += H2.frame(1, 0x5, 1, H2.literal("x-trailer", "done"))
        return [(true, client), (false, server)]
    }

    func checkSplits(_ flow: Flow, file: StaticString = #filePath, line: UInt = #line,
                     _ verify: (RecordingSink, HTTP2Parser) -> Void) {
        let (whole, wp) = runFlow(flow, piece: { $0 })
        verify(whole, wp)
        let longest = flow.map { $0.bytes.count }.max()!
        for cut in 1...longest {
            // Every byte position as a boundary: pieces of `cut` bytes, and two pieces cut at `cut`.
            let (a, _) = runFlow(flow, piece: { _ in cut })
            XCTAssertEqual(a.events, whole.events, "pieces of \(cut)", file: file, line: line)
            XCTAssertEqual(a.data, whole.data, file: file, line: line)
            var first = true
            let (b, _) = runFlow(flow, piece: { _ in defer { first = false }; return first ? cut : Int.max })
            XCTAssertEqual(b.events, whole.events, "cut at \(cut)", file: file, line: line)
        }
        var rng = TestRandom(state: 42)
        for _ in 0..<200 {
            let (r, _) = runFlow(flow, piece: { _ in 1 + rng.below(20) })
            XCTAssertEqual(r.events, whole.events, file: file, line: line)
            XCTAssertEqual(r.data, whole.data, file: file, line: line)
        }
    }

    func testPriorKnowledgeExchange() {
        checkSplits(Self.exchange()) { sink, parser in
            XCTAssertEqual(sink.events, [
                "req 1 GET http example.com /upload ua=test-agent/1.0 ct=text/plain",
                "end 1 GET /upload 200 req=5 resp=11 reset=- incomplete=false unfinished=false",
            ])
            XCTAssertEqual(sink.data[2], Array("hello".utf8))
            XCTAssertEqual(sink.data[3], Array("hello world".utf8))
            let s = sink.finished[0]
            XCTAssertEqual(s.responseContentType.string, "text/html")
            XCTAssertEqual(s.contentLength, 11)
            XCTAssertEqual(s.responseHeaderBlocks, 2)
            XCTAssertFalse(parser.lost)
            XCTAssertEqual(parser.counters.frames, 10)
            XCTAssertEqual(parser.counters.truncatedFrames, 0)
        }
    }

    func testTruncatedFrameAtFlowEnd() {
        var flow = Self.exchange()
        // The server's last frame (trailers) cut in half: stream 1 never ends on the wire.
        flow[1].bytes.removeLast(4)
        checkSplits(flow) { sink, parser in
            XCTAssertEqual(sink.events.last, "end 1 GET /upload 200 req=5 resp=11 reset=- incomplete=true unfinished=true")
            XCTAssertEqual(parser.counters.truncatedFrames, 1)
        }
    }

    func testOversizeHeaderBlockStaysInSync() {
        let huge = String(repeating: "a", count: 6000)
        var client = H2.preface
        let block1 = [0x82, 0x86, 0x84] + H2.indexed(":authority", "a.example") + H2.literal("cookie", huge)
        // 6 KiB block in 16-byte... no: in three CONTINUATIONs.
        let n = block1.count / 3
        client += H2.frame(1, 0, 1, Array(block1[..<n]))
        client += H2.frame(9, 0, 1, Array(block1[n..<(2 * n)]))
        client += H2.frame(9, 0x4 | 0, 1, Array(block1[(2 * n)...]))
        client += H2.frame(0, 0x1, 1, Array("body".utf8))
        client += H2.frame(1, 0x5, 3, [0x82, 0x86, 0x84])
        let server = H2.frame(1, 0x5, 1, [0x88]) + H2.frame(1, 0x5, 3, [0x89])
        checkSplits([(true, client), (false, server)]) { sink, parser in
            XCTAssertEqual(parser.counters.oversizedBlocks, 1)
            XCTAssertTrue(parser.lost)
            // Frames stayed in sync: both streams end, DATA counted, later client headers unknown.
            XCTAssertEqual(sink.events, [
                "req 1 GET http a.example / ua= ct=",
                "req 3     ua= ct=",
                "end 1 GET / 200 req=4 resp=0 reset=- incomplete=true unfinished=false",
                "end 3   204 req=0 resp=0 reset=- incomplete=true unfinished=false",
            ])
        }
    }

    func testUnknownFrameRstStreamAndGoaway() {
        var client = H2.preface
        client += H2.frame(0xfa, 0xff, 0, [1, 2, 3, 4, 5])  // unknown type: skipped
        client += H2.frame(1, 0x4, 1, [0x82, 0x86, 0x84])
        client += H2.frame(3, 0, 1, [0, 0, 0, 8])  // RST_STREAM CANCEL from the client
        client += H2.frame(7, 0, 0, [0, 0, 0, 1, 0, 0, 0, 0])
        checkSplits([(true, client)]) { sink, parser in
            XCTAssertEqual(sink.events.last, "end 1 GET / 0 req=0 resp=0 reset=8 incomplete=false unfinished=false")
            XCTAssertEqual(parser.counters.unknownFrames, 1)
            XCTAssertEqual(parser.counters.goaways, 1)
            XCTAssertEqual(parser.openStreams, 0)
        }
    }

    func testMoreStreamsThanSlots() {
        var client = H2.preface
        for i in 0..<40 { client += H2.frame(1, 0x4, UInt32(2 * i + 1), [0x82, 0x86, 0x84]) }
        var server: [UInt8] = []
        for i in 0..<40 { server += H2.frame(1, 0x5, UInt32(2 * i + 1), [0x88]) }
        checkSplits([(true, client), (false, server)]) { sink, parser in
            XCTAssertEqual(parser.counters.streamOverflow, 8)
            XCTAssertEqual(parser.counters.streams, 32)
            // Requests have no END_STREAM, so streams finish at flow end, unfinished.
            XCTAssertEqual(sink.finished.count, 32)
            XCTAssertFalse(parser.lost)
        }
    }

    func testHPACKErrorMarksLost() {
        var client = H2.preface
        client += H2.frame(1, 0x5, 1, [0x82, 0x86, 0x84, 0x80])  // index 0: error
        client += H2.frame(1, 0x5, 3, [0x82, 0x86, 0x84])
        checkSplits([(true, client)]) { sink, parser in
            XCTAssertTrue(parser.lost)
            XCTAssertEqual(parser.counters.hpackLost, 1)
            XCTAssertEqual(sink.events.count, 4)
            XCTAssertTrue(sink.events[0].hasPrefix("req 1 GET http  /"))
            XCTAssertEqual(sink.events[1], "req 3     ua= ct=")
        }
    }

    func testSizeUpdateBeyondSettings() {
        var client = H2.preface + H2.settings([(1, 1024)])  // server's encoder limited to 1024
        client += H2.frame(1, 0x4, 1, [0x82, 0x86, 0x84])
        var server = H2.frame(1, 0x4, 1, H2.integer(512, prefix: 5, first: 0x20) + [0x88])
        server += H2.frame(1, 0x4, 3, H2.integer(2048, prefix: 5, first: 0x20) + [0x88])
        checkSplits([(true, client), (false, server)]) { _, parser in
            XCTAssertTrue(parser.hpack[1].lost)
            XCTAssertEqual(parser.hpack[1].failure, .sizeUpdateTooLarge)
            XCTAssertFalse(parser.hpack[0].lost)
        }
    }

    func testNotHTTP2() {
        let flow: Flow = [(true, Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))]
        let (sink, parser) = runFlow(flow, piece: { _ in 3 })
        XCTAssertTrue(parser.notHTTP2)
        XCTAssertTrue(sink.events.isEmpty)
    }

    func testGRPC() {
        var client = H2.preface
        let block = [0x83, 0x86] + H2.indexed(":authority", "grpc.local") + [0x04] + H2.string("/helloworld.Greeter/SayHello")
            + H2.literal("content-type", "application/grpc+proto") + H2.literal("te", "trailers")
        client += H2.frame(1, 0x4, 1, block)
        let msg: [UInt8] = [0, 0, 0, 0, 7] + Array("\n\u{5}world".utf8)
        client += H2.frame(0, 0x1, 1, msg)
        var server = H2.frame(1, 0x4, 1, [0x88] + H2.literal("content-type", "application/grpc"))
        server += H2.frame(0, 0, 1, [0, 0, 0, 0, 3, 1, 2, 3, 1, 0, 0, 0, 2])
        server += H2.frame(0, 0, 1, [9, 9])
        server += H2.frame(1, 0x5, 1, H2.literal("grpc-status", "5") + H2.literal("grpc-message", "not found"))
        checkSplits([(true, client), (false, server)]) { sink, _ in
            guard let s = sink.finished.first else { return XCTFail("no stream") }
            XCTAssertTrue(s.grpc.isGRPC)
            XCTAssertEqual(s.grpc.status, 5)
            XCTAssertEqual(s.grpc.message.string, "not found")
            XCTAssertEqual(s.grpc.requestMessages, 1)
            XCTAssertEqual(s.grpc.responseMessages, 2)
            XCTAssertEqual(s.grpc.compressedMessages, 1)
            var out = JSONBuffer(fd: -1)
            out.beginObject()
            HTTP2Eve.write(s, into: &out)
            out.endObject()
            let json = String(decoding: out.take(), as: UTF8.self)
            XCTAssertEqual(json, #"{"http":{"hostname":"grpc.local","url":"/helloworld.Greeter/SayHello","http_content_type":"application/grpc","http_method":"POST","protocol":"HTTP/2","status":200,"length":15,"version":"2","http2":{"stream_id":1,"request":{},"response":{}}},"metadata":{"flowvars":[{"grpc":{"service":"helloworld.Greeter","method":"SayHello","status":5,"message":"not found","request_messages":1,"response_messages":2}}]}}"#)
        }
    }

    func testH2CUpgrade() {
        let client = H2.preface + H2.settings([])
        let server = H2.settings([]) + H2.frame(1, 0x4, 1, [0x88]) + H2.frame(0, 0x1, 1, Array("ok".utf8))
        let (sink, _) = runFlow([(true, client), (false, server)], piece: { _ in 5 }) { p in
            "GET".utf8CString.withUnsafeBytes { m in
                "/up".utf8CString.withUnsafeBytes { path in
                    "h.example".utf8CString.withUnsafeBytes { a in
                        p.startAfterUpgrade(method: UnsafeRawBufferPointer(rebasing: m.dropLast()),
                                            path: UnsafeRawBufferPointer(rebasing: path.dropLast()),
                                            authority: UnsafeRawBufferPointer(rebasing: a.dropLast()))
                    }
                }
            }
        }
        XCTAssertEqual(sink.events, ["end 1 GET /up 200 req=0 resp=2 reset=- incomplete=false unfinished=false"])
        XCTAssertEqual(sink.finished.first?.authority.string, "h.example")
    }

    func testRandomGarbageNeverCrashes() {
        var rng = TestRandom(state: 99)
        for _ in 0..<300 {
            var client = H2.preface
            for _ in 0..<(rng.below(12)) {
                let type = UInt8(rng.below(12)), flags = UInt8(truncatingIfNeeded: rng.next())
                let payload = (0..<rng.below(40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                client += H2.frame(type, flags, UInt32(rng.below(8)), payload)
            }
            let (_, p) = runFlow([(true, client), (false, client.dropFirst(24).map { $0 })], piece: { _ in 1 + rng.below(9) })
            XCTAssertEqual(p.openStreams, 0)
        }
    }

    func testSize() {
        print("HTTP2Parser", MemoryLayout<HTTP2Parser>.size, "bytes; stream slot", MemoryLayout<HTTP2StreamInfo>.stride)
        XCTAssertLessThanOrEqual(MemoryLayout<HTTP2Parser>.size, 32 * 1024)
    }
}
