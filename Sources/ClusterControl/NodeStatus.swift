import Foundation

/// What a node writes under `prefix/nodes/<node>`: which desired revision is in force, whether
/// it matches the newest desired one, and why not. Rewritten after every apply and every
/// `status_interval`, so `updated_unix_ms` doubles as a heartbeat.
public struct NodeStatus: Codable, Sendable, Equatable {
    /// `in-sync`, `pending` (a newer desired revision is not in force yet), `rejected`, `drift`
    /// (the state in force was changed locally), or `no-desired-state`.
    public var state: String
    /// The node's name.
    public var node: String
    /// The desired revision in force (0: none yet).
    public var appliedRevision: Int64
    /// The newest desired revision the node has seen.
    public var desiredRevision: Int64
    /// The node's local policy version.
    public var policyVersion: Int
    /// When the applied revision went in force (Unix ms), and how long the workers took to switch.
    public var appliedUnixMs: Int64?
    public var inForceMs: Double?
    /// How the state in force differs from the desired one, when it does.
    public var drift: String?
    /// The last rejected desired document, while the newest desired revision is the one rejected.
    public var rejection: Rejection?
    /// When this status was written (Unix ms).
    public var updatedUnixMs: Int64

    enum CodingKeys: String, CodingKey {
        case state, node, drift, rejection
        case appliedRevision = "applied_revision", desiredRevision = "desired_revision", policyVersion = "policy_version"
        case appliedUnixMs = "applied_unix_ms", inForceMs = "in_force_ms", updatedUnixMs = "updated_unix_ms"
    }

    /// The JSON stored in etcd.
    public func encoded() -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return Array((try? e.encode(self)) ?? Data())
    }

    /// A status read back from etcd; nil when it does not decode (a foreign or damaged key).
    public static func decode(_ bytes: [UInt8]) -> NodeStatus? {
        guard bytes.count <= 1 << 20 else { return nil }
        return try? JSONDecoder().decode(NodeStatus.self, from: Data(bytes))
    }
}

/// The node's applied revision kept in `state_dir/cluster.json`, beside the last good policy:
/// a node restarted while etcd is unreachable reports which revision it runs.
struct ClusterStateFile {
    struct Saved: Codable {
        var appliedRevision: Int64
        var appliedUnixMs: Int64?
    }
    let path: String?

    func load() -> Saved? {
        guard let path, let d = FileManager.default.contents(atPath: path), d.count < 1 << 16 else { return nil }
        return try? JSONDecoder().decode(Saved.self, from: d)
    }

    func save(_ s: Saved) {
        guard let path, let d = try? JSONEncoder().encode(s) else { return }
        // Renamed into place: a crash leaves the old file or the new one.
        let tmp = path + ".tmp"
        if FileManager.default.createFile(atPath: tmp, contents: d, attributes: [.posixPermissions: 0o600]) {
            _ = rename(tmp, path)
        }
    }
}

/// Now as Unix milliseconds.
func unixMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
