import CZlib
import HTTP
import L7Core
import Output
import XCTest

final class HTTPParserTests: XCTestCase {
    func testSizeFitsPool() {
        print("HTTPParser size: \(HTTPParser.byteSize) bytes")
        XCTAssertLessThanOrEqual(HTTPParser.byteSize, 24 * 1024)
    }

    /// A parser reused after `reset` (as the L7 stage reuses pool slots) reports exactly what a
    /// fresh one does, and `reset` gives back every inflater slot, also when the new flow gets
    /// no pool. (`Harness.check` and the evader suite also compare reused and fresh parsers
    /// over every corpus.)
    func testResetParserMatchesFresh() {
        let text = Array(String(repeating: "The quick brown fox. ", count: 40).utf8)
        let gz = Self.compress(text, windowBits: 31)
        let corpus: [Segment] = [
            .c("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\n"),
            .s(Array("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: \(gz.count)\r\n\r\n".utf8) + gz),
            .s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        ]
        let fresh = Harness.run(corpus)
        XCTAssertEqual(fresh.tx(0).responseBody, text)
        XCTAssertEqual(Harness.run(corpus, reuse: true), fresh)
        for dirty in Harness.dirtyFlows() {
            Harness.previous = dirty
            XCTAssertEqual(Harness.run(corpus, reuse: true), fresh)
        }

        // Slots borrowed mid-body go back on reset, whichever pool the next flow gets.
        let pool = InflaterPool(slots: 4)
        var p = HTTPParser(inflaters: pool.handle)
        var rec = Recorder()
        for flow in Harness.dirtyFlows().prefix(1) {
            for seg in flow { seg.bytes.withUnsafeBytes { _ = p.feed($0, toServer: seg.toServer, sink: &rec) } }
        }
        XCTAssertEqual(pool.handle.available, pool.handle.capacity - 3, "request layer and two response layers inflating")
        p.reset(config: HTTPConfig(), inflaters: nil)
        XCTAssertEqual(pool.handle.available, pool.handle.capacity)
        p.reset(config: HTTPConfig(), inflaters: pool.handle)
        XCTAssertEqual(pool.handle.available, pool.handle.capacity)
    }

