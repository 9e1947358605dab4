import Foundation
import Sensors
import XCTest

/// Suricata-verify's http-evader cases (an EICAR download behind a different HTTP evasion
/// each) through the whole pipeline, with a body sensor holding the two patterns of each
/// case's test.rules: both must alert, on a transaction whose http record has the method and
/// hostname the case's test.yaml expects.
final class EvaderAlertTests: XCTestCase {
    func testEvaderCasesAlert() throws {
        let suite = SensorReplay.suricataVerify.appendingPathComponent("http-evader")
        guard let cases = try? FileManager.default.contentsOfDirectory(atPath: suite.path)
            .filter({ $0.hasPrefix("http-evader-") }).sorted(), !cases.isEmpty else {
            throw XCTSkip("suricata-verify http-evader not found at \(suite.path)")
        }
        var alerted = 0
        var misses: [String] = []
        for name in cases {
            let dir = suite.appendingPathComponent(name)
            let rules = try String(contentsOf: dir.appendingPathComponent("test.rules"), encoding: .utf8)
            let yaml = try String(contentsOf: dir.appendingPathComponent("test.yaml"), encoding: .utf8)
            let sensorRules = rules.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("file_data") }
                .compactMap { line -> SensorRule? in
                    guard let c = line.range(of: "content:\""), let s = line.range(of: "sid:") else { return nil }
                    let content = line[c.upperBound...].prefix { $0 != "\"" }
                    let sid = UInt32(line[s.upperBound...].prefix { $0.isNumber })!
                    return SensorRule(id: sid, name: "EICAR \(sid)", patterns: [regexEscaped(String(content))], context: .body)
                }
            XCTAssertEqual(sensorRules.count, 2, name)
            let method = Self.expected(yaml, "http.http_method"), host = Self.expected(yaml, "http.hostname")
            let result = try SensorReplay.run(dir.appendingPathComponent("input.pcap").path,
                                              sensors: [Sensor(name: "eicar", rules: sensorRules)])
            var fired = Set<UInt32>()
            var why = "no alert"
            for a in result.alerts {
                let alert = a["alert"] as! [String: Any]
                let http = a["http"] as? [String: Any] ?? [:]
                if let method, http["http_method"] as? String != method { why = "method \(http["http_method"] ?? "none")"; continue }
                if let host, http["hostname"] as? String != host { why = "host \(http["hostname"] ?? "none")"; continue }
                XCTAssertEqual(alert["category"] as? String, "eicar")
                XCTAssertEqual(a["direction"] as? String, "to_client")
                fired.insert(UInt32(alert["signature_id"] as! Int))
            }
            if fired == Set(sensorRules.map(\.id)) { alerted += 1 } else { misses.append("\(name): \(why), fired \(fired.sorted())") }
        }
        print("HTTP-EVADER ALERTS: \(alerted)/\(cases.count)")
        for m in misses { print("  miss \(m)") }
        XCTAssertGreaterThanOrEqual(Double(alerted), 0.95 * Double(cases.count))
    }

    static func expected(_ yaml: String, _ key: String) -> String? {
        for line in yaml.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix(key + ":") { return t.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
