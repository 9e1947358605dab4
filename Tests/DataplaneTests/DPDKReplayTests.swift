#if os(Linux)
import Foundation
import Glibc
import XCTest

/// The same capture through DPDK's net_pcap driver (`sluice replay --dpdk`) and through
/// libpcap (`sluice replay`) gives the same EVE records: flows, app records, alerts and
/// policy verdicts, timestamps included. Each run is its own `sluice` process, because DPDK's
/// EAL starts only once per process.
final class DPDKReplayTests: XCTestCase {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures/real").path

    /// A policy for the captures' 10.78.0.0/24 bed in monitor mode that allows HTTP to .2 on
    /// port 8080 only, with the WAF and DLP sensors bound: the port-80 flows are violations
    /// (policy records) yet still inspected (alerts).
    static let policy = """
        version: 1
        mode: monitor
        default: deny
        groups:
          clients: { cidrs: [10.78.0.0/24] }
          web: { cidrs: [10.78.0.2/32] }
        workloads:
          web: { group: web, mode: monitor, sensors: [dlp-pii, waf-core] }
        rules:
          - { id: 10, from: clients, to: web, ports: [tcp/8080], apps: [http], action: allow }
        """

    func records(_ path: String) throws -> [String: [String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var byType: [String: [String]] = [:]
        for line in text.split(separator: "\n") {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            let type = object["event_type"] as? String ?? "?"
            // Canonical form: keys sorted, so field order cannot make two equal records differ.
            let canonical = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            byType[type, default: []].append(String(decoding: canonical, as: UTF8.self))
        }
        return byType
    }

    func compare(_ capture: String, policy: Bool, expecting types: [String]) throws {
        guard FileManager.default.fileExists(atPath: "/usr/include/dpdk/rte_ethdev.h") else {
            throw XCTSkip("libdpdk-dev is not installed")
        }
        let sluice = try SluiceBinary.require()
        let dir = NSTemporaryDirectory() + "sluice-dpdk-replay-\(getpid())-\(capture)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var extra = ""
        if policy {
            try Self.policy.write(toFile: "\(dir)/policy.yaml", atomically: true, encoding: .utf8)
            extra = "--policy '\(dir)/policy.yaml'"
        }
        let file = "\(Self.captures)/\(capture).pcap"
        let plain = sh("'\(sluice)' replay '\(file)' \(extra) --eve '\(dir)/pcap.json'")
        XCTAssertEqual(plain.status, 0, plain.output)
        let dpdk = sh("'\(sluice)' replay '\(file)' \(extra) --dpdk --eve '\(dir)/dpdk.json'")
        XCTAssertEqual(dpdk.status, 0, dpdk.output)
        let a = try records("\(dir)/pcap.json")
        let b = try records("\(dir)/dpdk.json")
        for t in types { XCTAssertFalse(a[t, default: []].isEmpty, "\(capture): no \(t) records to compare") }
        XCTAssertEqual(Set(a.keys), Set(b.keys), capture)
        for (type, records) in a {
            XCTAssertEqual(records, b[type] ?? [], "\(capture): \(type) records differ")
        }
    }

    func testDPDKReplayOfAttacksMatchesLibpcapWithPolicyAndSensors() throws {
        try compare("sensors-attacks", policy: true, expecting: ["flow", "http", "alert", "policy"])
    }

    func testDPDKReplayOfDNSAndTLSMatchesLibpcap() throws {
        try compare("l7-dns-tls", policy: false, expecting: ["flow", "dns", "tls"])
    }

    func testDPDKReplayOfGSOFramesMatchesLibpcap() throws {
        // Super-frames longer than an mbuf: net_pcap chains them, the source reads them whole.
        try compare("mixed-gso", policy: false, expecting: ["flow"])
    }

    func testDPDKReplayWithMisspeltVdevSaysSo() throws {
        guard FileManager.default.fileExists(atPath: "/usr/include/dpdk/rte_ethdev.h") else {
            throw XCTSkip("libdpdk-dev is not installed")
        }
        let sluice = try SluiceBinary.require()
        let r = sh("'\(sluice)' replay '\(Self.captures)/mixed.pcap' --dpdk --dpdk-eal=--vdev=net_pcpa1,rx_pcap=/dev/null")
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("misspelt driver"), r.output)
    }
}
#endif