    func testSimpleTransactionAndEve() throws {
        let r = Harness.check([
            .c("GET /a/./b/../c?q=a+b%20c HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: curl/8\r\nReferer: http://r/\r\n\r\n"),
            .s("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"),
        ])
        XCTAssertEqual(r.txs.count, 1)
        let t = r.tx(0)
        XCTAssertEqual(t.method, "GET")
        XCTAssertEqual(t.uri, "/a/./b/../c?q=a+b%20c")
        XCTAssertEqual(t.normalizedURI, "/a/c?q=a b c")
        XCTAssertEqual(t.requestProtocol, "HTTP/1.1")
        XCTAssertEqual(t.host, "example.com")
        XCTAssertEqual(t.userAgent, "curl/8")
        XCTAssertEqual(t.referer, "http://r/")
        XCTAssertEqual(t.status, 200)
        XCTAssertEqual(t.responseContentType, "text/html")
        XCTAssertEqual(t.responseText, "hello")
        XCTAssertEqual(t.responseBodyLength, 5)
        XCTAssertEqual(r.requestHeaderEvents, ["0 GET /a/./b/../c?q=a+b%20c"])

        // EVE
        let pool = InflaterPool(slots: 1)
        var p = HTTPParser(inflaters: pool.handle)
        struct EveSink: HTTPSink, ~Copyable {
            var out = JSONBuffer(fd: -1, capacity: 4096)
            var lines: [String] = []
            mutating func httpTransaction(_ tx: borrowing HTTPTransaction) {
                out.beginObject(); HTTPEve.write(tx, into: &out); out.endObject()
                lines.append(String(decoding: out.take(), as: UTF8.self))
            }
            mutating func httpRequestHeaders(_ tx: borrowing HTTPTransaction) {}
            mutating func httpBody(_ bytes: UnsafeRawBufferPointer, toServer: Bool, raw: Bool, tx: borrowing HTTPTransaction) {}
        }
        var sink = EveSink()
        Array("GET /x HTTP/1.1\r\nHost: h\r\n\r\n".utf8).withUnsafeBytes { _ = p.feed($0, toServer: true, sink: &sink) }
        Array("HTTP/1.1 404 NF\r\nContent-Length: 2\r\n\r\nno".utf8).withUnsafeBytes { _ = p.feed($0, toServer: false, sink: &sink) }
        p.finish(sink: &sink)
        XCTAssertEqual(sink.lines, [#"{"http":{"hostname":"h","url":"/x","http_method":"GET","protocol":"HTTP/1.1","status":404,"length":2}}"#])
    }

    func testPipeliningKeepAliveAndInterleaving() {
        let r = Harness.check([
            .c("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nPOST /3 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
            .s("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB"),
            .c("GET /4 HTTP/1.1\r\n\r\n"),
            .s("HTTP/1.1 201 OK\r\nContent-Length: 1\r\n\r\nCHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nD"),
        ])
        XCTAssertEqual(r.txs.map(\.uri), ["/1", "/2", "/3", "/4"])
        XCTAssertEqual(r.txs.map(\.responseText), ["A", "B", "C", "D"])
        XCTAssertEqual(r.tx(2).requestText, "abc")
        XCTAssertEqual(r.tx(2).requestBodyLength, 3)
        XCTAssertEqual(r.tx(2).status, 201)
    }

    func testPipelineOverflowIsCounted() {
        let reqs = (0..<10).map { "GET /\($0) HTTP/1.1\r\n\r\n" }.joined()
        let r = Harness.check([.c(reqs)], everyCutLimit: 0)
        XCTAssertEqual(r.overflows, 2)
        XCTAssertEqual(r.txs.count, 10)
        XCTAssertEqual(r.txs.filter { $0.has(.pipelineOverflow) }.count, 2)
        XCTAssertTrue(r.txs.allSatisfy { $0.has(.noResponse) })
    }

    func testChunkedWithExtensionsAndTrailers() {
        let r = Harness.check([
            .c("POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;name=v\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n"),
            .s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 ; ext=\"q\"\r\nhello\r\n6\r\n world\r\n0\r\nTrailer-A: x\r\n\r\n"),
        ])
        XCTAssertEqual(r.txs.count, 1)
        XCTAssertEqual(r.tx(0).requestText, "abc")
        XCTAssertEqual(r.tx(0).responseText, "hello world")
        XCTAssertTrue(r.tx(0).has(.requestChunked) && r.tx(0).has(.responseChunked))
        XCTAssertEqual(r.tx(0).responseBodyLength, 11)
        XCTAssertTrue(r.headers.contains(">X-Sum: 1") && r.headers.contains("<Trailer-A: x"))
    }

    func testBogusChunkSize() {
        let r = Harness.check([
            .c("GET / HTTP/1.1\r\n\r\n"),
            .s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nrest of it"),
        ])
        XCTAssertEqual(r.badChunks, 1)
        XCTAssertTrue(r.tx(0).has(.badChunk))
        XCTAssertEqual(r.tx(0).responseText, "zz\r\nrest of it")
        let q = Harness.check([.c("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nnope\r\nGET /next HTTP/1.1\r\n\r\n")])
        XCTAssertEqual(q.txs.count, 1)
        XCTAssertTrue(q.tx(0).has(.malformedRequest))
    }

    func testFoldedHeader() {
        let r = Harness.check([.c("GET / HTTP/1.1\r\nUser-Agent: first\r\n\tsecond\r\nHost: h\r\n\r\n")])
        XCTAssertEqual(r.tx(0).userAgent, "first second")
        XCTAssertTrue(r.tx(0).has(.headerFolded))
        XCTAssertEqual(r.tx(0).host, "h")
    }

    func testInterimAndUpgradeH2C() {
        let req = "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
        let res = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"
        let r = Harness.check([.c(req + "PRI * HTTP/2.0\r\n"), .s(res + "\u{0}\u{0}\u{0}\u{4}")])
        XCTAssertEqual(r.upgrade.kind, .h2c)
        XCTAssertEqual(r.upgrade.toServerOffset, UInt64(req.utf8.count))
        XCTAssertEqual(r.upgrade.toClientOffset, UInt64(res.utf8.count))
        XCTAssertEqual(r.consumed[1], res.utf8.count)
        XCTAssertEqual(r.tx(0).status, 101)
        XCTAssertTrue(r.tx(0).has(.upgrade) && r.tx(0).has(.interim))
    }

    func testHeadAnd304HaveNoBody() {
        let r = Harness.check([
            .c("HEAD / HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\n\r\n"),
            .s("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 304 NM\r\n\r\nHTTP/1.1 204 NC\r\n\r\n"),
        ])
        XCTAssertEqual(r.txs.map(\.status), [200, 304, 204])
        XCTAssertTrue(r.txs.allSatisfy { $0.responseBody.isEmpty && !$0.has(.noResponse) })
    }

    func testConnectTunnel() {
        let r = Harness.check([.c("CONNECT a:443 HTTP/1.1\r\n\r\n\u{16}\u{3}\u{1}"), .s("HTTP/1.1 200 OK\r\n\r\n\u{16}\u{3}\u{3}")])
        XCTAssertEqual(r.upgrade.kind, .tunnel)
        XCTAssertEqual(r.consumed, [26, 19])
        XCTAssertTrue(r.tx(0).has(.tunnel))
    }

    func testGarbageRequestLineStops() {
        let r = Harness.check([.c("\u{16}\u{3}\u{1}\u{2}\u{0} garbage\r\nGET / HTTP/1.1\r\n\r\n")])
        XCTAssertEqual(r.malformedRequests, 1)
        XCTAssertEqual(r.txs.count, 1)
        XCTAssertTrue(r.tx(0).has(.malformedRequest))
    }

    func testLongHeaderLineIsCutAndParsingStaysInSync() {
        let big = String(repeating: "A", count: 64 * 1024)
        let r = Harness.check([.c("GET / HTTP/1.1\r\nX-Big: \(big)\r\nHost: after\r\n\r\n"),
                               .s("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")], everyCutLimit: 0, randomRuns: 3)
        XCTAssertEqual(r.longLines, 1)
        XCTAssertTrue(r.tx(0).has(.longLine))
        XCTAssertEqual(r.tx(0).host, "after")
        XCTAssertEqual(r.tx(0).responseText, "ok")
    }

    func testTruncatedBodyAndUnansweredRequestsAtFlowEnd() {
        let r = Harness.check([.c("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
                               .s("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")])
        XCTAssertEqual(r.txs.count, 2)
        XCTAssertTrue(r.tx(0).has(.bodyTruncated))
        XCTAssertEqual(r.tx(0).responseText, "abc")
        XCTAssertTrue(r.tx(1).has(.noResponse))
        let u = Harness.check([.c("GET / HTTP/1.0\r\n\r\n"), .s("HTTP/1.0 200 OK\r\n\r\nuntil close")])
        XCTAssertEqual(u.tx(0).responseText, "until close")
        XCTAssertFalse(u.tx(0).has(.bodyTruncated))
    }

    func testGaps() {
        let r = Harness.check([.c("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
                               .s("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"), .gap(toServer: false, 5),
                               .s("xyzHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nZ")])
        XCTAssertEqual(r.gapsSkipped, 1)
        XCTAssertEqual(r.txs.map(\.responseText), ["abxyz", "Z"])
        XCTAssertTrue(r.tx(0).has(.gap))
        // A hole in the headers cuts that request; parsing resumes at the next request line.
        let lost = Harness.check([.c("GET /1 HTTP/1.1\r\nHo"), .gap(toServer: true, 7), .c("GET /2 HTTP/1.1\r\n\r\n")])
        XCTAssertEqual(lost.lost, 1)
        XCTAssertEqual(lost.txs.map(\.uri), ["/1", "/2"])
        XCTAssertTrue(lost.tx(0).has(.gap))
        // Mid-body junk after the hole is skipped up to the next line that starts a message.
        let junk = Harness.check([.c("GET /1 HTTP/1.1\r\nHo"), .gap(toServer: true, 7),
                                  .c("tail of something\r\nGETX\r\nPOST /3 HTTP/1.1\r\nContent-Length: 0\r\n\r\n")])
        XCTAssertEqual(junk.txs.map(\.uri), ["/1", "/3"])
    }

    // MARK: compression

    static func compress(_ data: [UInt8], windowBits: Int32) -> [UInt8] {
        var s = z_stream()
        XCTAssertEqual(deflateInit2_(&s, 6, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)), Z_OK)
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&s, uLong(data.count))) + 64)
        var input = data
        let n = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o -> Int in
                s.next_in = inp.baseAddress; s.avail_in = uInt(inp.count)
                s.next_out = o.baseAddress; s.avail_out = uInt(o.count)
                XCTAssertEqual(deflate(&s, Z_FINISH), Z_STREAM_END)
                return o.count - Int(s.avail_out)
            }
        }
        deflateEnd(&s)
        return Array(out[0..<n])
    }

    func respond(_ body: [UInt8], encoding: String, config: HTTPConfig = HTTPConfig(), cuts: Int = 3000) -> RunResult {
        let head = "HTTP/1.1 200 OK\r\nContent-Encoding: \(encoding)\r\nContent-Length: \(body.count)\r\n\r\n"
        return Harness.check([.c("GET / HTTP/1.1\r\n\r\n"), .s(Array(head.utf8) + body)], config: config, everyCutLimit: cuts, randomRuns: 5)
    }

    func testGzipDeflateZlibAndRaw() {
        let text = Array(String(repeating: "The quick brown fox. ", count: 40).utf8)
        for (enc, bits) in [("gzip", Int32(31)), ("deflate", 15), ("deflate", -15)] {
            let r = respond(Self.compress(text, windowBits: bits), encoding: enc)
            XCTAssertEqual(r.tx(0).responseBody, text, "\(enc) \(bits)")
            XCTAssertFalse(r.tx(0).responseRaw)
            XCTAssertTrue(r.tx(0).has(.compressed))
        }
        // Two layers.
        let twice = Self.compress(Self.compress(text, windowBits: 31), windowBits: 15)
        XCTAssertEqual(respond(twice, encoding: "gzip, deflate").tx(0).responseBody, text)
        // Labelled gzip, sent plain: inspected as is.
        XCTAssertEqual(respond(Array("plain body".utf8), encoding: "gzip").tx(0).responseText, "plain body")
    }

    func testDecompressionBombIsCut() {
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let bomb = Self.compress(zeros, windowBits: 31)
        var config = HTTPConfig()
        config.maxDecompressedBody = 100_000
        let r = respond(bomb, encoding: "gzip", config: config, cuts: 0)
        XCTAssertEqual(r.cut, 1)
        XCTAssertEqual(r.tx(0).responseBody.count, 100_000)
        XCTAssertTrue(r.tx(0).has(.decompressionCut))
        XCTAssertEqual(r.tx(0).responseBodyLength, UInt64(bomb.count))
    }

    // MARK: URI

    func testURINormalization() {
        func norm(_ s: String) -> (String, HTTPFlags) {
            var out = FixedBytes<384>()
            let f = Array(s.utf8).withUnsafeBytes { URINormalizer.normalize($0, into: &out) }
            return (out.string, f)
        }
        XCTAssertEqual(norm("/a/%2e%2e/b").0, "/b")
        XCTAssertEqual(norm("\\a\\..\\b").0, "/b")
        XCTAssertEqual(norm("//a///b/./c/.").0, "/a/b/c/")
        XCTAssertEqual(norm("/a/b/..").0, "/a/")
        XCTAssertEqual(norm("/../../etc/passwd").0, "/etc/passwd")
        XCTAssertTrue(norm("/../x").1.contains(.uriAboveRoot))
        XCTAssertEqual(norm("/s?q=a+b&x=%41").0, "/s?q=a b&x=A")
        XCTAssertEqual(norm("/p+q").0, "/p+q")
        let d = norm("/%252e%252e/x")
        XCTAssertEqual(d.0, "/%2e%2e/x")
        XCTAssertTrue(d.1.contains(.uriDoubleEncoded))
        let bad = norm("/a%zz%4")
        XCTAssertEqual(bad.0, "/a%zz%4")
        XCTAssertTrue(bad.1.contains(.uriInvalidEscape))
        let r = Harness.check([.c("GET http://User@Host.example:81/x/../y HTTP/1.1\r\nHost: other\r\n\r\n")])
        XCTAssertEqual(r.tx(0).host, "host.example")
        XCTAssertEqual(r.tx(0).normalizedURI, "/y")
    }
}

