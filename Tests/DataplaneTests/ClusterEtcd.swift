#if os(Linux)
import Foundation
import Glibc
import XCTest

/// One namespace holding a real etcd on 127.0.0.1:2379 and `sluice run` nodes, each tapping
/// its own dummy link and watching the same prefix; `sluice control` runs in it too. Removed
/// by `tearDown()`.
final class EtcdCluster {
    static let prefix = "/sluice/test"
    nonisolated(unsafe) static var counter = 0
    let ns: String
    let dir: String
    private(set) var etcd: Background?
    private var nodes: [Int: Background] = [:]
    private var others: [Background] = []
    let binary: String

    /// Skips (at the top of the test) when etcd, root or `ip netns` are missing.
    init() throws {
        guard sh("command -v etcd").status == 0 else { throw XCTSkip("etcd is not installed (apt-get install etcd-server)") }
        guard getuid() == 0 else { throw XCTSkip("cluster tests need root") }
        binary = try SluiceBinary.require()
        EtcdCluster.counter += 1
        let tag = "\(getpid())-\(EtcdCluster.counter)"
        ns = "scl-\(tag)"
        dir = NSTemporaryDirectory() + "sluice-cluster-\(tag)"
        guard sh("ip netns add \(ns)").status == 0 else { throw XCTSkip("ip netns unavailable") }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try run("ip -n \(ns) link set dev lo up")
        try write("token", "cluster-test-token\n")
        try write("policy.yaml", protectPolicy())
    }

    func run(_ command: String) throws {
        let r = sh(command)
        if r.status != 0 { throw BedError("\(command): exit \(r.status): \(r.output)") }
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(dir)/\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `command` in the namespace.
    @discardableResult
    func exec(_ command: String) -> (status: Int32, output: String, seconds: Double) { sh("ip netns exec \(ns) \(command)") }

    /// Starts etcd (its data kept in `dir/etcd`, so a restart finds the same store) and waits
    /// until it answers.
    func startEtcd() throws {
        let b = try Background("ip netns exec \(ns) etcd --name t --data-dir '\(dir)/etcd' "
                               + "--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 "
                               + "--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 "
                               + "--initial-cluster t=http://127.0.0.1:2380", log: "\(dir)/etcd.log")
        etcd = b
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if exec("curl -s -m 1 http://127.0.0.1:2379/health").output.contains("true") { return }
            guard b.isRunning else { break }
            usleep(100_000)
        }
        throw BedError("etcd did not come up:\n\(b.text)")
    }

    /// Stops etcd (SIGTERM, as an orderly shutdown or a host reboot would).
    func stopEtcd() { etcd?.stop(SIGTERM, seconds: 10); etcd = nil }

