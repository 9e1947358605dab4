import Codecs
import Foundation
import L7Core
import Telemetry
import Threats
import XCTest

/// Two workers' metrics as a daemon would publish them, and their labels.
enum Fixture {
    static func workers() -> [WorkerMetrics] {
        var a = WorkerMetrics(), b = WorkerMetrics()
        a.interfaces[1, .aToB] = DirectionTraffic(packets: 100, bytes: 150_000, forwarded: 97, dropped: 3)
        a.interfaces[1, .bToA] = DirectionTraffic(packets: 80, bytes: 8_000, forwarded: 80, dropped: 0)
        b.interfaces[1, .aToB] = DirectionTraffic(packets: 50, bytes: 50_000, forwarded: 50, dropped: 0)
        b.interfaces.record(iface: 2, direction: .aToB, bytes: 60, forwarded: false)
        b.interfaces.record(iface: 7, direction: .bToA, bytes: 1514, forwarded: true)  // not named in the labels
        a.interfaces.kernelDrops[1] = 4
        b.interfaces.kernelDrops[2] = 1
        a[drops: .policyDeny] = 2
        a[drops: .truncated] = 1
        b[drops: .sensorBlock] = 6
        a.flowsActive = 10; b.flowsActive = 5
        a.flowsCreated = 30; b.flowsCreated = 12
        a.flowsTimedOut = 20
        a.flowsCapacity = 1024; b.flowsCapacity = 1024
        a[parserPoolExhausted: .http] = 3; b[parserPoolExhausted: .http] = 4
        b.sensorScannersExhausted = 5
        a.flowsByApp.bump(Int(AppProto.http.rawValue))
        a.flowsByApp.bump(Int(AppProto.http.rawValue))
        b.flowsByApp.bump(Int(AppProto.tls.rawValue))
        a[verdicts: .allow] = 25; b[verdicts: .allow] = 10
        a[verdicts: .deny] = 3
        b[verdicts: .unknown] = 2
        a.ruleHits.record(1, count: 20)
        a.ruleHits.record(2, count: 5)
        b.ruleHits.record(2, count: 10)
        a.defaultRuleHits = 3
        b.sensorMatches.record(1001, count: 6)
        a.sensorMatches.record(2002)
        a.decode.malformed.bump(Int(DecodeError.tcpTruncated.rawValue))
        a.threats.detections.bump(ThreatID.tcpSynFlood.index)
        b.threats.detections.bump(ThreatID.tcpSynFlood.index)
        b.threats.drops = 9
        b.decode.malformed.bump(Int(DecodeError.tcpTruncated.rawValue))
        b.decode.malformed.bump(Int(DecodeError.ipv4BadVersion.rawValue))
        a.defrag.fragments = 8; a.defrag.reassembled = 3; b.defrag.fragments = 2; b.defrag.timeouts = 1
        a.stream.segments = 400; a.stream.outOfOrder = 9; b.stream.gaps = 2; b.stream.gapBytes = 1400
        a.busy.add(busy: 250_000_000); a.busy.add(idle: 750_000_000)
        b.busy.add(busy: 100_000_000); b.busy.add(idle: 300_000_000)
        for ns: UInt64 in [50, 700, 700, 3000] { a.latency.record(nanos: ns) }
        for ns: UInt64 in [90, 2_000_000_000] { b.latency.record(nanos: ns) }
        return [a, b]
    }

    static let labels = MetricsLabels(
        interfaces: [.init(index: 1, name: "web \"front\"", directions: ["eth0_to_eth1", "eth1_to_eth0"]),
                     .init(index: 2, name: "mirror", directions: ["in"])],
        ruleDescription: { $0 == 1 ? "allow web -> db tcp/5432" : nil },
        sensorRule: { $0 == 1001 ? (sensor: "pii", rule: "credit card\\number\nvisa") : nil })
}

