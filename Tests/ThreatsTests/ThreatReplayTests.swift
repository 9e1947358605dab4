import Engine
import Enforce
import Foundation
import L7
import PacketIO
import Policy
import SluiceConfig
import Threats
import XCTest

/// Replays one generated attack capture per threat (Tests/Captures/threats/make-threats.py)
/// and asserts its threat fires, and the benign captures (many short HTTP connections, a
/// large DNS answer, TLS 1.3, pings, SSH 2, MySQL logins) fire none.
final class ThreatReplayTests: XCTestCase {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures/threats")

    struct Result {
        var counters: ThreatCounters
        var alerts: [[String: Any]]
    }

    /// Replays `name` through the L7 stage (or a policy stage over it) with EVE on.
    static func replay(_ name: String, config: ThreatConfig = ThreatConfig(), policy: String? = nil) throws -> Result {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-threats-\(getpid())-\((name as NSString).lastPathComponent).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let fd = open(out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var l7Config = L7Config()
        l7Config.threats = config
        var source = try PcapFile(path: captures.appendingPathComponent(name).path)
        let counters: ThreatCounters
        if let policy {
            let compiled = try CompiledPolicy(parsing: policy, file: "threat-policy.yaml")
            var worker = Worker(config: EngineConfig(), stage: PolicyStage(l7: L7Stage(config: l7Config, eveFD: fd), policy: compiled),
                                eveFD: fd)
            _ = try Replay.run(&source, through: &worker)
            worker.shutdown()
            counters = worker.stage.l7.threats.counters
        } else {
            var worker = Worker(config: EngineConfig(), stage: L7Stage(config: l7Config, eveFD: fd), eveFD: fd)
            _ = try Replay.run(&source, through: &worker)
            worker.shutdown()
            counters = worker.stage.threats.counters
        }
        close(fd)
        let alerts = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { ($0["alert"] as? [String: Any])?["gid"] as? Int == 3 }
        return Result(counters: counters, alerts: alerts)
    }

    static func fired(_ c: ThreatCounters) -> [String] {
        ThreatID.allCases.filter { c[$0] > 0 }.map { "\($0.name)" }
    }

    func testEachAttackCaptureFiresItsThreat() throws {
        var missed: [String] = []
        for id in ThreatID.allCases {
            let name = "attack-\(id.name).pcap"
            let r = try Self.replay(name)
            if r.counters[id] == 0 { missed.append("\(id.name) (fired: \(Self.fired(r.counters)))"); continue }
            let alert = try XCTUnwrap(r.alerts.first { ($0["alert"] as? [String: Any])?["signature_id"] as? Int == Int(id.rawValue) },
                                      "\(name): no alert record")
            let a = try XCTUnwrap(alert["alert"] as? [String: Any])
            XCTAssertEqual(a["category"] as? String, "threat")
            XCTAssertEqual(a["action"] as? String, "allowed", "no policy: alert only")
            XCTAssertEqual(a["signature"] as? String, "\(id.title)")
            XCTAssertEqual(sluiceObject(alert)?["threat"] as? String, "\(id.name)")
            XCTAssertNotNil(alert["src_ip"])
            XCTAssertEqual(alert["event_type"] as? String, "alert")
        }
        XCTAssertEqual(missed, [], "attack captures whose threat did not fire")
    }

    func testBenignCapturesFireNothing() throws {
        for name in ["benign-http.pcap", "benign-dns.pcap", "benign-tls.pcap", "benign-misc.pcap"] {
            let r = try Self.replay(name)
            XCTAssertEqual(Self.fired(r.counters), [], "\(name) fired threats")
            XCTAssertEqual(r.alerts.count, 0, "\(name)")
        }
    }

    /// The project's recordings of real programs (Tests/Captures/real: curl, dig, openssl,
    /// ping, gRPC, datastores, the sensor captures, TSO super-frames) fire no threat.
    func testRealCapturesFireNothing() throws {
        let real = Self.captures.deletingLastPathComponent().appendingPathComponent("real")
        let names = try FileManager.default.contentsOfDirectory(atPath: real.path).filter { $0.hasSuffix(".pcap") }.sorted()
        XCTAssertFalse(names.isEmpty)
        var fired: [String: [String]] = [:]
        for name in names {
            let r = try Self.replay("../real/\(name)")
            let f = Self.fired(r.counters)
            if !f.isEmpty { fired[name] = f }
        }
        XCTAssertEqual(fired, [:])
    }

    /// Captures of the real tools (record-live.sh): hping3's SYN flood, dig AXFR against
    /// dnsmasq, openssl s_client -tls1 against s_server; and curl, dig and TLS 1.3 that fire
    /// nothing.
    func testLiveToolCaptures() throws {
        let expected: [(String, ThreatID)] = [("live-syn-flood.pcap", .tcpSynFlood), ("live-axfr.pcap", .dnsZoneTransfer),
                                              ("live-tls10.pcap", .tlsOldVersion)]
        for (name, id) in expected {
            let r = try Self.replay(name)
            XCTAssertGreaterThan(r.counters[id], 0, "\(name): fired \(Self.fired(r.counters))")
        }
        let benign = try Self.replay("live-benign.pcap")
        XCTAssertEqual(Self.fired(benign.counters), [])
    }

    /// Attack captures fire only their own threat (besides threats their packets really also
    /// are: a flood's SYNs to one server are all new sessions, and so on).
    func testAttackCapturesFireNoUnrelatedThreat() throws {
        // The heartbleed capture negotiates TLS 1.1, which is a threat of its own.
        let alsoExpected: [ThreatID: Set<String>] = [.tlsHeartbleed: ["tls_old_version"]]
        for id in [ThreatID.tcpSynData, .tcpSplitHandshake, .tlsHeartbleed, .httpSmuggling, .dnsZoneTransfer, .sshVersion1] {
            let r = try Self.replay("attack-\(id.name).pcap")
            XCTAssertEqual(Set(Self.fired(r.counters)).subtracting(alsoExpected[id] ?? []), ["\(id.name)"])
        }
    }

    func testDisabledThreatDoesNotFire() throws {
        var c = ThreatConfig()
        c.enabled &= ~ThreatID.tcpSynFlood.bit
        let r = try Self.replay("attack-tcp_syn_flood.pcap", config: c)
        XCTAssertEqual(r.counters[.tcpSynFlood], 0)
    }

    /// Rate thresholds are node-wide: with 4 workers each compares against a quarter, so a
    /// worker seeing a quarter of a flood still reports it.
    func testWorkerShareOfThresholds() throws {
        var c = ThreatConfig()
        c.synFloodPerSecond = 4000
        XCTAssertEqual(try Self.replay("attack-tcp_syn_flood.pcap", config: c).counters[.tcpSynFlood], 0)
        var l7 = L7Config()
        l7.threats = c
        l7.workers = 4
        var source = try PcapFile(path: Self.captures.appendingPathComponent("attack-tcp_syn_flood.pcap").path)
        var worker = Worker(config: EngineConfig(), stage: L7Stage(config: l7), eveFD: -1)
        _ = try Replay.run(&source, through: &worker)
        XCTAssertGreaterThan(worker.stage.threats.counters[.tcpSynFlood], 0)
    }

    static func policy(mode: String) -> String {
        """
        version: 1
        mode: \(mode)
        default: allow
        groups:
          servers: { cidrs: [10.0.1.0/24] }
        workloads:
          servers: { group: servers, mode: \(mode) }
        rules: []
        """
    }

    /// In protect mode a blocking threat drops its packets (the flood's SYNs over the
    /// threshold, the heartbleed flow); in monitor mode it only says `would_block`.
    func testBlockHonorsWorkloadMode() throws {
        var c = ThreatConfig()
        c.blocking = ThreatID.tcpSynFlood.bit | ThreatID.tlsHeartbleed.bit
        let protect = try Self.replay("attack-tcp_syn_flood.pcap", config: c, policy: Self.policy(mode: "protect"))
        XCTAssertGreaterThan(protect.counters.drops, 0)
        XCTAssertEqual((protect.alerts.first?["alert"] as? [String: Any])?["action"] as? String, "blocked")
        let monitor = try Self.replay("attack-tcp_syn_flood.pcap", config: c, policy: Self.policy(mode: "monitor"))
        XCTAssertEqual(monitor.counters.drops, 0)
        XCTAssertGreaterThan(monitor.counters.wouldBlock, 0)
        let alert = try XCTUnwrap(monitor.alerts.first)
        XCTAssertEqual((alert["alert"] as? [String: Any])?["action"] as? String, "allowed")
        XCTAssertEqual(sluiceObject(alert)?["would_block"] as? Bool, true)
        let bleed = try Self.replay("attack-tls_heartbleed.pcap", config: c, policy: Self.policy(mode: "protect"))
        XCTAssertGreaterThan(bleed.counters.drops, 0)
        // Per-workload override: alert only for this workload.
        c.workloadActions["servers"] = (block: 0, alert: ThreatID.tcpSynFlood.bit)
        let overridden = try Self.replay("attack-tcp_syn_flood.pcap", config: c, policy: Self.policy(mode: "protect"))
        XCTAssertEqual(overridden.counters.drops, 0)
    }

    func testConfigParsesThreatsSection() throws {
        let s = try SluiceSettings.parse("""
            threats:
              disable: [tcp_small_window]
              actions: { default: alert, tcp_syn_flood: block }
              workloads:
                web: { tcp_syn_flood: alert, dns_tunneling: block }
              syn_flood_per_second: 5000
              dns_tunnel_entropy: 4.2
              slowloris_header_timeout: 30s
            """, file: "t.yaml")
        let t = s.l7.threats
        XCTAssertFalse(t.isEnabled(.tcpSmallWindow))
        XCTAssertEqual(t.blocking, ThreatID.tcpSynFlood.bit)
        XCTAssertEqual(t.blockMask(workload: "web"), ThreatID.dnsTunneling.bit)
        XCTAssertEqual(t.synFloodPerSecond, 5000)
        XCTAssertEqual(t.dnsTunnelEntropyCentibits, 420)
        XCTAssertEqual(t.slowlorisHeaderSeconds, 30)
        XCTAssertThrowsError(try SluiceSettings.parse("threats:\n  actions: { tcp_syn_flod: block }\n", file: "t.yaml")) { e in
            XCTAssertTrue("\(e)".contains("t.yaml:2"), "\(e)")
            XCTAssertTrue("\(e)".contains("unknown threat"), "\(e)")
        }
        XCTAssertThrowsError(try SluiceSettings.parse("threats:\n  icmp_flood_per_second: 0\n", file: "t.yaml"))
    }
}

/// An alert record's `sluice` object: an item of `metadata.flowvars`, where Suricata's EVE
/// schema allows extra data (docs/eve.md).
func sluiceObject(_ record: [String: Any]) -> [String: Any]? {
    let items = (record["metadata"] as? [String: Any])?["flowvars"] as? [[String: Any]] ?? []
    return items.lazy.compactMap { $0["sluice"] as? [String: Any] }.first
}
