#if os(Linux)
import Foundation
import Glibc
import XCTest

/// Resource bounds under a SYN flood: every table is fixed at start, so a flood of new flows
/// evicts old ones instead of growing memory, and each eviction is counted in /metrics.
final class FloodTests: XCTestCase {
    /// 200 000 SYNs from random source to random destination ports (the policy allows them)
    /// through an inline pair whose workers hold 1024 flows each: the daemon stays up, the
    /// flow tables stay at their capacity with evictions counted in /metrics, its peak RSS
    /// (VmHWM) grows by less than a bound derived from the config, and a curl afterwards
    /// works. Prints VmHWM before and after and the flood's rate.
    func testSynFloodStaysWithinLimits() throws {
        let bed = try Bed(prefix: "sv")
        defer { bed.tearDown() }
        try bed.startHTTP()
        let perWorker = 1024, workers = 2
        try bed.write("engine.yaml", "flow:\n  capacity: \(perWorker)\n")
        try bed.write("synflood.py", synFlood)
        try bed.write("policy.yaml", protectPolicy(extraRules: [
            "{ id: 50, from: clients, to: web, ports: [tcp/1-65535], action: allow }",
        ]))
        let sluice = try Daemon(bed, interfaces: [inlinePair], workers: workers,
                                extra: "engine: engine.yaml\nmetrics: { listen: \"127.0.0.1:19464\" }\n")
        expect(bed.curl("http://10.98.0.2/hello.txt").status == 0, "curl before the flood", sluice)
        let pid = daemonPID(sluice)
        let before = vmHWM(pid)

        let flood = bed.exec(bed.client, "\(bed.python) '\(bed.dir)/synflood.py' 10.98.0.2 200000")
        expect(flood.status == 0, "the flood did not run: \(flood.output)", sluice)
        print("flood: \(flood.output.trimmingCharacters(in: .whitespacesAndNewlines)) in \(String(format: "%.1f", flood.seconds)) s")

        // The workers publish every ~100 ms; wait until the evictions show.
        var metrics: [String: Double] = [:]
        let deadline = Date().addingTimeInterval(20)
        repeat {
            metrics = scrape(bed)
            if (metrics["sluice_flows_ended_total{reason=\"evicted\"}"] ?? 0) > 0 { break }
            usleep(200_000)
        } while Date() < deadline
        let capacity = metrics["sluice_flows_capacity"] ?? -1
        let active = metrics["sluice_flows_active"] ?? -1
        let evicted = metrics["sluice_flows_ended_total{reason=\"evicted\"}"] ?? 0
        let created = metrics["sluice_flows_created_total"] ?? 0
        print("flows: capacity \(Int(capacity)), active \(Int(active)), created \(Int(created)), evicted \(Int(evicted)), "
              + "kernel drops \(Int(metrics["sluice_kernel_drops_total{interface=\"web\"}"] ?? 0))")
        expect(capacity == Double(perWorker * workers), "sluice_flows_capacity \(capacity)", sluice)
        expect(active >= 0 && active <= capacity, "flows active \(active) over the capacity \(capacity)", sluice)
        expect(evicted > 0, "no evictions counted after the flood (created \(created))", sluice)

        expect(isRunning(pid), "the daemon died during the flood", sluice)
        expect(!sluice.log.contains("the daemon (pid"), "the supervisor saw the daemon die", sluice)
        let after = vmHWM(pid)
        // Everything is allocated at start; the flood can at most touch pages of the flow
        // tables not touched yet (far less than 8 KiB a flow) plus allocator slack.
        let bound = before + perWorker * workers * 8 + 64 * 1024
        print("daemon VmHWM before the flood \(before) kB, after \(after) kB (bound \(bound) kB)")
        expect(before > 0 && after <= bound, "VmHWM grew from \(before) kB to \(after) kB, over \(bound) kB", sluice)
        let curl = bed.curl("http://10.98.0.2/hello.txt")
        expect(curl.status == 0 && curl.output.contains("hello through sluice"), "curl after the flood: \(curl)", sluice)
        XCTAssertEqual(sluice.stop(seconds: 20), 0, "exit status; log:\n\(sluice.log)")
    }

    /// The daemon's pid: the supervised child when there is a supervisor.
    private func daemonPID(_ sluice: Daemon) -> pid_t {
        let line = sluice.log.components(separatedBy: "\n").last { $0.contains("started the daemon, pid ") }
        return line.flatMap { pid_t($0.components(separatedBy: "pid ").last ?? "") } ?? sluice.process.pid
    }

    private func isRunning(_ pid: pid_t) -> Bool {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        return !s.contains("State:\tZ")
    }

    /// VmHWM of `pid` in kB (0 when unreadable).
    private func vmHWM(_ pid: pid_t) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first { Int($0) != nil } ?? "0") ?? 0
    }

    /// /metrics from the middle namespace, as `name{labels}` to value.
    private func scrape(_ bed: Bed) -> [String: Double] {
        let r = bed.exec(bed.middle, "curl -sS -m 5 http://127.0.0.1:19464/metrics")
        var out: [String: Double] = [:]
        for line in r.output.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = v
        }
        return out
    }
}

/// Sends N TCP SYNs to DST from random source ports to random destination ports, through a
/// raw IPv4 socket (the kernel fills in the IP checksum and length). Prints the count sent.
let synFlood = #"""
import random, socket, struct, sys
dst, count = sys.argv[1], int(sys.argv[2])
src = "10.98.0.1"
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
sa, da = socket.inet_aton(src), socket.inet_aton(dst)
pseudo = sa + da + struct.pack("!BBH", 0, 6, 20)
sent = 0
rnd = random.Random(1234)
for i in range(count):
    sp, dp, seq = rnd.randrange(1024, 65536), rnd.randrange(1, 65536), rnd.getrandbits(32)
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    t = sum(struct.unpack("!16H", pseudo + tcp))
    t = (t >> 16) + (t & 0xFFFF); t += t >> 16
    tcp = tcp[:16] + struct.pack("!H", ~t & 0xFFFF) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, rnd.getrandbits(16), 0, 64, 6, 0, sa, da)
    while True:
        try:
            s.sendto(ip + tcp, (dst, 0)); sent += 1; break
        except BlockingIOError:
            pass
        except OSError as e:
            if e.errno in (105, 11): continue  # ENOBUFS, EAGAIN: the queue is full, retry
            raise
print(f"{sent} SYNs sent")
"""#
#endif
