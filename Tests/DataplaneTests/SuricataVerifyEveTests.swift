#if os(Linux)
import Foundation
import XCTest

/// suricata-verify's own checks on Sluice's EVE: scripts/sv-check.py replays each case's
/// capture with `sluice replay` (its eve-log `types:` as `--eve-types`) and evaluates the
/// case's test.yaml filters (count, match on dotted paths, pcap_cnt included) on the records.
/// The cases that pass are listed here and must keep passing (docs/eve.md).
final class SuricataVerifyEveTests: XCTestCase {
    static let suite = EveSchemaTests.root.deletingLastPathComponent()
        .appendingPathComponent("shared/suricata-verify/tests").path

    /// Every case of the shared suite that passed when this list was made (scripts/sv-check.py
    /// on the whole suite: 383 cases; the others need Suricata rules, Suricata 8, or Suricata
    /// logger options Sluice does not have).
    static let passing = [
        "dns/dns-answer-emptydata", "dns/dns-eve-empty-format", "dns/v2/bug-990", "dns/v2/dns-eve",
        "dns/v2/dns-eve-log-https-only", "dns/v2/dns-single-request", "dns/v2/dns-tcp-multirequest-buffer",
        "dns/v2/dns-tcp-www-google-com", "dns/v2/dns-udp-double-request-response", "dns/v2/dns-udp-eve-log-srv",
        "dns/v2/dns-udp-eve-txt", "dns/v2/dns-udp-null", "dns/v2/dns-udp-unsolicited-response",
        "tls/tls-ja3s-requires", "tls/tls-ja3s-requires-off", "tls/tls-json-output-ids", "tls/tls-json-output-ips",
        "tls/tls13-draft14", "tls/tls13-draft18", "tls/tls13-draft19", "tls/tls13-draft22", "tls/tls13-draft23",
        "tls/tls13-draft28",
    ]

    func testPassingCasesKeepPassing() throws {
        guard FileManager.default.fileExists(atPath: Self.suite) else { throw XCTSkip("no suricata-verify suite at \(Self.suite)") }
        guard sh("/usr/bin/python3 -c 'import yaml'").status == 0 else { throw XCTSkip("python3-yaml is not installed") }
        let binary = try SluiceBinary.require()
        let script = EveSchemaTests.root.appendingPathComponent("scripts/sv-check.py").path
        let r = sh("/usr/bin/python3 '\(script)' --sluice '\(binary)' --suite '\(Self.suite)' --json --cases \(Self.passing.joined(separator: " "))")
        let data = Data(r.output.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)
        guard r.status == 0, let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return XCTFail("sv-check failed (\(r.status)): \(r.output)")
        }
        let passed = Set(o["passing"] as? [String] ?? [])
        print("suricata-verify: \(passed.count)/\(Self.passing.count) listed cases pass")
        XCTAssertEqual(o["cases"] as? Int, Self.passing.count, "cases missing from the suite: \(r.output)")
        for c in Self.passing { XCTAssertTrue(passed.contains(c), "\(c) no longer passes: scripts/sv-check.py --verbose --cases \(c)") }
    }
}
#endif
