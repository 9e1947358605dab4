// The live dataplane under real traffic: runs `sluice run`'s daemon for a few seconds on the
// interfaces a config names (perf/inline-bench.sh builds the namespaces and drives iperf3
// through them) and counts heap allocations while it forwards: setup allocates, the packet
// path must not.
import CAllocCounter
import Dataplane
import Glibc

func runInlineBench(_ configPath: String, seconds: Int) throws {
    let config = try DaemonConfig.load(path: configPath)
    let daemon = try Daemon(config: config) { print("sluice-bench inline: \($0)") }
    var windowStart: UInt64 = 0, windowEnd: UInt64 = 0
    let first = min(2, max(1, seconds - 1)), last = max(first + 1, seconds - 1)
    let summary = daemon.run(seconds: seconds) { s in
        if s == first { windowStart = sluice_alloc_count() }
        if s == last { windowEnd = sluice_alloc_count() }
    }
    print("inline: seconds=\(seconds) steady_window=\(first)s..\(last)s allocs_steady=\(windowEnd &- windowStart)"
          + " (every thread of the process, workers included)")
    print(summary, terminator: "")
}
