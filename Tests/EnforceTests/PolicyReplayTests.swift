import Codecs
import Engine
import Enforce
import Foundation
import L7
import PacketIO
import Policy
import XCTest

/// A policy record's `policy` object: Sluice's own, an item of `metadata.flowvars` (docs/eve.md).
func policyObject(_ record: [String: Any]) -> [String: Any]? {
    let items = (record["metadata"] as? [String: Any])?["flowvars"] as? [[String: Any]] ?? []
    return items.lazy.compactMap { $0["policy"] as? [String: Any] }.first
}

/// The whitelist policy on recorded real traffic (curl, dig, openssl and ping between two
/// network namespaces): exactly which flows each mode reports or blocks.
final class PolicyReplayTests: XCTestCase {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures/real")

    /// The issue's policy, with the FQDN group narrowed to one TLS host of the capture so a TLS
    /// flow whose SNI is outside the group is in it.
    static func policy(mode: String) -> String {
        """
        version: 1
        mode: \(mode)
        default: deny
        groups:
          clients: { cidrs: [10.77.0.0/24, "fd77::/64"] }
          web:     { cidrs: [10.77.0.2/32, "fd77::2/128"] }
          example: { fqdns: ["alpha.example.com"] }
        workloads:
          web: { group: web, mode: \(mode), sensors: [dlp-pii, waf-core] }
        rules:
          - { id: 10, from: clients, to: web, ports: [tcp/80], apps: [http], action: allow }
          - { id: 20, from: clients, to: web, ports: [udp/53, tcp/53], apps: [dns], action: allow }
          - { id: 30, from: clients, to: example, ports: [tcp/443], apps: [tls], action: allow }
          - { id: 40, from: any, to: web, ports: [tcp/22], action: deny }
        """
    }

    /// Replays `capture` under `policy`; returns the policy records and the stage's counters.
    func replay(_ capture: String, _ policy: String) throws -> (records: [[String: Any]], counters: PolicyCounters) {
        try Self.replay(capture, policy)
    }

    static func replay(_ capture: String, _ policy: String, unknownInterfaces: UInt64 = 0) throws
        -> (records: [[String: Any]], counters: PolicyCounters) {
        let compiled = try CompiledPolicy(parsing: policy, file: "test-policy.yaml")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-policy-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let fd = open(out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var source = try PcapFile(path: Self.captures.appendingPathComponent(capture).path)
        var worker = Worker(config: EngineConfig(), stage: PolicyStage(l7: L7Stage(eveFD: fd), policy: compiled), eveFD: fd)
        worker.stage.unknownWorkloadInterfaces = unknownInterfaces
        _ = try Replay.run(&source, through: &worker)
        worker.shutdown()
        close(fd)
        let counters = worker.stage.counters
        let records = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["event_type"] as? String == "policy" }
        return (records, counters)
    }

    static func tuple(_ r: [String: Any]) -> String {
        let ip = { (s: Any?) in IPAddress(s as? String ?? "")?.description ?? "?" }
        let port = { (p: Any?) in (p as? Int).map { ":\($0)" } ?? "" }
        return "\(r["proto"] as? String ?? "") \(ip(r["src_ip"]))\(port(r["src_port"])) > \(ip(r["dest_ip"]))\(port(r["dest_port"]))"
    }

    /// Flows no rule allows in mixed.pcap: the TLS sessions to beta and gamma (SNI outside the
    /// FQDN group, though the same address serves alpha), a connection to a port no rule
    /// names (81) and the ping. The IPv6 HTTP and DNS flows are allowed; IPv6 neighbour
    /// discovery and multicast listener reports are exempt.
    static let refused: Set<String> = [
        "TCP 10.77.0.1:52800 > 10.77.0.2:443", "TCP 10.77.0.1:52808 > 10.77.0.2:443",
        "TCP 10.77.0.1:56852 > 10.77.0.2:81", "ICMP 10.77.0.1 > 10.77.0.2",
    ]

    func testProtectDeniesExactlyTheUnlistedFlows() throws {
        let (records, counters) = try replay("mixed.pcap", Self.policy(mode: "protect"))
        let denied = Set(records.map(Self.tuple))
        XCTAssertEqual(denied, Self.refused)
        for r in records {
            let p = try XCTUnwrap(policyObject(r))
            XCTAssertEqual(p["action"] as? String, "deny")
            XCTAssertEqual(p["mode"] as? String, "protect")
            XCTAssertTrue(p["rule_id"] is NSNull, "the default denied it: \(r)")
        }
        // The TLS denials carry the name the verdict rests on.
        let snis = Set(records.compactMap { ($0["tls"] as? [String: Any])?["sni"] as? String })
        XCTAssertEqual(snis, ["beta.example.com", "gamma.example.com"])
        XCTAssertEqual(counters.denied, UInt64(records.count))
        XCTAssertGreaterThan(counters.droppedPackets, counters.denied)
        XCTAssertEqual(counters.resets, 2 * UInt64(records.filter { $0["proto"] as? String == "TCP" }.count))
        // Everything else was allowed: 6 HTTP (one over IPv6), 11 DNS (one over IPv6), alpha's TLS.
        XCTAssertEqual(counters.allowed, 18)
        XCTAssertGreaterThan(counters.exempt, 0, "neighbour discovery and multicast are not policed")
    }

