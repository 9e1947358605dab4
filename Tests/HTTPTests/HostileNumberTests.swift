import HTTP
import L7Core
import XCTest

/// Numbers off the wire that do not fit (issue #12): a Content-Length or chunk size too long,
/// negative or malformed is an anomaly of its transaction, counted for the flow, never a trap,
/// and the next connection parses as if nothing happened.
final class HostileNumberTests: XCTestCase {
    /// Feeds `client` then `server` to a fresh parser, finishes the flow, returns what it saw.
    func exchange(_ client: String, _ server: String = "", body: [UInt8] = [],
                  config: HTTPConfig = HTTPConfig()) -> (txs: [TxRecord], counters: HTTPCounters) {
        let pool = InflaterPool(slots: 2)
        var p = HTTPParser(config: config, inflaters: pool.handle)
        var rec = Recorder()
        Array(client.utf8).withUnsafeBytes { _ = p.feed($0, toServer: true, sink: &rec) }
        (Array(server.utf8) + body).withUnsafeBytes { _ = p.feed($0, toServer: false, sink: &rec) }
        p.finish(sink: &rec)
        return (rec.txs, p.counters)
    }

    /// A plain exchange parses in full: what every hostile case is followed by.
    func assertNextConnectionParses(file: StaticString = #filePath, line: UInt = #line) {
        let r = exchange("POST /next HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\n\r\nabc",
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertEqual(r.txs.count, 1, file: file, line: line)
        guard let t = r.txs.first else { return }
        XCTAssertEqual(t.method, "POST", file: file, line: line)
        XCTAssertEqual(t.uri, "/next", file: file, line: line)
        XCTAssertEqual(t.status, 200, file: file, line: line)
        XCTAssertEqual(t.requestText, "abc", file: file, line: line)
        XCTAssertEqual(t.responseText, "ok", file: file, line: line)
        XCTAssertEqual(HTTPFlags(rawValue: t.flags), [], file: file, line: line)
        XCTAssertEqual(r.counters.badContentLengths, 0, file: file, line: line)
    }

    func testContentLengthThatDoesNotFitIsAnAnomaly() {
        let values = ["18446744073709551615",               // the reproducer: UInt64.max
                      "99999999999999999999999999999999",  // 32 digits
                      "4611686018427387905",                // 2^62 + 1, just past the cap
                      "9223372036854775808",                // Int64.max + 1
                      "-1", "-18446744073709551615", "+5", "1 2", "5 5", "0x10", "1e3", ""]
        for v in values {
            let r = exchange("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(v)\r\n\r\n",
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            XCTAssertEqual(r.txs.count, 1, "Content-Length: \(v)")
            XCTAssertTrue(r.txs.first?.has(.badContentLength) ?? false, "Content-Length: \(v)")
            XCTAssertEqual(r.counters.badContentLengths, 1, "Content-Length: \(v)")
            XCTAssertEqual(r.txs.first?.status, 200, "the response still pairs with the request")
            assertNextConnectionParses()
        }
    }

    func testContentLengthWithSurroundingSpacesIsAccepted() {
        // Whitespace around a header value is not part of it (RFC 9112 section 5.1).
        let r = exchange("POST / HTTP/1.1\r\nContent-Length:   3  \r\n\r\nabc", "HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(r.txs.first?.requestText, "abc")
        XCTAssertEqual(r.counters.badContentLengths, 0)
    }

    func testConflictingContentLengthsAreCounted() {
        let r = exchange("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 18446744073709551615\r\n\r\nabc",
                    "HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertTrue(r.txs.first?.has(.badContentLength) ?? false)
        XCTAssertEqual(r.counters.badContentLengths, 1)
        XCTAssertEqual(r.txs.first?.requestText, "abc", "the first length stands")
    }

    func testResponseContentLengthThatDoesNotFitReadsUntilClose() {
        let r = exchange("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\nbody")
        XCTAssertTrue(r.txs.first?.has(.badContentLength) ?? false)
        XCTAssertEqual(r.txs.first?.responseText, "body")
        XCTAssertEqual(r.counters.badContentLengths, 1)
        assertNextConnectionParses()
    }

    func testChunkSizeOfManyHexDigitsIsABadChunk() {
        for size in ["ffffffffffffffffff", "10000000000000000", "0000000000000000010000000000000000", "fffffffffffffffffffffffffffffffff"] {
            // Request: that direction stops, the transaction is malformed.
            let q = exchange("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nabc\r\n0\r\n\r\n")
            XCTAssertEqual(q.txs.count, 1, size)
            XCTAssertTrue(q.txs.first?.has(.badChunk) ?? false, size)
            XCTAssertTrue(q.txs.first?.has(.malformedRequest) ?? false, size)
            XCTAssertEqual(q.counters.badChunks, 1, size)
            // Response: the rest is read as body, as a lenient client would show it.
            let r = exchange("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nabc\r\n0\r\n\r\n")
            XCTAssertTrue(r.txs.first?.has(.badChunk) ?? false, size)
            XCTAssertEqual(r.counters.badChunks, 1, size)
            assertNextConnectionParses()
        }
    }

    /// Leading zeros do not count against the digit limit: servers read a padded size as its
    /// value, so the inspector must too, or a padded chunk would carry a body past it unseen.
    func testPaddedChunkSizesAreTheirValue() {
        let padded = String(repeating: "0", count: 40)
        let q = exchange("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(padded)3\r\nabc\r\n\(padded)\r\n\r\n",
                         "HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(q.txs.first?.requestText, "abc")
        XCTAssertFalse(q.txs.first?.has(.badChunk) ?? true)
        XCTAssertEqual(q.counters.badChunks, 0)
    }

    func testLargestChunkAndBodyLengthsStayInArithmetic() {
        // 15 hex digits (2^60 - 1) and 2^62 are accepted; the flow ends long before them.
        let chunk = exchange("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nabc")
        XCTAssertTrue(chunk.txs.first?.has(.bodyTruncated) ?? false)
        XCTAssertEqual(chunk.txs.first?.responseBodyLength, 3)
        XCTAssertEqual(chunk.counters.badChunks, 0)
        let body = exchange("POST / HTTP/1.1\r\nContent-Length: 4611686018427387904\r\n\r\nabc")
        XCTAssertTrue(body.txs.first?.has(.bodyTruncated) ?? false)
        XCTAssertEqual(body.counters.badContentLengths, 0)

        // Gaps of every size inside such a body: skipped while they fit, the direction lost once not.
        for gap in [1, Int(Int32.max), 1 << 62, Int.max, -1, Int.min] {
            var p = HTTPParser()
            var rec = Recorder()
            Array("POST / HTTP/1.1\r\nContent-Length: 4611686018427387904\r\n\r\nab".utf8).withUnsafeBytes {
                _ = p.feed($0, toServer: true, sink: &rec)
            }
            p.gap(toServer: true, length: gap, sink: &rec)
            p.gap(toServer: true, length: gap, sink: &rec)
            Array("cd".utf8).withUnsafeBytes { _ = p.feed($0, toServer: true, sink: &rec) }
            p.finish(sink: &rec)
            XCTAssertEqual(rec.txs.count, 1, "gap \(gap)")
        }
        assertNextConnectionParses()
    }

    func testHostWithoutAByteBeforeItsColon() {
        // ":]" once read the byte before index 0 while stripping a port.
        for host in [":]", ":", "]:", "[:]", "@:]", ":]:"] {
            let r = exchange("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n")
            XCTAssertEqual(r.txs.count, 1, host)
            let abs = exchange("GET http://\(host)/x HTTP/1.1\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n")
            XCTAssertEqual(abs.txs.count, 1, host)
        }
        assertNextConnectionParses()
    }

    func testEncodingLayersPastTheLimitAreCounted() {
        let text = Array("layered".utf8)
        let twice = HTTPParserTests.compress(HTTPParserTests.compress(text, windowBits: 31), windowBits: 31)
        var config = HTTPConfig()
        config.decompressionLayers = 1
        let r = exchange("GET / HTTP/1.1\r\n\r\n",
                         "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: \(twice.count)\r\n\r\n",
                         body: twice, config: config)
        XCTAssertEqual(r.counters.layersCut, 1)
        XCTAssertNotEqual(r.txs.first?.responseBody, text, "one layer undone, one left")
        XCTAssertEqual(exchange("GET / HTTP/1.1\r\n\r\n",
                                "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: \(twice.count)\r\n\r\n",
                                body: twice).txs.first?.responseBody, text)
    }
}
