import Dataplane
import Foundation
import XCTest

/// The daemon config: the documented examples load as written; mistakes name file and line.
final class DaemonConfigTests: XCTestCase {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../configs").standardized

    func testDocumentedExamplesLoad() throws {
        for name in ["sidecar.yaml", "node.yaml"] {
            let c = try DaemonConfig.load(path: Self.configs.appendingPathComponent(name).path)
            XCTAssertFalse(c.interfaces.isEmpty, name)
            XCTAssertEqual(c.io, "af_packet")
        }
        let c = try DaemonConfig.parse("""
            io: af_packet
            workers: 2
            interfaces:
              - { name: web, mode: inline, pair: [veth-host, veth-pod], workload: web }
              - { name: mirror, mode: tap, interface: veth-x }
            policy: /etc/sluice/policy.yaml
            sensors: [dlp-pii, dlp-secrets, waf-core]
            eve: /var/log/sluice/eve.json
            fail: open
            """, file: "/etc/sluice/sluice.yaml")
        XCTAssertEqual(c.workers, 2)
        XCTAssertEqual(c.interfaces.map(\.name), ["web", "mirror"])
        XCTAssertEqual(c.interfaces[0].pair, ["veth-host", "veth-pod"])
        XCTAssertEqual(c.interfaces[0].workload, "web")
        XCTAssertEqual(c.interfaces[1].interface, "veth-x")
        XCTAssertEqual(c.policyPath, "/etc/sluice/policy.yaml")
        XCTAssertTrue(c.failOpen)
    }

    func testErrorsNameLineAndKey() {
        func error(_ text: String) -> String {
            do { _ = try DaemonConfig.parse(text, file: "d.yaml"); return "no error" } catch { return error.description }
        }
        XCTAssertTrue(error("workers: 2\n").contains("interfaces"))
        let pair = error("interfaces:\n  - { name: a, mode: inline, pair: [x] }\n")
        XCTAssertTrue(pair.contains("d.yaml:2") && pair.contains("pair"), pair)
        let twice = error("interfaces:\n  - { name: a, mode: tap, interface: x }\n  - { name: b, mode: inline, pair: [x, y] }\n")
        XCTAssertTrue(twice.contains("d.yaml:3") && twice.contains("x is attached twice"), twice)
        XCTAssertTrue(error("io: pcap\ninterfaces:\n  - { name: a, mode: tap, interface: x }\n").contains("pcap is for `sluice replay`"))
        XCTAssertTrue(error("io: dpdk\ndpdk: { mbufs: 10 }\ninterfaces:\n  - { name: a, mode: inline, pair: [x, y] }\n").contains("mbufs"))
        XCTAssertTrue(error("fail: maybe\ninterfaces:\n  - { name: a, mode: tap, interface: x }\n").contains("open or closed"))
        XCTAssertTrue(error("interfaces:\n  - { name: a, mode: bridge, interface: x }\n").contains("inline or tap"))
    }

    /// Worker scheduling: not pinned and no busy-polling unless configured; bad values
    /// name their key and line.
    func testDPDKSettings() throws {
        let text = """
            io: dpdk
            workers: 2
            dpdk: { eal: [--no-huge, -m, "512", "--vdev=net_af_packet0,iface=ma,qpairs=2"], mbufs: 8191, ring_size: 512 }
            interfaces:
              - { name: pod, mode: inline, pair: [net_af_packet0, net_af_packet1] }
            """
        let c = try DaemonConfig.parse(text, file: "d.yaml")
        XCTAssertEqual(c.io, "dpdk")
        XCTAssertEqual(c.dpdk.eal, ["--no-huge", "-m", "512", "--vdev=net_af_packet0,iface=ma,qpairs=2"])
        XCTAssertEqual(c.dpdk.mbufs, 8191)
        XCTAssertEqual(c.dpdk.ringSize, 512)
        XCTAssertNil(try DaemonConfig.parse("interfaces:\n  - { name: a, mode: tap, interface: x }\n", file: "d.yaml").dpdk.eal)
        let tap = try DaemonConfig.parse("io: dpdk\ninterfaces:\n  - { name: a, mode: tap, interface: net_pcap0 }\n", file: "d.yaml")
        XCTAssertEqual(tap.interfaces.first?.interface, "net_pcap0")
    }

    func testWorkerScheduling() throws {
        let base = "interfaces:\n  - { name: web, mode: tap, interface: veth-x }\n"
        let d = try DaemonConfig.parse(base, file: "d.yaml")
        XCTAssertNil(d.cpuAffinity)
        XCTAssertEqual(d.busyPollMicroseconds, 0)
        let c = try DaemonConfig.parse(base + "cpu_affinity: [2, 3]\nbusy_poll_us: 200\n", file: "d.yaml")
        XCTAssertEqual(c.cpuAffinity, [2, 3])
        XCTAssertEqual(c.busyPollMicroseconds, 200)
        for (bad, key) in [("cpu_affinity: [-1]", "cpu_affinity"), ("cpu_affinity: []", "cpu_affinity"),
                           ("cpu_affinity: 3", "cpu_affinity"), ("busy_poll_us: 1000000", "busy_poll_us")] {
            XCTAssertThrowsError(try DaemonConfig.parse(base + bad + "\n", file: "d.yaml"), bad) { e in
                XCTAssertTrue("\(e)".contains(key) && "\(e)".contains("d.yaml:3"), "\(bad): \(e)")
            }
        }
    }

    /// The limits against abuse: API and metrics connections, capture counts, the EVE bound;
    /// a value out of range names its key.
    func testAbuseLimits() throws {
        let base = "interfaces:\n  - { name: web, mode: tap, interface: veth-x }\n"
        let c = try DaemonConfig.parse(base + """
            api: { socket: api.sock, token_file: token, max_connections: 32, request_timeout_ms: 2500 }
            metrics: { listen: 127.0.0.1:9100, max_connections: 8 }
            captures: { directory: caps, max_running: 2, max_kept: 5 }
            eve_limit: { per_source: 5, per_worker: 100, window_ms: 500 }
            """, file: "/etc/sluice/sluice.yaml")
        XCTAssertEqual(c.apiMaxConnections, 32)
        XCTAssertEqual(c.apiRequestTimeoutMs, 2500)
        XCTAssertEqual(c.metricsMaxConnections, 8)
        XCTAssertEqual(c.captureMaxRunning, 2)
        XCTAssertEqual(c.captureMaxKept, 5)
        XCTAssertEqual(c.eveLimit.perSource, 5)
        XCTAssertEqual(c.eveLimit.perWorker, 100)
        XCTAssertEqual(c.eveLimit.windowNanos, 500_000_000)
        let d = try DaemonConfig.parse(base, file: "x.yaml")
        XCTAssertEqual(d.apiMaxConnections, 256)
        XCTAssertEqual(d.eveLimit.perSource, 20)
        for (text, key) in [("api: { socket: a, token_file: t, max_connections: 0 }", "max_connections"),
                            ("eve_limit: { per_source: -1 }", "per_source"),
                            ("captures: { max_running: 1000 }", "max_running")] {
            XCTAssertThrowsError(try DaemonConfig.parse(base + text, file: "x.yaml")) { e in
                XCTAssertTrue("\(e)".contains(key), "\(e)")
            }
        }
    }
}