    /// Starts node `i` (`node-i`, tapping veth `d<i>`, API socket `dir/node-i/api.sock`,
    /// state in `dir/node-i/state`) and waits for `ready`.
    @discardableResult
    func startNode(_ i: Int) throws -> Background {
        if sh("ip -n \(ns) link show d\(i)").status != 0 {
            // A veth pair (the dummy driver is not in every kernel): the node taps one end.
            try run("ip -n \(ns) link add d\(i) type veth peer name e\(i)")
            try run("ip -n \(ns) link set dev d\(i) up")
            try run("ip -n \(ns) link set dev e\(i) up")
        }
        let home = "\(dir)/node-\(i)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let yaml = """
        io: af_packet
        workers: 1
        interfaces:
          - { name: web, mode: tap, interface: d\(i), workload: web }
        policy: ../policy.yaml
        sensors: [waf-core]
        eve: eve.json
        state_dir: state
        api: { socket: api.sock, token_file: ../token }
        metrics: { listen: 127.0.0.1:\(9300 + i) }
        control: { etcd: [http://127.0.0.1:2379], prefix: \(Self.prefix), node: node-\(i), status_interval: 1s, backoff_max_ms: 1000 }

        """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: "\(home)/sluice.yaml"))
        let b = try Background("ip netns exec \(ns) '\(binary)' run --no-supervise --config '\(home)/sluice.yaml'",
                               log: "\(home)/sluice-\(Int(Date().timeIntervalSince1970 * 1000)).log")
        guard b.wait(for: "ready", seconds: 60) else {
            b.stop(SIGKILL)
            throw BedError("node-\(i) did not print ready:\n\(b.text)")
        }
        nodes[i] = b
        return b
    }

    /// Stops node `i` (SIGTERM).
    func stopNode(_ i: Int) { nodes[i]?.stop(SIGTERM, seconds: 10); nodes[i] = nil }

    /// Node `i`'s log so far.
    func log(_ i: Int) -> String { nodes[i]?.text ?? "" }

    /// Starts a program in the namespace, stopped by `tearDown()`.
    func background(_ name: String, _ command: String) throws -> Background {
        let b = try Background("ip netns exec \(ns) \(command)", log: "\(dir)/\(name).log")
        others.append(b)
        return b
    }

    /// The control config: the desired policy (`desired.yaml`) and, when given, sensors and overrides.
    func controlConfig(sensors: Bool = false, overrides: Bool = false) throws -> String {
        try write("control.yaml", """
        policy: desired.yaml
        \(sensors ? "sensors: sensors.yaml" : "")
        \(overrides ? "overrides: overrides.yaml" : "")
        interval: 1s
        etcd: { endpoints: [http://127.0.0.1:2379], prefix: \(Self.prefix) }

        """)
    }

    /// The policy in force on node `i`, from its local API.
    func policyInForce(_ i: Int) -> (version: Int, text: String)? {
        let r = sh("curl -s -m 5 --unix-socket '\(dir)/node-\(i)/api.sock' -H 'Authorization: Bearer cluster-test-token' http://x/v1/policy")
        guard let o = (try? JSONSerialization.jsonObject(with: Data(r.output.utf8))) as? [String: Any] else { return nil }
        return (o["version"] as? Int ?? -1, o["policy"] as? String ?? "")
    }

    /// Node `i`'s Prometheus text.
    func metrics(_ i: Int) -> String { exec("curl -s -m 5 http://127.0.0.1:\(9300 + i)/metrics").output }

    /// `sluice control status --json`: node name → status object, and the desired revision.
    func status() -> (desired: Int, nodes: [String: [String: Any]]) {
        let r = exec("'\(binary)' control status --json --config '\(dir)/control.yaml'")
        guard let line = r.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return (0, [:]) }
        var out: [String: [String: Any]] = [:]
        for n in o["nodes"] as? [[String: Any]] ?? [] { if let name = n["node"] as? String { out[name] = n } }
        return (o["desired_revision"] as? Int ?? 0, out)
    }

    /// Waits until every node in `names` reports `applied_revision >= revision` and state
    /// `want`; the statuses then (nil on timeout).
    func waitApplied(_ names: [String], revision: Int, state want: String = "in-sync", seconds: Double = 30) -> [String: [String: Any]]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let s = status().nodes
            if names.allSatisfy({ n in
                guard let o = s[n] else { return false }
                let rev = (o["applied_revision"] as? Int) ?? 0, desired = (o["desired_revision"] as? Int) ?? 0
                return o["state"] as? String == want && (want == "rejected" ? desired >= revision : rev >= revision)
            }) { return s }
            usleep(100_000)
        }
        return nil
    }

    func tearDown() {
        for b in others.reversed() { b.stop(SIGKILL, seconds: 2) }
        for (_, b) in nodes { b.stop(SIGTERM, seconds: 5) }
        nodes.removeAll()
        etcd?.stop(SIGKILL, seconds: 2)
        sh("ip netns del \(ns)")
        if ProcessInfo.processInfo.environment["SLUICE_TEST_KEEP"] == nil { try? FileManager.default.removeItem(atPath: dir) }
    }
}

/// `write started at unix_ms N` and `rev N` from a `sluice control` push line.
func pushed(_ output: String) -> (revision: Int, startedMs: Int64)? {
    guard let line = output.split(separator: "\n").last(where: { $0.contains("pushed") }) else { return nil }
    let words = line.split(separator: " ")
    guard let r = words.firstIndex(of: "rev"), r + 1 < words.count, let rev = Int(words[r + 1]),
          let m = words.firstIndex(of: "unix_ms"), m + 1 < words.count, let ms = Int64(words[m + 1]) else { return nil }
    return (rev, ms)
}
#endif
