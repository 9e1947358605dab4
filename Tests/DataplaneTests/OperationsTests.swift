#if os(Linux)
import Foundation
import XCTest

/// The operator's other levers on a running daemon: workload quarantine and modes, the event
/// stream, the small control plane, and the fail mode for frames the workers read late.
final class OperationsTests: XCTestCase {
    func ctl(_ bed: Bed, _ args: String) -> (status: Int32, output: String, seconds: Double) {
        bed.exec(bed.middle, "'\(SluiceBinary.path)' ctl \(args) --socket '\(bed.dir)/api.sock' --token-file '\(bed.dir)/token'")
    }

    func daemon(_ bed: Bed, extra: String = "") throws -> Daemon {
        try bed.startHTTP()
        try bed.write("token", "t-\(UInt64.random(in: 1...UInt64.max))\n")
        try bed.write("policy.yaml", protectPolicy())
        return try Daemon(bed, interfaces: [inlinePair], extra: APITests.api + extra)
    }

    func testQuarantineCutsAWorkloadAndReleaseRestoresIt() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let sluice = try daemon(bed)
        defer { sluice.stop() }
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0)
        XCTAssertEqual(ctl(bed, "workload web --quarantine").status, 0)
        XCTAssertTrue(ctl(bed, "workloads").output.contains("yes"), "quarantine shown")
        XCTAssertNotEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0, "a quarantined workload gets nothing")
        XCTAssertEqual(ctl(bed, "workload web --release --mode monitor").status, 0)
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0, "released")
        // Monitor mode: a port no rule allows now passes, and is reported as a violation.
        try bed.startHTTP(port: 8080)
        XCTAssertEqual(bed.curl("http://10.98.0.2:8080/hello.txt").status, 0, "monitor mode does not block")
        XCTAssertEqual(sluice.stop(), 0)
        let policy = sluice.records("policy")
        XCTAssertTrue(policy.contains { sluiceField($0, "policy", "quarantine") == "1" || sluiceField($0, "policy", "quarantine") == "true" }, "\(policy)")
        XCTAssertTrue(policy.contains { sluiceField($0, "policy", "action") == "violate" && field($0, "dest_port") == "8080" }, "\(policy)")
    }

    func testEventStreamTailAndFollow() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let sluice = try daemon(bed)
        defer { sluice.stop() }
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0)
        usleep(400_000)
        XCTAssertTrue(ctl(bed, "events --tail 5").output.contains("\"event_type\":\"http\""))
        // Follow: a record written after the request starts arrives on the open stream.
        let follow = try bed.start(bed.middle, "events-follow",
                                   "timeout 4 '\(SluiceBinary.path)' ctl events --tail 0 --follow --socket '\(bed.dir)/api.sock' --token-file '\(bed.dir)/token'")
        usleep(800_000)
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt?after").status, 0)
        usleep(1_500_000)
        XCTAssertTrue(follow.text.contains("/hello.txt?after"), "followed stream: \(follow.text)")
    }

    func testControlPlanePushesDriftAndReportsAppliancesThatAreDown() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let sluice = try daemon(bed)
        defer { sluice.stop() }
        try bed.write("desired.yaml", protectPolicy(httpPort: 8081))
        try bed.write("control.yaml", """
            policy: desired.yaml
            appliances:
              - { name: mid, socket: api.sock, token_file: token }
              - { name: gone, socket: nothing.sock, token_file: token }
            """)
        let control = "'\(SluiceBinary.path)' control --config '\(bed.dir)/control.yaml' --once"
        let first = bed.exec(bed.middle, control)
        XCTAssertNotEqual(first.status, 0, "one appliance is down")
        XCTAssertTrue(first.output.contains("pushed") && first.output.contains("down"), first.output)
        XCTAssertNotEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0, "the desired policy is in force")
        XCTAssertTrue(bed.exec(bed.middle, control).output.contains("in-sync"))
        // A desired policy that does not validate is never pushed.
        try bed.write("desired.yaml", "version: 1\nrules: [ { id: 1, from: nowhere, to: any, action: allow } ]\n")
        let refused = bed.exec(bed.middle, control)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(ctl(bed, "status").output.contains("policy version 2"), "still the last pushed version")
    }

    /// A quiet link loses nothing failing closed, even with `fail_after_ms: 3`: a frame
    /// that arrives while the worker sleeps in poll() is timed from the worker's wake-up, and
    /// the TPACKET_V2 ring hands each frame over at once. Before, a lone frame could wait in a
    /// V3 block for the kernel's retire timer and be dropped as late on an idle pair (2 of 33
    /// frames of a single curl).
    func testQuietLinkFailingClosedDropsNothing() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair], extra: "fail_after_ms: 3\n", failMode: "closed")
        for _ in 0..<3 {
            let r = bed.curl("http://10.98.0.2/hello.txt")
            expect(r.status == 0, "curl on a quiet link: \(r)", sluice)
            usleep(300_000)  // the link goes quiet; the worker sleeps in poll()
        }
        let ping = bed.exec(bed.client, "ping -c 20 -i 0.05 -W 1 10.98.0.2")
        XCTAssertTrue(ping.output.contains("20 received"), ping.output)
        XCTAssertEqual(sluice.stop(), 0)
        let dropped = Int(sluice.log.components(separatedBy: "fail-closed dropped ").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? -1
        XCTAssertEqual(dropped, 0, "frames dropped as late on a quiet link:\n\(sluice.log)")
        // "web: ma->mb received A forwarded B dropped C; mb->ma received D forwarded E dropped F; ..."
        let line = sluice.log.split(separator: "\n").first { $0.contains("web: ma->mb") }.map(String.init) ?? ""
        let k = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        XCTAssertEqual(k.count, 8, line)
        if k.count == 8 {
            XCTAssertEqual(k[2] + k[5], 0, "nothing dropped: \(line)")
            XCTAssertGreaterThanOrEqual(k[1], 3 * 6 + 20, "every curl's and ping's frames forwarded: \(line)")
        }
    }
}
#endif
