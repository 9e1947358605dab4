#if os(Linux)
import Foundation
import XCTest

/// A built-in sensor bound to a workload with `action: block` blocks in protect mode and only
/// alerts (with `would_block`) in monitor mode; `disable` turns a noisy rule off for the
/// workload without copying the set; rule hit counters survive a push that keeps rule ids.
/// All on one daemon, the policy pushed through the API between steps, as an operator would.
final class SensorBindingTests: XCTestCase {
    let attack = "http://10.98.0.2/?q=1%27%20union%20select%20null--"

    func policy(mode: String, binding: String) -> String {
        protectPolicy(mode: mode, sensors: [binding])
    }

    func ctl(_ bed: Bed, _ args: String) -> (status: Int32, output: String, seconds: Double) {
        bed.exec(bed.middle, "'\(SluiceBinary.path)' ctl \(args) --socket '\(bed.dir)/api.sock' --token-file '\(bed.dir)/token'")
    }

    func metric(_ bed: Bed, _ name: String) -> Double {
        bed.exec(bed.middle, "curl -s http://127.0.0.1:19101/metrics").output.split(separator: "\n")
            .filter { $0.hasPrefix(name) }.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }

    func testBlockBindingBlocksInProtectAlertsInMonitorAndDisableSilencesARule() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let web = try bed.startHTTP()
        try bed.write("token", "t-\(UInt64.random(in: 1...UInt64.max))\n")
        try bed.write("policy.yaml", policy(mode: "protect", binding: "{ name: waf-core, action: block }"))
        let sluice = try Daemon(bed, interfaces: [inlinePair], extra: APITests.api)

        // 1. Protect, waf-core bound with action block: the built-in rule (its own action is
        // alert) blocks the request before the server sees it.
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0)
        let blocked = bed.curl(attack)
        print("protect + block binding: curl exit \(blocked.status)")
        expect(blocked.status == 56 || blocked.status == 52, "expected a reset (curl 56 or 52): \(blocked)", sluice)
        usleep(300_000)
        expect(!web.text.lowercased().contains("union"), "the server logged the attack: \(web.text)", sluice)
        let hitsBefore = metric(bed, "sluice_policy_rule_hits_total{rule_id=\"10\"")
        XCTAssertGreaterThanOrEqual(hitsBefore, 2, "rule 10 allowed both requests")

        // 2. The same policy in monitor mode: the attack is served, the alert says allowed and
        // would_block. Rule 10 keeps its id, so its hit counter carries over.
        try bed.write("monitor.yaml", policy(mode: "monitor", binding: "{ name: waf-core, action: block }"))
        XCTAssertEqual(ctl(bed, "policy push '\(bed.dir)/monitor.yaml'").status, 0)
        usleep(400_000)  // workers publish their counters every 100 ms
        let hitsAfterPush = metric(bed, "sluice_policy_rule_hits_total{rule_id=\"10\"")
        let served = bed.curl(attack)
        print("monitor + block binding: curl exit \(served.status)")
        expect(served.status == 0, "monitor mode must not block: \(served)", sluice)
        usleep(300_000)
        expect(web.text.lowercased().contains("union"), "the server did not get the attack in monitor mode: \(web.text)", sluice)
        XCTAssertGreaterThanOrEqual(metric(bed, "sluice_sensor_would_block_total"), 1)

        // 3. Protect again, with the rules that fired disabled for this workload: served, no alert.
        let fired = Set(sluice.records("alert").filter { field($0, "alert", "category") == "waf-core" }
            .compactMap { field($0, "alert", "signature_id") })
        XCTAssertTrue(fired.contains("1000201"), "waf-core's UNION SELECT rule fired: \(fired)")
        let disable = fired.sorted().joined(separator: ", ")
        try bed.write("trusted.yaml", policy(mode: "protect", binding: "{ name: waf-core, action: block, disable: [\(disable)] }"))
        XCTAssertEqual(ctl(bed, "policy push '\(bed.dir)/trusted.yaml'").status, 0)
        let alertsBefore = sluice.records("alert").count
        let trusted = bed.curl(attack)
        expect(trusted.status == 0, "the disabled rules still blocked: \(trusted)", sluice)
        usleep(300_000)
        XCTAssertGreaterThanOrEqual(metric(bed, "sluice_sensor_disabled_matches_total"), 1)
        // A binding naming a rule the sensor does not have is refused, and the policy in force stays.
        try bed.write("bad.yaml", policy(mode: "protect", binding: "{ name: waf-core, action: block, disable: [4242] }"))
        let bad = ctl(bed, "policy push '\(bed.dir)/bad.yaml'")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("no rule 4242"), bad.output)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let alerts = sluice.records("alert").filter { field($0, "alert", "category") == "waf-core" }
        expect(alerts.contains { field($0, "alert", "action") == "blocked" && field($0, "alert", "signature_id") == "1000201" },
               "no blocked 1000201 alert in protect mode: \(alerts)", sluice)
        expect(alerts.contains { field($0, "alert", "action") == "allowed" && sluiceField($0, "sluice", "would_block") == "1" },
               "no allowed alert with would_block in monitor mode: \(alerts)", sluice)
        let late = sluice.records("alert").dropFirst(alertsBefore).filter { field($0, "alert", "category") == "waf-core" }
        expect(late.isEmpty, "disabled rules still alerted: \(late)", sluice)
        print("rule 10 hits: \(hitsBefore) before the push, \(hitsAfterPush) after")
        XCTAssertGreaterThanOrEqual(hitsAfterPush, hitsBefore, "rule 10's hits were reset by a push that kept its id")
    }
}
#endif
