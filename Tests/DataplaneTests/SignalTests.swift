#if os(Linux)
import Foundation
import Glibc
import XCTest

/// SIGTERM and SIGHUP on a running inline `sluice run`.
final class SignalTests: XCTestCase {
    /// SIGTERM right after a request: exit status 0, a summary on stderr, and the request's
    /// http record and its flow record (ended by the shutdown) are in EVE.
    func testSigtermFlushesEveAndExitsZero() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair])
        let ok = bed.curl("http://10.98.0.2/hello.txt", "--local-port 41236")
        expect(ok.status == 0, "curl: \(ok)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let lines = sluice.log.split(separator: "\n")
        let summary = lines.drop { !$0.contains("ready") }.dropFirst()
        expect(!summary.isEmpty, "no summary on stderr after the ready line", sluice)
        let http = sluice.records("http")
        expect(http.contains { field($0, "src_port") == "41236" && field($0, "http", "url") == "/hello.txt" },
               "no http record after SIGTERM: \(http)", sluice)
        let flows = sluice.records("flow")
        expect(flows.contains { field($0, "src_port") == "41236" && field($0, "dest_port") == "80" },
               "no flow record after SIGTERM: \(flows)", sluice)
    }

    /// SIGHUP with a policy that moves HTTP from :80 to :8080 takes effect for new
    /// connections; a broken policy (a rule naming an unknown group, which would allow :80
    /// again) is rejected with file:line and the previous policy stays in force.
    func testSighupReloadsPolicyAndRejectsBrokenOne() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.startHTTP(port: 8080)
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair])

        func check(_ stage: String, port80: Bool, port8080: Bool) {
            for (port, allowed) in [(80, port80), (8080, port8080)] {
                let r = bed.curl("http://10.98.0.2:\(port)/hello.txt")
                expect((r.status == 0) == allowed,
                       "\(stage): :\(port) should \(allowed ? "work" : "fail"), curl exit \(r.status): \(r.output)", sluice)
            }
        }
        check("first policy", port80: true, port8080: false)

        try bed.write("policy.yaml", protectPolicy(httpPort: 8080))
        let reloaded = sluice.reload()
        expect(reloaded?.contains("reloaded") == true, "SIGHUP with a valid policy: \(reloaded ?? "no line")", sluice)
        check("after reload", port80: false, port8080: true)

        try bed.write("policy.yaml", protectPolicy(httpPort: 80, extraRules: [
            "{ id: 50, from: clients, to: nosuchgroup, ports: [tcp/22], action: allow }",
        ]))
        let rejected = sluice.reload()
        expect(rejected?.contains("reload rejected:") == true, "SIGHUP with a broken policy: \(rejected ?? "no line")", sluice)
        // file:line:reason; the rule naming the unknown group is line 15 of what protectPolicy writes.
        expect(rejected?.contains("policy.yaml:15") == true && rejected?.contains("nosuchgroup") == true,
               "rejection does not name file, line and reason: \(rejected ?? "")", sluice)
        check("after rejected reload", port80: false, port8080: true)
        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
    }

    /// Signals arriving while the daemon is busy: a storm of SIGHUPs and SIGUSR1s during a
    /// reload (with the API's and metrics' threads running) is coalesced into reloads, never
    /// the default action; SIGTERM while API requests compile capture filters still exits 0
    /// with the summary printed and EVE flushed.
    func testSignalStormDuringReloadAndSigtermWhileAPIBusy() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.write("token", "t-\(UInt64.random(in: 1...UInt64.max))\n")
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair], extra: APITests.api)
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt", "--local-port 41237").status, 0)
        let pid = daemonPID(sluice)
        for _ in 0..<5 {
            kill(sluice.process.pid, SIGHUP)
            kill(sluice.process.pid, SIGUSR1)
        }
        usleep(1_500_000)
        expect(sluice.process.isRunning && daemonPID(sluice) == pid, "the daemon died of a signal", sluice)
        expect(sluice.log.contains("reloaded"), "no reload logged", sluice)
        let reloads = sluice.log.components(separatedBy: "reloaded:").count - 1
        expect(reloads >= 1 && reloads <= 5, "\(reloads) reloads for 5 SIGHUPs", sluice)
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt").status, 0, "still forwarding")

        // Keep the API busy: captures with the slowest filter allowed (about 2 s to compile each),
        // one after another.
        var terms: [String] = []
        while (terms + ["port \(terms.count + 1)"]).joined(separator: " or ").utf8.count <= 2048 { terms.append("port \(terms.count + 1)") }
        let filter = terms.joined(separator: " or ")
        try bed.write("capture.json", "{\"interface\": \"web\", \"filter\": \"\(filter)\", \"packets\": 1}")
        let token = try String(contentsOfFile: "\(bed.dir)/token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try bed.start(bed.middle, "busy", "sh -c 'for i in 1 2 3 4 5 6 7 8; do curl -s -m 30 -X POST -H \"Authorization: Bearer \(token)\" --data-binary @\(bed.dir)/capture.json http://127.0.0.1:19444/v1/captures; done'")
        usleep(1_000_000)
        XCTAssertTrue(bed.exec(bed.middle, "curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer \(token)' http://127.0.0.1:19444/v1/status").output == "200",
                      "the API answers while capture filters compile")
        let started = Date()
        XCTAssertEqual(sluice.stop(seconds: 15), 0, "exit status; log:\n\(sluice.log)")
        print("SIGTERM with the API busy: exited in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        expect(sluice.log.contains("policy allowed"), "no summary printed", sluice)
        expect(sluice.records("flow").contains { field($0, "src_port") == "41237" }, "EVE not flushed", sluice)
    }
}
#endif
