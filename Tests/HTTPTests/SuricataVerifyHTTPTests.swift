import Foundation
import HTTP
import SluiceTestSupport
import XCTest

/// suricata-verify's http-chunked and http-request-line cases, with each rule's match
/// condition written out as a check on the parser's fields.
final class SuricataVerifyHTTPTests: XCTestCase {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/suricata-verify/tests/\(name)/input.pcap").standardized.path
    }

    static func runPcap(_ name: String) throws -> [RunResult] {
        let p = path(name)
        guard FileManager.default.fileExists(atPath: p) else { throw XCTSkip("\(p) not found") }
        let s = PcapStreams(path: p)
        XCTAssertNil(s.error)
        return s.connections.map { c in
            Harness.check([.c(c.toServer.flatMap { $0 }), .s(c.toClient.flatMap { $0 })], everyCutLimit: 1500, randomRuns: 5)
        }
    }

    /// Rules 11-16 (raw content, to_server), 21-26 (http.header), 31-36 (http.header.raw),
    /// 41-46 (http.request_header) all match a request header name: Host, Cookie, X-Qlik-User,
    /// User-Agent, Content-Length, Transfer-Encoding. test.yaml expects all of them except 22
    /// (Suricata's http.header leaves Cookie out, a buffer choice, not a parsing one), so each
    /// name must be among the request headers the parser reports. The request (a HEAD with
    /// `Transfer-Encoding: ,<tab>chunked,` and no body bytes) must be seen as chunked.
    func testHTTPChunked() throws {
        let results = try Self.runPcap("http-chunked")
        let names = Set(results.flatMap { $0.headers }.filter { $0.hasPrefix(">") }
            .map { String($0.dropFirst().prefix { $0 != ":" }).lowercased() })
        for n in ["host", "cookie", "x-qlik-user", "user-agent", "content-length", "transfer-encoding"] {
            XCTAssertTrue(names.contains(n), "request header \(n) missing: \(names)")
        }
        let txs = results.flatMap { $0.txs }
        XCTAssertFalse(txs.isEmpty)
        XCTAssertTrue(txs.contains { $0.has(.requestChunked) }, "no chunked request seen")
        for tx in txs where tx.has(.requestChunked) {
            XCTAssertEqual(tx.method, "HEAD")
            XCTAssertEqual(tx.host, "localhost")
            XCTAssertFalse(tx.has(.badChunk))
            XCTAssertTrue(tx.requestBody.isEmpty)
        }
    }

    /// http_request_line is "METHOD URI PROTOCOL". Rules: 1 bsize>10, 2 bsize<100,
    /// 3 bsize 10<>100, 4 bsize>100 (count 0), 5 content "GET /index.html HTTP/1.0".
    /// The capture starts midstream; Sluice's engine picks such flows up.
    func testHTTPRequestLine() throws {
        let txs = try Self.runPcap("http-request-line").flatMap { $0.txs }.filter { $0.hasRequest }
        XCTAssertEqual(txs.count, 1)
        guard let tx = txs.first else { return }
        let line = tx.method + " " + tx.uri + " " + tx.requestProtocol
        XCTAssertTrue(line.utf8.count > 10, "sid 1")
        XCTAssertTrue(line.utf8.count < 100, "sid 2")
        XCTAssertTrue(line.utf8.count > 10 && line.utf8.count < 100, "sid 3")
        XCTAssertFalse(line.utf8.count > 100, "sid 4 must not match")
        XCTAssertTrue(line.contains("GET /index.html HTTP/1.0"), "sid 5: \(line)")
    }
}
