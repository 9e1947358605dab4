#if os(Linux)
import Foundation
import XCTest

/// Discover → review → monitor → protect on real traffic, as a user adopts a policy: the
/// daemon in discover mode learns what the workload does (HTTP over IPv4 and IPv6, DNS, ping),
/// `sluice ctl policy learned --merge-into` turns it into rules inside the user's policy, the
/// merged policy is pushed, and the workload moves to monitor (the same traffic: no violation)
/// and then protect (the same traffic passes, anything else is denied).
final class DiscoverWalkthroughTests: XCTestCase {
    static let discoverPolicy = """
        version: 1
        mode: discover
        default: deny
        groups:
          clients: { cidrs: [10.98.0.1/32, "fd98::1/128"] }
          web:     { cidrs: [10.98.0.2/32, "fd98::2/128"] }
        workloads:
          web: { group: web, mode: discover, sensors: [waf-core] }
        rules:

        """

    func ctl(_ bed: Bed, _ args: String) -> (status: Int32, output: String, seconds: Double) {
        bed.exec(bed.middle, "'\(SluiceBinary.path)' ctl \(args) --socket '\(bed.dir)/api.sock' --token-file '\(bed.dir)/token'")
    }

    /// The workload's everyday traffic; every step must succeed.
    func everyday(_ bed: Bed, _ sluice: Daemon, _ step: String) {
        for url in ["http://10.98.0.2/hello.txt", "http://[fd98::2]/hello.txt"] {
            let r = bed.curl(url)
            expect(r.status == 0, "\(step): \(url): \(r)", sluice)
        }
        let d = bed.dig("www.example.test")
        expect(d.status == 0 && !d.output.isEmpty, "\(step): dig: \(d)", sluice)
        let p = bed.exec(bed.client, "ping -c 1 -W 2 10.98.0.2")
        expect(p.status == 0, "\(step): ping: \(p)", sluice)
    }

    func testDiscoverReviewMonitorProtect() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.startHTTP(port: 9999)
        try bed.startDNS()
        try bed.write("token", "t-\(UInt64.random(in: 1...UInt64.max))\n")
        let policyFile = try bed.write("policy.yaml", Self.discoverPolicy)
        let sluice = try Daemon(bed, interfaces: [inlinePair], extra: APITests.api)

        // Discover: everything passes and is learned as it is seen.
        everyday(bed, sluice, "discover")
        usleep(300_000)
        let learned = ctl(bed, "policy learned")
        XCTAssertEqual(learned.status, 0, learned.output)
        print("learned policy:\n\(learned.output)")
        for rule in ["ports: [tcp/80], apps: [http]", "ports: [udp/53], apps: [dns]", "ports: [icmp]"] {
            XCTAssertTrue(learned.output.contains("from: clients, to: web, \(rule)"), "learned lacks \(rule):\n\(learned.output)")
        }

        // Review: merged into the user's file, which keeps its groups, workload and bindings.
        let merged = ctl(bed, "policy learned --merge-into '\(policyFile)'")
        XCTAssertEqual(merged.status, 0, merged.output)
        let mergedFile = try bed.write("merged.yaml", merged.output.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .joined(separator: "\n") + "\n")
        print("merged policy:\n\(merged.output)")
        XCTAssertTrue(merged.output.contains("\"web\": { group: \"web\", mode: discover, sensors: [\"waf-core\"] }"), merged.output)
        let push = ctl(bed, "policy push '\(mergedFile)'")
        XCTAssertEqual(push.status, 0, push.output)

        // Monitor: the everyday traffic is allowed by the learned rules: no violation.
        XCTAssertEqual(ctl(bed, "workload web --mode monitor").status, 0)
        let before = sluice.records("policy").count
        everyday(bed, sluice, "monitor")
        let other = bed.curl("http://10.98.0.2:9999/")
        expect(other.status == 0, "monitor mode passes an unlearned port: \(other)", sluice)
        usleep(500_000)
        let monitorRecords = sluice.records("policy").dropFirst(before)
        let violations = monitorRecords.filter { sluiceField($0, "policy", "action") == "violate" }
        expect(violations.allSatisfy { field($0, "dest_port") == "9999" } && violations.count >= 1,
               "monitor: only the unlearned port may violate: \(violations)", sluice)

        // Protect: the same traffic passes, the unlearned port is reset at its SYN.
        XCTAssertEqual(ctl(bed, "workload web --mode protect").status, 0)
        everyday(bed, sluice, "protect")
        let denied = bed.curl("http://10.98.0.2:9999/")
        expect(denied.status == 7, "protect: the unlearned port must be reset (curl 7): \(denied)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let denies = sluice.records("policy").filter { sluiceField($0, "policy", "action") == "deny" }
        expect(denies.count >= 1 && denies.allSatisfy { field($0, "dest_port") == "9999" },
               "protect: only the unlearned port is denied: \(denies)", sluice)
    }
}
#endif
