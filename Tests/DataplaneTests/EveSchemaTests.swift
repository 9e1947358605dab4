#if os(Linux)
import Foundation
import XCTest

/// Sluice's EVE records, from replay and from the live daemon, validated against Suricata
/// 7.0.10's own EVE schema (Tests/Fixtures/suricata-eve-schema.json) by
/// scripts/eve-schema-check.py with Debian's python3-jsonschema: what Suricata's tools accept.
final class EveSchemaTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/eve-schema-check.py").path

    /// Skips without python3-jsonschema (scripts/install-deps.sh installs it).
    static func requireValidator() throws {
        guard sh("/usr/bin/python3 -c 'import jsonschema'").status == 0 else {
            throw XCTSkip("python3-jsonschema is not installed (scripts/install-deps.sh)")
        }
    }

    /// The script's `--json` counts: total, valid, and per event type.
    static func check(_ arguments: String) throws -> (total: Int, valid: Int, types: [String: [String: Int]], text: String) {
        let r = sh("/usr/bin/python3 '\(script)' --json \(arguments)")
        let data = Data(r.output.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)
        guard r.status == 0, let o = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let total = o["total"] as? Int, let valid = o["valid"] as? Int else {
            throw BedError("eve-schema-check failed (\(r.status)): \(r.output)")
        }
        return (total, valid, o["types"] as? [String: [String: Int]] ?? [:], r.output)
    }

    static func describe(_ types: [String: [String: Int]]) -> String {
        types.keys.sorted().map { "\($0) \(types[$0]?["valid"] ?? 0)/\(types[$0]?["total"] ?? 0)" }.joined(separator: ", ")
    }

    /// Every capture under Tests/Captures replayed (and mixed.pcap under a policy in both
    /// modes): every record valid, and every kind Sluice writes for them present. Valid allowing
    /// only what Suricata 7 itself writes outside its schema (`--allow-suricata-gaps`).
    func testReplayedRecordsMatchSuricataSchema() throws {
        try Self.requireValidator()
        let binary = try SluiceBinary.require()
        let r = try Self.check("--allow-suricata-gaps --sluice '\(binary)'")
        print("EVE schema (replay): \(r.valid)/\(r.total) valid: \(Self.describe(r.types))")
        XCTAssertEqual(r.valid, r.total, r.text)
        // Only DNS goes past the schema itself, where Suricata 7 does too (grouped NS/SOA, soa).
        for (kind, c) in r.types where kind != "dns" { XCTAssertEqual(c["strict_valid"], c["total"], kind) }
        for kind in ["flow", "http", "dns", "tls", "ssh", "alert", "policy", "pgsql", "mqtt", "redis", "memcached"] {
            XCTAssertNotNil(r.types[kind], "no \(kind) record among the replayed captures' records: \(Self.describe(r.types))")
        }
    }

    /// `sluice replay --eve-types` writes only the types named, each record with its packet
    /// number; an unknown type is a usage error naming the known ones.
    func testEveTypesPicksTypesAndRecordsCarryPcapCnt() throws {
        let binary = try SluiceBinary.require()
        let capture = Self.root.appendingPathComponent("Tests/Captures/real/mixed.pcap").path
        let out = NSTemporaryDirectory() + "sluice-eve-types-\(getpid()).json"
        defer { unlink(out) }
        let r = sh("'\(binary)' replay '\(capture)' --eve '\(out)' --eve-types dns,tls")
        XCTAssertEqual(r.status, 0, r.output)
        let records = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(Set(records.compactMap { $0["event_type"] as? String }), ["dns", "tls"])
        for record in records {
            XCTAssertNotNil(record["pcap_cnt"] as? Int, "\(record)")
            XCTAssertEqual(record["pkt_src"] as? String, "wire/pcap")
        }
        let bad = sh("'\(binary)' replay '\(capture)' --eve-types dns,dnz")
        XCTAssertEqual(bad.status, 64, bad.output)
        XCTAssertTrue(bad.output.contains("unknown event type \"dnz\""), bad.output)
    }

    /// The live daemon inline: HTTP over v4 and v6, DNS over UDP and TCP, TLS, a denied
    /// port and a sensor alert; every record valid, with `in_iface` and `community_id`.
    func testLiveRecordsMatchSuricataSchema() throws {
        try Self.requireValidator()
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.startDNS()
        try bed.startTLS()
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair])
        _ = bed.curl("http://10.98.0.2/hello.txt")
        _ = bed.curl("http://[fd98::2]/hello.txt?log4j=1", "-6 -H 'X-Api-Version: ${jndi:ldap://10.98.0.1/a}'")
        _ = bed.dig("www.example.test")
        _ = bed.dig("api.example.test", "+tcp")
        _ = bed.tlsGet()
        _ = bed.curl("http://10.98.0.2:8080/hello.txt")
        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")

        let r = try Self.check("--allow-suricata-gaps '\(sluice.eve)'")
        print("EVE schema (live): \(r.valid)/\(r.total) valid: \(Self.describe(r.types))")
        XCTAssertEqual(r.valid, r.total, r.text)
        for kind in ["flow", "http", "dns", "tls", "alert", "policy"] {
            XCTAssertNotNil(r.types[kind], "no live \(kind) record: \(Self.describe(r.types))")
        }
        let records = sluice.records().filter { $0["flow_id"] != nil }
        XCTAssertFalse(records.isEmpty)
        for record in records {
            XCTAssertEqual(record["in_iface"] as? String, "web", "\(record)")
            XCTAssertNotNil(record["community_id"] as? String, "\(record)")
        }
    }
}
#endif
