import ClusterControl
import Dataplane
import Foundation
import ConfigYAML
import SluiceConfig

/// `sluice control` with an `etcd:` section: the desired policy, sensors and workload
/// overrides are written under `prefix/desired/` (one transaction, so one revision), and every
/// node watching the prefix puts them in force (docs/cluster.md). `status` reads the nodes'
/// status keys.
struct EtcdControl {
    let config: ClusterConfig
    let client: EtcdClient

    init(config: ClusterConfig) throws {
        self.config = config
        client = try EtcdClient(config: config)
    }

    /// Closes the client's connections (AsyncHTTPClient insists on it before the client goes).
    func close() { _ = try? blocking { [client] in await client.shutdown() } }

    /// The `etcd:` section and the `overrides` file of a control config, nil without one.
    static func load(_ top: ConfigMap, resolve: (String) -> String) throws(ConfigError) -> (ClusterConfig, String?)? {
        guard let m = try top.map("etcd") else { return nil }
        return (try ClusterConfig.parse(m, resolve: resolve, needsNode: false), try top.string("overrides").map(resolve))
    }

    /// Writes the documents that differ from what etcd holds; one line saying what happened.
    /// Throws when etcd cannot be reached (the caller retries next round).
    func push(policy: String, sensors: String?, overrides: String?) throws -> String {
        try blocking { [config, client] in
            let (revision, kvs) = try await client.range(prefix: config.desiredPrefix)
            let held = Dictionary(kvs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            var writes: [(key: String, value: [UInt8])] = []
            for (key, text) in [(config.sensorsKey, sensors), (config.policyKey, policy), (config.overridesKey, overrides)] {
                guard let text, held[key]?.value != Array(text.utf8) else { continue }
                writes.append((key, Array(text.utf8)))
            }
            let desired = held.values.map(\.modRevision).max() ?? 0
            guard !writes.isEmpty else { return "in-sync    rev \(desired)  (store revision \(revision))" }
            let started = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            let written = try await client.putAll(writes)
            let names = writes.map { ($0.key as NSString).lastPathComponent }.joined(separator: ", ")
            return "pushed     rev \(written)  \(names); write started at unix_ms \(started)"
        }
    }

    /// Prints the cluster at a glance (or the statuses as JSON); true when every node runs the
    /// newest desired revision.
    func status(json: Bool, staleAfterSeconds: Int) throws -> Bool {
        let (nodes, desired) = try blocking { [config, client] in
            let d = try await client.range(prefix: config.desiredPrefix).kvs.map(\.modRevision).max() ?? 0
            let n = try await client.range(prefix: config.nodesPrefix).kvs
            return (n, d)
        }
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        var all = true
        var rows: [String] = []
        var objects: [Any] = []
        for kv in nodes.sorted(by: { $0.key < $1.key }) {
            guard let s = NodeStatus.decode(kv.value) else {
                rows.append("\(pad(printable(String(kv.key.dropFirst(config.nodesPrefix.count))), 20)) unreadable status")
                all = false
                continue
            }
            let (age, ageOverflow) = now.subtractingReportingOverflow(s.updatedUnixMs)
            let stale = ageOverflow || age > Int64(staleAfterSeconds) * 1000
            let state = stale ? "stale" : (s.state == "in-sync" && s.appliedRevision < desired ? "pending" : s.state)
            if state != "in-sync" { all = false }
            var detail = "policy v\(s.policyVersion)"
            if let r = s.rejection { detail = "\(r.key):\(r.line):\(r.column): \(r.reason)" }
            if let d = s.drift { detail += "; drift: \(d)" }
            if let ms = s.inForceMs, s.rejection == nil { detail += String(format: "; workers switched in %.2f ms", ms) }
            rows.append("\(pad(printable(s.node), 20)) \(pad(printable(state), 16)) \(pad(String(s.appliedRevision), 8)) \(pad(String(s.desiredRevision), 8)) "
                        + "\(pad(ageOverflow ? "?" : "\(max(0, age) / 1000)s", 6)) \(printable(detail))")
            if json, let o = try? JSONSerialization.jsonObject(with: Data(kv.value)) { objects.append(o) }
        }
        if nodes.isEmpty { all = false }
        if json {
            let o: [String: Any] = ["desired_revision": desired, "nodes": objects]
            print(String(decoding: try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("desired revision \(desired) under \(config.desiredPrefix); \(nodes.count) node\(nodes.count == 1 ? "" : "s")")
            print("\(pad("NODE", 20)) \(pad("STATE", 16)) \(pad("APPLIED", 8)) \(pad("DESIRED", 8)) \(pad("AGE", 6)) DETAIL")
            rows.forEach { print($0) }
        }
        return all
    }
}

/// Runs `body` on the concurrency pool and waits for it (the CLI is synchronous).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = BlockingBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// The result `blocking` hands from its task to the waiting thread (written before the
/// semaphore is signalled, read after).
final class BlockingBox<T>: @unchecked Sendable { var result: Result<T, any Error>? }

/// `text` with control characters shown as `?` and cut to 300 characters: node names, states
/// and reasons come from etcd, and a terminal must not take them as escape sequences.
func printable(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.prefix(300).map { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) ? "?" : $0 }))
}
