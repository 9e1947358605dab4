import Foundation
import HTTP
import SluiceTestSupport
import XCTest

/// Suricata-verify's http-evader suite: 250 EICAR downloads behind HTTP evasions
/// (https://noxxi.de/research/http-evader.html). Each case's rules fire when the decoded
/// response body (`file_data`) holds the EICAR patterns; test.yaml also expects the fileinfo
/// event's method and hostname.
final class EvaderTests: XCTestCase {
    static let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/suricata-verify/tests/http-evader").standardized

    /// The `content:"..."` patterns of the rules using file_data.
    static func patterns(_ rules: String) -> [String] {
        rules.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("file_data") }.compactMap { line in
            guard let r = line.range(of: "content:\"") else { return nil }
            let rest = line[r.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return String(rest[..<end])
        }
    }

    /// `key: value` expectations from test.yaml (http.http_method, http.hostname).
    static func expected(_ yaml: String, _ key: String) -> String? {
        for line in yaml.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix(key + ":") { return t.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    func testEvaderBodies() throws {
        let fm = FileManager.default
        guard let cases = try? fm.contentsOfDirectory(atPath: Self.suite.path).filter({ $0.hasPrefix("http-evader-") }).sorted(),
              !cases.isEmpty else { throw XCTSkip("suricata-verify http-evader not found at \(Self.suite.path)") }
        var decoded = 0
        var misses: [String] = []
        for name in cases {
            let dir = Self.suite.appendingPathComponent(name)
            let rules = try String(contentsOf: dir.appendingPathComponent("test.rules"), encoding: .utf8)
            let yaml = try String(contentsOf: dir.appendingPathComponent("test.yaml"), encoding: .utf8)
            let pats = Self.patterns(rules).map { Array($0.utf8) }
            XCTAssertEqual(pats.count, 2, name)
            let streams = PcapStreams(path: dir.appendingPathComponent("input.pcap").path)
            if let e = streams.error { misses.append("\(name): pcap: \(e)"); continue }
            let wantMethod = Self.expected(yaml, "http.http_method")
            let wantHost = Self.expected(yaml, "http.hostname")
            var hit = false
            var why = "no transaction"
            for conn in streams.connections {
                let segs = [Segment.c(conn.toServer.flatMap { $0 }), Segment.s(conn.toClient.flatMap { $0 })]
                let whole = Harness.run(segs)
                XCTAssertEqual(Harness.run(segs, reuse: true), whole, "\(name) reused parser differs")
                // Results must not depend on how the stream is cut.
                let bytewise = Harness.run(segs) { _, n in Array(repeating: 1, count: n) }
                XCTAssertEqual(bytewise, whole, "\(name) byte-at-a-time differs")
                for tx in whole.txs {
                    let found = pats.allSatisfy { p in tx.responseBody.firstRange(of: p) != nil }
                    if !found {
                        why = "tx \(tx.index) \(tx.method) \(tx.uri) status \(tx.status) flags 0x\(String(tx.flags, radix: 16)) body \(tx.responseBody.count)B: \(tx.responseText.prefix(60).debugDescription)"
                        continue
                    }
                    if let m = wantMethod, tx.method != m { why = "method \(tx.method)"; continue }
                    if let h = wantHost, tx.host != h { why = "host \(tx.host)"; continue }
                    hit = true
                }
            }
            if hit { decoded += 1 } else { misses.append("\(name): \(why)") }
        }
        print("HTTP-EVADER: \(decoded)/\(cases.count) bodies decoded")
        for m in misses { print("  miss \(m)") }
        XCTAssertGreaterThanOrEqual(Double(decoded), 0.95 * Double(cases.count))
    }
}