    func testMonitorReportsTheSameFlowsAndDropsNothing() throws {
        let protect = try replay("mixed.pcap", Self.policy(mode: "protect"))
        let (records, counters) = try replay("mixed.pcap", Self.policy(mode: "monitor"))
        XCTAssertEqual(Set(records.map(Self.tuple)), Set(protect.records.map(Self.tuple)))
        XCTAssertTrue(records.allSatisfy { policyObject($0)?["action"] as? String == "violate" })
        XCTAssertEqual(counters.droppedPackets, 0)
        XCTAssertEqual(counters.denied, 0)
    }

    func testDiscoverAllowsAndReportsNothing() throws {
        let (records, counters) = try replay("mixed.pcap", Self.policy(mode: "discover"))
        XCTAssertEqual(records.count, 0)
        XCTAssertEqual(counters.droppedPackets, 0)
        XCTAssertGreaterThan(counters.learned, 0)
    }

    /// A rule naming an app holds the verdict until the app is known: redis on an allowed
    /// port is denied once detection says it is not HTTP.
    func testAllowedPortWrongAppIsDenied() throws {
        let policy = """
        version: 1
        mode: protect
        default: deny
        groups:
          clients: { cidrs: [10.77.0.0/24, "fd77::/64"] }
          web:     { cidrs: [10.77.0.2/32, "fd77::2/128"] }
        rules:
          - { id: 10, from: clients, to: web, ports: [tcp/6379], apps: [http], action: allow }
          - { id: 20, from: clients, to: web, ports: [tcp/6379], apps: [redis], action: deny }
        """
        let (records, counters) = try replay("l7-redis.pcap", policy)
        XCTAssertEqual(counters.denied, 16, "every redis-cli connection")
        XCTAssertTrue(records.allSatisfy { policyObject($0)?["rule_id"] as? Int == 20 })
        XCTAssertEqual(counters.allowed, 0)
    }

    /// Traffic on an interface whose workload the policy does not know gets the `unknown`
    /// action under the top-level mode, not the rules: never silently open, counted, logged.
    func testUnknownWorkloadGetsTheUnknownAction() throws {
        // Replayed frames carry interface 0: mark it as an interface of an unknown workload.
        let protect = try Self.replay("mixed.pcap", Self.policy(mode: "protect"), unknownInterfaces: 1)
        XCTAssertEqual(protect.counters.allowed, 0, "not even rule 10's HTTP flows pass")
        XCTAssertGreaterThan(protect.counters.unknownWorkload, 0)
        XCTAssertEqual(protect.counters.denied, protect.counters.unknownWorkload)
        XCTAssertTrue(protect.records.allSatisfy { policyObject($0)?["unknown_workload"] as? Bool == true })
        XCTAssertTrue(Self.refused.isSubset(of: Set(protect.records.map(Self.tuple))))
        // An explicit `unknown: allow` lets them through, still counted.
        let allow = try Self.replay("mixed.pcap", Self.policy(mode: "protect").replacingOccurrences(of: "default: deny", with: "default: deny\nunknown: allow"),
                                    unknownInterfaces: 1)
        XCTAssertEqual(allow.counters.denied, 0)
        XCTAssertEqual(allow.counters.allowed, allow.counters.unknownWorkload)
    }

    /// Real redis-cli traffic to port 80 (record-wrong-app.sh), beside a real HTTP request to
    /// the same port: rule 10 allows tcp/80 for app http only, so the redis flows, IPv4 and
    /// IPv6, fall to the default deny once their app is known, and the HTTP flow passes.
    func testNonHTTPOnTheHTTPPortIsDenied() throws {
        let r = try Self.replay("policy-wrong-app.pcap", Self.policy(mode: "protect"))
        XCTAssertEqual(Set(r.records.map(Self.tuple)), [
            "TCP 10.77.0.1:57352 > 10.77.0.2:80", "TCP 10.77.0.1:57356 > 10.77.0.2:80",
            "TCP 10.77.0.1:57372 > 10.77.0.2:80", "TCP fd77::1:53336 > fd77::2:80",
        ])
        XCTAssertTrue(r.records.allSatisfy { policyObject($0)?["rule_id"] is NSNull })
        XCTAssertEqual(r.counters.allowed, 1, "the curl request")
        XCTAssertEqual(r.counters.denied, 4)
    }
}
