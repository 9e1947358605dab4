// sluice-etcd-fanout: how long a desired-state write takes to reach many watching nodes.
// Opens N watches on one prefix (each its own HTTP connection through etcd's JSON gateway,
// as N nodes would hold), then R times writes a key and records when each watcher saw that
// revision. Prints p50/p99/max of write-to-seen over all watchers and rounds, and of the
// per-round "last watcher saw it". perf/etcd-fanout.sh starts a throwaway etcd for it.
import ClusterControl
import Dispatch
import Foundation
import Glibc
import Synchronization

func argument(_ name: String, _ fallback: String?) -> String {
    let a = CommandLine.arguments
    if let i = a.firstIndex(of: name), i + 1 < a.count { return a[i + 1] }
    guard let fallback else { FileHandle.standardError.write(Data("missing \(name)\n".utf8)); exit(2) }
    return fallback
}

/// Per round: when each watcher saw the round's revision (monotonic ns).
final class Seen: Sendable {
    let times = Mutex<[Int64: [UInt64]]>([:])
    let created = Atomic<Int>(0)
    func saw(_ revision: Int64) {
        let now = DispatchTime.now().uptimeNanoseconds
        times.withLock { $0[revision, default: []].append(now) }
    }
    func count(_ revision: Int64) -> Int { times.withLock { $0[revision]?.count ?? 0 } }
}
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// The measurement; `async` from the start, so nothing waits on a blocked main thread.
@main
struct EtcdFanout {
    static func main() async throws {
        let endpoint = argument("--endpoint", nil)
        let watchers = max(1, Int(argument("--watchers", "1000")) ?? 1000)
        let rounds = max(1, Int(argument("--rounds", "20")) ?? 20)

        // Each watch holds a socket here and one in etcd.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)

        var config = ClusterConfig()
        config.endpoints = [endpoint]
        config.prefix = "/fanout-\(getpid())"
        let client = try EtcdClient(config: config, requestTimeout: .seconds(30), maxConnections: watchers + 16)
        let writer = try EtcdClient(config: config)

        let seen = Seen()

        do {
            let start = try await writer.put(config.desiredPrefix + "start", Array("0".utf8))
            let opening = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<watchers {
                Task.detached {
                    try? await client.watch(prefix: config.desiredPrefix, from: start + 1,
                                            created: { seen.created.add(1, ordering: .relaxed) }) { events, _ in
                        for e in events { seen.saw(e.kv.modRevision) }
                    }
                }
            }
            let openBy = opening + 120_000_000_000
            while seen.created.load(ordering: .relaxed) < watchers {
                guard DispatchTime.now().uptimeNanoseconds < openBy else {
                    throw EtcdError.unreachable("only \(seen.created.load(ordering: .relaxed)) of \(watchers) watches opened in 120 s")
                }
                try await Task.sleep(nanoseconds: 5_000_000)
            }
            print("\(watchers) watches open after \(String(format: "%.0f", Double(DispatchTime.now().uptimeNanoseconds - opening) / 1e6)) ms")
            var all: [Double] = [], last: [Double] = []
            for round in 0..<rounds {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let rev = try await writer.put(config.policyKey, Array("round \(round)".utf8))
                let deadline = t0 + 30_000_000_000
                while seen.count(rev) < watchers && DispatchTime.now().uptimeNanoseconds < deadline {
                    try await Task.sleep(nanoseconds: 200_000)
                }
                let times = seen.times.withLock { $0[rev] ?? [] }.map { Double($0 &- t0) / 1e6 }
                guard times.count == watchers else { print("round \(round): only \(times.count) of \(watchers) watchers saw revision \(rev) in 30 s"); continue }
                all += times
                last.append(times.max() ?? 0)
                try await Task.sleep(nanoseconds: 100_000_000)  // let the stream drain between rounds
            }
            all.sort(); last.sort()
            print(String(format: "write -> seen, %d watchers x %d rounds: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                         watchers, rounds, percentile(all, 0.5), percentile(all, 0.99), all.last ?? 0))
            print(String(format: "write -> every watcher saw it (per round): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                         percentile(last, 0.5), percentile(last, 0.99), last.last ?? 0))
            _ = try? await writer.delete(config.desiredPrefix + "start")
        } catch {
            print("failed: \(error)")
        }
        await client.shutdown()
        await writer.shutdown()
    }
}