/// The sink sees the whole request target, past the transaction's 384-byte copy: URL sensors
/// must not be blinded by padding.
final class RequestTargetTests: XCTestCase {
    struct Targets: HTTPSink {
        var targets: [[UInt8]] = []
        mutating func httpTransaction(_ tx: borrowing HTTPTransaction) {}
        mutating func httpRequestHeaders(_ tx: borrowing HTTPTransaction) {}
        mutating func httpBody(_ bytes: UnsafeRawBufferPointer, toServer: Bool, raw: Bool, tx: borrowing HTTPTransaction) {}
        mutating func httpRequestTarget(_ uri: UnsafeRawBufferPointer, tx: borrowing HTTPTransaction) { targets.append(Array(uri)) }
    }

    func testLongTargetReachesSinkWhole() {
        let target = "/search?pad=" + String(repeating: "a", count: 1200) + "&q=1'+union+select+null--"
        var p = HTTPParser()
        var sink = Targets()
        Array("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n".utf8).withUnsafeBytes { _ = p.feed($0, toServer: true, sink: &sink) }
        XCTAssertEqual(sink.targets.map { String(decoding: $0, as: UTF8.self) }, [target])
    }
}

extension HTTPParserTests {
    /// Variants of http-evader's "cr" and "end-lfcrcrlf" cases (issue 18): CRs alone on a line
    /// end the headers only after a bare LF; after a CRLF the headers go on.
    func testCROnlyLinesEndHeadersOnlyAfterABareLF() {
        let chunked = Harness.check([.c("GET /a HTTP/1.1\r\n\r\n"),
                                     .s("HTTP/1.1 200 ok\r\nX-A: 1\r\n\r\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nX5O!\r\n0\r\n\r\n")])
        XCTAssertEqual(chunked.tx(0).responseText, "X5O!")
        let triple = Harness.check([.c("GET /a HTTP/1.1\r\n\r\n"),
                                    .s("HTTP/1.1 200 ok\r\nX-A: 1\r\n\r\r\r\nContent-Length: 4\r\n\r\nX5O!")])
        XCTAssertEqual(triple.tx(0).responseText, "X5O!")
        let ended = Harness.check([.c("GET /a HTTP/1.1\r\n\r\n"), .s("HTTP/1.1 200 ok\r\nContent-Length: 4\n\r\r\nX5O!")])
        XCTAssertEqual(ended.tx(0).responseText, "X5O!")
    }
}
