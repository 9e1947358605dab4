#if os(Linux)
import Foundation
import Glibc
import XCTest

/// `sluice run` with `io: dpdk` and a tap on a net_pcap vdev reading a capture: the daemon's
/// two workers write the same alert, http and policy records as `sluice replay` of that
/// capture under the same policy (the sensors run through the workload's bindings; flow
/// records differ: the daemon times flows out by the clock, replay ends them at shutdown).
final class DPDKTapTests: XCTestCase {
    func testDPDKTapOnNetPcapWritesReplaysAlertsHTTPAndPolicy() throws {
        guard FileManager.default.fileExists(atPath: "/usr/include/dpdk/rte_ethdev.h") else {
            throw XCTSkip("libdpdk-dev is not installed")
        }
        guard getuid() == 0 else { throw XCTSkip("EAL needs root here") }
        let sluice = try SluiceBinary.require()
        let dir = NSTemporaryDirectory() + "sluice-dpdk-tap-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let capture = "\(DPDKReplayTests.captures)/sensors-attacks.pcap"
        let config = """
            io: dpdk
            workers: 2
            interfaces:
              - { name: cap, mode: tap, interface: net_pcap0, workload: web }
            dpdk:
              eal: [--no-huge, -m, "512", --no-pci, "--vdev=net_pcap0,rx_pcap=\(capture)"]
            policy: \(dir)/policy.yaml
            eve_limit: { per_source: 0 }
            eve: \(dir)/tap.json

            """
        try config.write(toFile: "\(dir)/sluice.yaml", atomically: true, encoding: .utf8)
        try DPDKReplayTests.policy.write(toFile: "\(dir)/policy.yaml", atomically: true, encoding: .utf8)
        let run = sh("timeout -s TERM 6 '\(sluice)' run --config '\(dir)/sluice.yaml'")
        XCTAssertTrue(run.output.contains("ready"), run.output)
        let replay = sh("'\(sluice)' replay '\(capture)' --policy '\(dir)/policy.yaml' --eve '\(dir)/replay.json'")
        XCTAssertEqual(replay.status, 0, replay.output)

        func keys(_ path: String, _ type: String) throws -> [String] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return try text.split(separator: "\n").compactMap { line -> String? in
                guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      o["event_type"] as? String == type else { return nil }
                let alert = (o["alert"] as? [String: Any])?["signature_id"].map { "\($0)" } ?? ""
                let url = (o["http"] as? [String: Any])?["url"] as? String ?? ""
                return "\(o["timestamp"] ?? "") \(o["src_port"] ?? "") \(o["dest_port"] ?? "") \(alert) \(url)"
            }.sorted()
        }
        for type in ["alert", "http", "policy"] {
            let a = try keys("\(dir)/replay.json", type), b = try keys("\(dir)/tap.json", type)
            XCTAssertFalse(a.isEmpty, "replay wrote no \(type) records")
            XCTAssertEqual(a, b, "\(type) records differ; daemon log:\n\(run.output)")
        }
    }
}
#endif
