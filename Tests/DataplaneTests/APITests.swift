#if os(Linux)
import Foundation
import XCTest

/// The daemon's API through `sluice ctl`, the way an operator uses it: policy pushes take
/// effect on live traffic, a broken push changes nothing, the last good policy survives
/// kill -9, captures hold exactly what their filter selects, `/metrics` moves with traffic,
/// and TCP requests without the token get 401.
final class APITests: XCTestCase {
    static let api = """
        api: { socket: api.sock, listen: 127.0.0.1:19444, token_file: token }
        metrics: { listen: 127.0.0.1:19101 }
        state_dir: state

        """

    func ctl(_ bed: Bed, _ args: String) -> (status: Int32, output: String, seconds: Double) {
        bed.exec(bed.middle, "'\(SluiceBinary.path)' ctl \(args) --socket '\(bed.dir)/api.sock' --token-file '\(bed.dir)/token'")
    }

    func setUp(_ bed: Bed) throws -> Daemon {
        try bed.startHTTP()
        try bed.write("token", "t-\(UInt64.random(in: 1...UInt64.max))\n")
        try bed.write("policy.yaml", protectPolicy())
        return try Daemon(bed, interfaces: [inlinePair], extra: Self.api)
    }

    func testPolicyPushBrokenPushAndRestartFromLastGood() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        var sluice = try setUp(bed)
        defer { sluice.stop() }
        try bed.startHTTP(port: 8081)
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0, "allowed before the push")
        XCTAssertNotEqual(bed.curl("http://10.98.0.2:8081/hello.txt").status, 0, "denied before the push")

        // The same policy with HTTP moved to another port: curl to :80 is now denied.
        try bed.write("deny80.yaml", protectPolicy(httpPort: 8081))
        let push = ctl(bed, "policy push '\(bed.dir)/deny80.yaml'")
        XCTAssertEqual(push.status, 0, push.output)
        XCTAssertTrue(push.output.contains("version 2"), push.output)
        let denied = bed.curl("http://10.98.0.2/hello.txt")
        XCTAssertNotEqual(denied.status, 0, "curl still got through after the push: \(denied)")

        // A broken policy: rejected with its file position, and version 2 stays in force.
        try bed.write("broken.yaml", "version: 1\nmode: protect\ngroups:\n  web: { cidrs: [10.98.0.300/32] }\n")
        let broken = ctl(bed, "policy push '\(bed.dir)/broken.yaml'")
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.output.contains("broken.yaml:4:"), broken.output)
        XCTAssertTrue(ctl(bed, "status").output.contains("policy version 2"))
        XCTAssertNotEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0, "the old (deny80) policy stays")

        // Requests without the token on TCP: 401, and nothing changes.
        let anonymous = bed.exec(bed.middle, "curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @'\(bed.dir)/policy.yaml' http://127.0.0.1:19444/v1/policy")
        XCTAssertEqual(anonymous.output, "401")
        XCTAssertTrue(ctl(bed, "status").output.contains("policy version 2"))

        // kill -9, start again: the pushed policy (not the config's) is in force.
        sluice.process.stop(SIGKILL, seconds: 5)
        sluice = try Daemon(bed, interfaces: [inlinePair], extra: Self.api, logName: "sluice-restarted")
        XCTAssertTrue(sluice.log.contains("restored the last good policy, version 2"), sluice.log)
        XCTAssertNotEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0, "the restored policy denies :80")
        XCTAssertEqual(bed.curl("http://10.98.0.2:8081/hello.txt").status, 0, "and allows :8081, forwarding again")
    }

    func testCaptureHoldsExactlyTheFilteredPacketsAndMetricsMove() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let sluice = try setUp(bed)
        defer { sluice.stop() }
        let before = bed.exec(bed.middle, "curl -s http://127.0.0.1:19101/metrics").output
        let start = ctl(bed, "capture start --interface web --filter 'tcp port 80' --packets 1000")
        XCTAssertTrue(start.output.contains("capture cap-1 started"), start.output)
        for _ in 0..<3 { XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0) }
        _ = bed.exec(bed.client, "ping -c 3 -i 0.2 10.98.0.2")
        usleep(500_000)
        XCTAssertEqual(ctl(bed, "capture stop cap-1").status, 0)
        let file = "\(bed.dir)/cap-1.pcapng"
        XCTAssertEqual(ctl(bed, "capture get cap-1 -o '\(file)'").status, 0)
        let all = bed.exec(bed.middle, "tshark -r '\(file)' -T fields -e frame.number 2>/dev/null | wc -l").output
        let other = bed.exec(bed.middle, "tshark -r '\(file)' -Y 'not (tcp.port == 80)' -T fields -e frame.number 2>/dev/null | wc -l").output
        let frames = Int(all.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThanOrEqual(frames, 3 * 8, "three HTTP connections, each at least 8 frames")
        XCTAssertEqual(other.trimmingCharacters(in: .whitespacesAndNewlines), "0", "only tcp port 80 in the file")
        XCTAssertTrue(ctl(bed, "capture list").output.contains("\(frames)"), "the daemon counted what the file holds")

        // The flows are still in the workers' tables: the API lists them with their verdicts.
        let flows = ctl(bed, "flows --json")
        let listed = ((try? JSONSerialization.jsonObject(with: Data(flows.output.utf8))) as? [String: Any])?["flows"] as? [[String: Any]] ?? []
        XCTAssertTrue(listed.contains { $0["dest_port"] as? Int == 80 && $0["app_proto"] as? String == "http" && $0["verdict"] as? String == "allow" },
                      flows.output)
        XCTAssertTrue(listed.contains { $0["proto"] as? Int == 1 }, "the ping flow: \(flows.output)")

        let after = bed.exec(bed.middle, "curl -s http://127.0.0.1:19101/metrics").output
        func value(_ text: String, _ name: String) -> Double {
            text.split(separator: "\n").filter { $0.hasPrefix(name) }
                .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        XCTAssertGreaterThan(value(after, "sluice_packets_total"), value(before, "sluice_packets_total") + Double(frames - 1))
        XCTAssertGreaterThan(value(after, "sluice_flows_created_total"), value(before, "sluice_flows_created_total"))
        XCTAssertGreaterThan(value(after, "sluice_packet_processing_seconds_count"), 0)
        XCTAssertGreaterThanOrEqual(value(after, "sluice_policy_rule_hits_total{rule_id=\"10\""), 3, "rule 10 allowed the three curls")
        // A SQL injection in a URL: waf-core's rule 1000201 matches, the metric says which.
        _ = bed.curl("http://10.98.0.2/?q=1%27%20union%20select%20null--")
        usleep(400_000)
        let attacked = bed.exec(bed.middle, "curl -s http://127.0.0.1:19101/metrics").output
        XCTAssertGreaterThanOrEqual(value(attacked, "sluice_sensor_matches_total{sensor=\"waf-core\",rule_id=\"1000201\""), 1,
                                    attacked.split(separator: "\n").filter { $0.contains("sensor_matches") }.joined(separator: "\n"))

        // Capture on alert: the alert names a file holding the attack flow's packets.
        XCTAssertEqual(sluice.stop(), 0)
        let alert = sluice.records("alert").first { field($0, "alert", "signature_id") == "1000201" }
        let path = alert.flatMap { field($0, "capture_file") } ?? ""
        XCTAssertTrue(path.hasSuffix(".pcapng") && FileManager.default.fileExists(atPath: path), "alert: \(String(describing: alert))")
        let saved = bed.exec(bed.middle, "tshark -r '\(path)' -Y 'tcp.port == 80' -T fields -e frame.number 2>/dev/null | wc -l").output
        XCTAssertGreaterThanOrEqual(Int(saved.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 4,
                                    "the handshake and the request at least")
        let request = bed.exec(bed.middle, "tshark -r '\(path)' -Y 'http.request' -T fields -e http.request.uri 2>/dev/null").output
        XCTAssertTrue(request.contains("union"), "the attack request is in the file: \(request)")
    }

    /// Sensors pushed through the API: a file that does not compile is refused with its line;
    /// a valid one goes in force beside the built-ins, and a policy binding it then blocks.
    func testSensorPushThenPolicyBindingItBlocks() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let sluice = try setUp(bed)
        defer { sluice.stop() }
        try bed.write("bad-sensors.yaml", "sensors:\n  - name: bad\n    rules:\n      - { id: 1, name: x, context: url, patterns: ['(unclosed'] }\n")
        let bad = ctl(bed, "sensors push '\(bed.dir)/bad-sensors.yaml'")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("bad-sensors.yaml:4") && bad.output.contains("does not compile"), bad.output)

        try bed.write("waf-block.yaml", wafBlockSensor)
        try bed.write("block-policy.yaml", protectPolicy(sensors: ["waf-core", "waf-block"]))
        XCTAssertNotEqual(ctl(bed, "policy push '\(bed.dir)/block-policy.yaml'").status, 0, "waf-block is not loaded yet")
        let pushed = ctl(bed, "sensors push '\(bed.dir)/waf-block.yaml'")
        XCTAssertEqual(pushed.status, 0, pushed.output)
        XCTAssertEqual(ctl(bed, "policy push '\(bed.dir)/block-policy.yaml'").status, 0)
        let attack = bed.curl("http://10.98.0.2/?q=1%27%20union%20select%20null--")
        XCTAssertNotEqual(attack.status, 0, "the pushed block rule resets the attack: \(attack)")
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0, "ordinary requests pass")
    }
}
#endif