final class PrometheusTextTests: XCTestCase {
    func testRenderedLines() {
        let text = PrometheusText.render(workers: Fixture.workers(), labels: Fixture.labels)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let expected = [
            "# TYPE sluice_packets_total counter",
            #"sluice_packets_total{interface="web \"front\"",direction="eth0_to_eth1"} 150"#,
            #"sluice_bytes_total{interface="web \"front\"",direction="eth0_to_eth1"} 200000"#,
            #"sluice_packets_dropped_total{interface="web \"front\"",direction="eth0_to_eth1"} 3"#,
            #"sluice_packets_total{interface="mirror",direction="in"} 1"#,
            #"sluice_packets_total{interface="7",direction="b_to_a"} 1"#,
            #"sluice_kernel_drops_total{interface="web \"front\""} 4"#,
            #"sluice_drops_total{reason="sensor_block"} 6"#,
            "sluice_flows_active 15",
            "# TYPE sluice_flows_active gauge",
            "sluice_flows_created_total 42",
            "sluice_flows_capacity 2048",
            "# TYPE sluice_flows_capacity gauge",
            #"sluice_parser_pool_exhausted_total{parser="http"} 7"#,
            #"sluice_parser_pool_exhausted_total{parser="tls"} 0"#,
            "sluice_sensor_scanners_exhausted_total 5",
            #"sluice_threats_total{threat="tcp_syn_flood"} 2"#,
            #"sluice_threats_total{threat="dns_tunneling"} 0"#,
            "sluice_threat_drops_total 9",
            #"sluice_flows_by_app_total{app="http"} 2"#,
            #"sluice_policy_verdicts_total{action="allow"} 35"#,
            #"sluice_policy_rule_hits_total{rule_id="2",rule=""} 15"#,
            #"sluice_policy_rule_hits_total{rule_id="default",rule=""} 3"#,
            #"sluice_sensor_matches_total{sensor="pii",rule_id="1001",rule="credit card\\number\nvisa"} 6"#,
            #"sluice_decode_errors_total{reason="tcp_truncated"} 2"#,
            "sluice_fragments_total 10",
            "sluice_tcp_gap_bytes_total 1400",
            #"sluice_worker_busy_ratio{worker="0"} 0.25"#,
            #"sluice_worker_busy_seconds_total{worker="1"} 0.1"#,
            "# TYPE sluice_packet_processing_seconds histogram",
            #"sluice_packet_processing_seconds_bucket{le="6.4e-08"} 1"#,
            #"sluice_packet_processing_seconds_bucket{le="1.024e-06"} 4"#,
            #"sluice_packet_processing_seconds_bucket{le="+Inf"} 6"#,
            "sluice_packet_processing_seconds_count 6",
        ]
        for e in expected { XCTAssertTrue(lines.contains(e), "missing line: \(e)") }
    }

