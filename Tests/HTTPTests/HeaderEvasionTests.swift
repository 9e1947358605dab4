import HTTP
import L7Core
import XCTest

/// Issue 18: header evasions in the style of http-evader (noxxi.de), where a NUL after an LF
/// or a blank-ish line hides Transfer-Encoding, Content-Encoding or Content-Length from a
/// parser that browsers and libhtp/Suricata do not fool. Expected outcomes are Suricata
/// 7.0.10's (a file_data rule on the EICAR string fires, or not) on the same bytes.
final class HeaderEvasionTests: XCTestCase {
    static let eicar = Array(#"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#.utf8)

    static func chunked(_ b: [UInt8]) -> [UInt8] {
        Array(String(b.count, radix: 16).utf8) + Array("\r\n".utf8) + b + Array("\r\n0\r\n\r\n".utf8)
    }

    /// Response header tails (after a Content-Type line) and the body expected: the plain
    /// EICAR string where Suricata's file_data rule fires on it, dechunked and decompressed
    /// (a second rule on the raw chunk framing checked that Suricata dechunks: it never fired).
    static func variants() -> [(name: String, tail: [UInt8], body: [UInt8])] {
        let gz = HTTPParserTests.compress(eicar, windowBits: 31)
        let t = { (s: String) in Array(s.utf8) }
        return [
            ("te-lf-nul-value", t("Transfer-Encoding: \n\0chunked\r\n\r\n") + chunked(eicar), eicar),
            ("te-crlf-nul-value", t("Transfer-Encoding: \r\n\0chunked\r\n\r\n") + chunked(eicar), eicar),
            ("ce-crlf-nul-value", t("Content-Encoding: \r\n\0gzip\r\nContent-Length: \(gz.count)\r\n\r\n") + gz, eicar),
            ("te-nul-line-after", t("Transfer-Encoding: chunked\n\0X-A: b\r\n\r\n") + chunked(eicar), eicar),
            ("te-chunked-lf-nul", t("Transfer-Encoding: chunked\n\0\r\n\r\n") + chunked(eicar), eicar),
            ("ce-lf-nul-value", t("Content-Encoding: \n\0gzip\r\nContent-Length: \(gz.count)\r\n\r\n") + gz, eicar),
            ("ce-gzip-lf-nul", t("Content-Encoding: gzip\n\0\r\nContent-Length: \(gz.count)\r\n\r\n") + gz, eicar),
            ("cl-blank-space", t("Content-Length: \(eicar.count)\r\n \r\n\r\n") + eicar, eicar),
            ("cl-blank-tab", t("Content-Length: \(eicar.count)\r\n\t\r\n\r\n") + eicar, eicar),
            // "\n \n" ends the headers, as browsers read http-evader's end-lf\040lf: the body
            // starts at the second LF (Suricata's rule still fires on the string inside).
            ("cl-blank-lf-space", t("Content-Length: \(eicar.count)\n \n\n") + eicar, [0x0A] + eicar.dropLast()),
            // After a CRLF, "\r\r\n" does not end the headers: no body (Suricata: no alert).
            ("cl-blank-cr", t("Content-Length: \(eicar.count)\r\n\r\r\n") + eicar, []),
        ]
    }

    func testVariantsDecodeAsLibhtpAndBrowsersDo() {
        for v in Self.variants() {
            let head = Array("HTTP/1.1 200 ok\r\nContent-type: application/octet-stream\r\n".utf8)
            let r = Harness.check([.c("GET /x HTTP/1.1\r\nHost: e\r\n\r\n"), .s(head + v.tail)], everyCutLimit: 300, randomRuns: 5)
            let body = r.txs.first?.responseBody ?? []
            // Decoded means exactly the plain body: dechunked and decompressed, nothing more.
            XCTAssertEqual(body, v.body, v.name)
        }
    }
}
