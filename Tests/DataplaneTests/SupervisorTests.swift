#if os(Linux)
import Foundation
import Glibc
import XCTest

/// `sluice run`'s supervisor: a crash of the daemon never blackholes an inline pair with
/// `fail: open` (the kernel bypass bridges it until a restarted daemon is ready, then hands
/// back), and keeps it dropped with `fail: closed`. perf/failover-bench.sh measures how long.
///
/// To hold the daemon down as long as a check needs (never a timing), the tests break the
/// config before killing the daemon: the restarted ones fail to start (a crash loop) until
/// the config is put back.
final class SupervisorTests: XCTestCase {
    /// kill -9 with `fail: open`: the bypass goes in at once and traffic flows uninspected
    /// (a port the policy denies is reachable) while restarts keep failing; once a daemon is
    /// ready again the bypass is removed and the policy is enforced again. A clean stop then
    /// exits 0 and leaves no bypass.
    func testFailOpenBypassesWhileDownAndHandsBack() throws {
        try requireTC()
        let bed = try Bed(prefix: "sv")
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.startHTTP(port: 8080)
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair], failMode: "open")
        expect(bed.curl("http://10.98.0.2/hello.txt").status == 0, "allowed port before the kill", sluice)
        expect(bed.curl("http://10.98.0.2:8080/hello.txt").status == 7, "denied port before the kill is not reset", sluice)

        let good = try breakConfig(sluice)
        let first = try daemonChild(sluice)
        kill(first, SIGKILL)
        expect(sluice.process.wait(for: "bypass on (fail: open", seconds: 10), "no bypass after kill -9", sluice)
        expect(bypassFilters(bed).count == 2, "tc filters while down: \(bypassFilters(bed))", sluice)
        let ping = bed.exec(bed.client, "ping -c 3 -i 0.2 -W 2 10.98.0.2")
        expect(ping.status == 0, "ping through the bypass: \(ping.output)", sluice)
        let uninspected = bed.curl("http://10.98.0.2:8080/hello.txt")
        expect(uninspected.status == 0 && uninspected.output.contains("hello through sluice"),
               "the bypass should forward what the policy denies (nothing inspects it): \(uninspected)", sluice)
        // The restarts keep failing and the bypass stays.
        expect(sluice.process.wait(for: "(2 crashes in a row)", seconds: 30), "no second restart", sluice)
        expect(bypassFilters(bed).count == 2, "the bypass went away while the daemon keeps crashing", sluice)

        try bed.write("sluice.yaml", good)
        expect(sluice.process.wait(for: "bypass removed (hand-back)", seconds: 90), "no hand-back", sluice)
        expect(bypassFilters(bed).isEmpty, "tc filters after hand-back: \(bypassFilters(bed))", sluice)
        let qdiscs = bed.exec(bed.middle, "tc qdisc show dev ma").output
        expect(!qdiscs.contains("clsact"), "the clsact qdisc Sluice added is still there: \(qdiscs)", sluice)
        expect(bed.curl("http://10.98.0.2/hello.txt").status == 0, "allowed port after hand-back", sluice)
        let denied = bed.curl("http://10.98.0.2:8080/hello.txt")
        expect(denied.status == 7, "denied port after hand-back: the restarted daemon should reset it: \(denied)", sluice)

        XCTAssertEqual(sluice.stop(seconds: 20), 0, "exit status; log:\n\(sluice.log)")
        expect(sluice.log.contains("sluice run: stopped"), "no summary from the daemon", sluice)
        expect(bypassFilters(bed).isEmpty, "a clean stop left a bypass", sluice)
    }

    /// SIGTERM while the daemon keeps crashing with the bypass in place: the supervisor stops
    /// and removes the bypass (a deliberate stop leaves no uninspected bridge behind).
    func testStopWhileCrashLoopingRemovesBypass() throws {
        try requireTC()
        let bed = try Bed(prefix: "sv")
        defer { bed.tearDown() }
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair], failMode: "open")
        _ = try breakConfig(sluice)
        kill(try daemonChild(sluice), SIGKILL)
        expect(sluice.process.wait(for: "(2 crashes in a row)", seconds: 30), "no second restart", sluice)
        expect(bypassFilters(bed).count == 2, "no bypass while crash-looping", sluice)
        kill(sluice.process.pid, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && sluice.process.isRunning { usleep(50_000) }
        expect(!sluice.process.isRunning, "the supervisor did not stop", sluice)
        expect(sluice.log.contains("sluice supervisor: stopped"), "no stop line", sluice)
        expect(bypassFilters(bed).isEmpty, "the stop left the bypass: \(bypassFilters(bed))", sluice)
        let qdiscs = bed.exec(bed.middle, "tc qdisc show dev mb").output
        expect(!qdiscs.contains("clsact"), "the stop left the clsact qdisc: \(qdiscs)", sluice)
    }

    /// kill -9 with `fail: closed`: no bypass, traffic stays dropped while no daemon is up,
    /// and flows again once one is. SIGHUP reaches the daemon through the supervisor.
    func testFailClosedDropsWhileDown() throws {
        try requireTC()
        let bed = try Bed(prefix: "sv")
        defer { bed.tearDown() }
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair], failMode: "closed")
        let before = bed.exec(bed.client, "ping -c 2 -i 0.2 -W 2 10.98.0.2")
        expect(before.status == 0, "ping before the kill: \(before.output)", sluice)
        let reload = sluice.reload()
        expect(reload?.contains("reloaded") == true, "SIGHUP through the supervisor: \(reload ?? "no answer")", sluice)

        let good = try breakConfig(sluice)
        kill(try daemonChild(sluice), SIGKILL)
        expect(sluice.process.wait(for: "stays dropped until the daemon is back", seconds: 10), "no fail-closed line", sluice)
        expect(bypassFilters(bed).isEmpty, "fail: closed put a bypass in place: \(bypassFilters(bed))", sluice)
        let down = bed.exec(bed.client, "ping -c 3 -i 0.2 -W 1 10.98.0.2")
        expect(down.status != 0 && down.output.contains(" 0 received"), "traffic passed with no daemon: \(down.output)", sluice)

        try bed.write("sluice.yaml", good)
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline && sluice.log.components(separatedBy: "sluice run: ready:").count < 3 { usleep(100_000) }
        expect(sluice.log.components(separatedBy: "sluice run: ready:").count >= 3, "the daemon did not come back", sluice)
        let after = bed.exec(bed.client, "ping -c 2 -i 0.2 -W 2 10.98.0.2")
        expect(after.status == 0, "ping after the restart: \(after.output)", sluice)
        XCTAssertEqual(sluice.stop(seconds: 20), 0, "exit status; log:\n\(sluice.log)")
    }

    /// The supervisor itself killed with `fail: open`: its daemon notices (its socket to the
    /// supervisor closes), stops, and leaves the bypass in place on its way out.
    func testSupervisorKilledLeavesBypass() throws {
        try requireTC()
        let bed = try Bed(prefix: "sv")
        defer { bed.tearDown() }
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair], failMode: "open")
        let child = try daemonChild(sluice)
        kill(sluice.process.pid, SIGKILL)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && isAlive(child) { usleep(50_000) }
        expect(!isAlive(child), "the daemon outlived its supervisor", sluice)
        expect(sluice.log.contains("the supervisor is gone: bypass on"), "no bypass from the orphaned daemon", sluice)
        let ping = bed.exec(bed.client, "ping -c 3 -i 0.2 -W 2 10.98.0.2")
        expect(ping.status == 0, "ping through the bypass: \(ping.output)", sluice)
    }

    /// `--no-supervise` runs the daemon in the process itself, as before.
    func testNoSuperviseRunsInProcess() throws {
        let bed = try Bed(prefix: "sv")
        defer { bed.tearDown() }
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair], runOptions: "--no-supervise")
        expect(!sluice.log.contains("sluice supervisor:"), "a supervisor ran", sluice)
        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
    }

    /// Whether `pid` runs (a zombie nobody reaped yet does not).
    private func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z") && !stat[close...].hasPrefix(") X")
    }

    private func requireTC() throws {
        guard sh("command -v tc").status == 0 else { throw XCTSkip("tc (iproute2) is not installed") }
    }

    /// The current daemon's pid, from the supervisor's last "started the daemon, pid N".
    private func daemonChild(_ sluice: Daemon) throws -> pid_t {
        guard let line = sluice.log.components(separatedBy: "\n").last(where: { $0.contains("started the daemon, pid ") }),
              let pid = pid_t(line.components(separatedBy: "pid ").last ?? "") else {
            throw BedError("no daemon pid in the log:\n\(sluice.log)")
        }
        return pid
    }

    /// Points the config at a policy file that does not exist, so restarts fail; returns the
    /// good config to write back.
    private func breakConfig(_ sluice: Daemon) throws -> String {
        let good = try String(contentsOfFile: sluice.config, encoding: .utf8)
        try sluice.bed.write("sluice.yaml", good.replacingOccurrences(of: "policy: policy.yaml", with: "policy: missing.yaml"))
        return good
    }

    /// The mirred redirect filters on ma's and mb's ingress.
    private func bypassFilters(_ bed: Bed) -> [String] {
        ["ma", "mb"].compactMap { dev in
            let out = bed.exec(bed.middle, "tc filter show dev \(dev) ingress").output
            return out.contains("mirred") ? dev : nil
        }
    }
}
#endif