    /// The exposition parses with the Prometheus project's own Python parser, and the values
    /// it reads are the workers' sums.
    func testParsesWithPrometheusClient() throws {
        let python = try prometheusPython()
        let text = PrometheusText.render(workers: Fixture.workers(), labels: Fixture.labels)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-metrics-\(getpid()).txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for f in text_string_to_metric_families(open(sys.argv[1]).read()):
            for s in f.samples:
                out.append([f.name, f.type, s.name, s.labels, s.value])
        print(json.dumps(out))
        """
        let r = try exec(python, ["-c", script, file.path])
        XCTAssertEqual(r.status, 0, r.err)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[Any]])
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]
        for row in rows {
            let family = row[0] as! String, type = row[1] as! String, name = row[2] as! String
            let labels = (row[3] as! [String: String]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            samples[name + "{" + labels + "}"] = (row[4] as! NSNumber).doubleValue
            types[family] = type
        }
        print("prometheus_client parsed \(rows.count) samples in \(types.count) families")
        XCTAssertEqual(types["sluice_packets"], "counter")
        XCTAssertEqual(types["sluice_flows_active"], "gauge")
        XCTAssertEqual(types["sluice_packet_processing_seconds"], "histogram")
        XCTAssertEqual(types["sluice_worker_busy_ratio"], "gauge")
        let expected: [String: Double] = [
            "sluice_packets_total{direction=eth0_to_eth1,interface=web \"front\"}": 150,
            "sluice_packets_total{direction=eth1_to_eth0,interface=web \"front\"}": 80,
            "sluice_bytes_total{direction=eth0_to_eth1,interface=web \"front\"}": 200_000,
            "sluice_packets_forwarded_total{direction=eth0_to_eth1,interface=web \"front\"}": 147,
            "sluice_packets_dropped_total{direction=in,interface=mirror}": 1,
            "sluice_kernel_drops_total{interface=mirror}": 1,
            "sluice_drops_total{reason=policy_deny}": 2,
            "sluice_drops_total{reason=truncated}": 1,
            "sluice_drops_total{reason=fail_closed}": 0,
            "sluice_flows_active{}": 15,
            "sluice_flows_created_total{}": 42,
            "sluice_flows_ended_total{reason=timeout}": 20,
            "sluice_flows_by_app_total{app=tls}": 1,
            "sluice_policy_verdicts_total{action=deny}": 3,
            "sluice_policy_verdicts_total{action=unknown}": 2,
            "sluice_policy_rule_hits_total{rule=allow web -> db tcp/5432,rule_id=1}": 20,
            "sluice_policy_rule_hits_total{rule=,rule_id=2}": 15,
            "sluice_sensor_matches_total{rule=credit card\\number\nvisa,rule_id=1001,sensor=pii}": 6,
            "sluice_sensor_matches_total{rule=,rule_id=2002,sensor=}": 1,
            "sluice_decode_errors_total{reason=ipv4_bad_version}": 1,
            "sluice_fragments_total{}": 10,
            "sluice_fragment_datagrams_reassembled_total{}": 3,
            "sluice_fragment_timeouts_total{}": 1,
            "sluice_tcp_segments_total{}": 400,
            "sluice_tcp_out_of_order_segments_total{}": 9,
            "sluice_worker_busy_ratio{worker=0}": 0.25,
            "sluice_worker_busy_ratio{worker=1}": 0.25,
            "sluice_worker_idle_seconds_total{worker=0}": 0.75,
            "sluice_packet_processing_seconds_bucket{le=6.4e-08}": 1,
            "sluice_packet_processing_seconds_bucket{le=1.28e-07}": 2,
            "sluice_packet_processing_seconds_bucket{le=1.024e-06}": 4,
            "sluice_packet_processing_seconds_bucket{le=4.096e-06}": 5,
            "sluice_packet_processing_seconds_bucket{le=1.073741824}": 5,
            "sluice_packet_processing_seconds_bucket{le=+Inf}": 6,
            "sluice_packet_processing_seconds_count{}": 6,
            "sluice_packet_processing_seconds_sum{}": 2.000004540,
        ]
        for (k, v) in expected {
            guard let got = samples[k] else { XCTFail("parser did not return \(k)"); continue }
            XCTAssertEqual(got, v, accuracy: 1e-9, k)
        }
    }

    func testEscaping() {
        XCTAssertEqual(PrometheusWriter.escapeLabel(#"a\b"c"# + "\nd"), #"a\\b\"c\nd"#)
        XCTAssertEqual(PrometheusWriter.escapeHelp(#"a\b"c"# + "\nd"), #"a\\b"c\nd"#)
        XCTAssertEqual(PrometheusWriter.escapeLabel("plain"), "plain")
        XCTAssertEqual(PrometheusWriter.format(.infinity), "+Inf")
        XCTAssertEqual(PrometheusWriter.format(-.infinity), "-Inf")
        XCTAssertEqual(PrometheusWriter.format(.nan), "NaN")
        XCTAssertEqual(PrometheusWriter.format(0.5), "0.5")
    }

    /// The scrape-side cost: reading a board of 4 workers and rendering it.
    func testRenderCost() {
        let board = MetricsBoard(workers: 4)
        let ws = Fixture.workers()
        for (i, s) in board.slots.enumerated() { s.publish(ws[i % 2]) }
        let n = 200
        let t0 = MonotonicClock.nanos()
        var bytes = 0
        for _ in 0..<n { bytes = PrometheusText.render(workers: board.read(), labels: Fixture.labels).utf8.count }
        let t1 = MonotonicClock.nanos()
        print(String(format: "scrape (read 4 slots + render %d bytes): %.0f us", bytes, Double(t1 - t0) / Double(n) / 1000))
    }
}
