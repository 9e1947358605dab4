import Foundation
import ConfigYAML

/// Where the desired state lives: the `control:` section of `sluice run`'s config and the
/// `etcd:` section of `sluice control`'s. One parser for both, so a node and the control plane
/// read endpoints, prefix, TLS and auth the same way.
public struct ClusterConfig: Sendable, Equatable {
    /// etcd client URLs (`http://host:port` or `https://host:port`), tried in turn.
    public var endpoints: [String] = []
    /// Every key lives under this prefix (no trailing slash), so clusters can share one etcd.
    public var prefix = "/sluice"
    /// This node's name: its status key is `prefix/nodes/<node>` (default: the host name).
    public var node = ""
    /// TLS: the CA that signs etcd's certificate, and the client's certificate and key (PEM).
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// etcd user and the file holding its password (auth enabled on the cluster).
    public var user: String?
    public var passwordFile: String?
    /// How often the node rewrites its status key (a heartbeat: its age says the node is alive).
    public var statusIntervalSeconds = 10
    /// Reconnect backoff bounds.
    public var backoffMinMs = 200
    public var backoffMaxMs = 5000

    /// The defaults.
    public init() {}

    /// The key of the desired policy, sensors and overrides, and the folder of node statuses.
    public var desiredPrefix: String { prefix + "/desired/" }
    public var policyKey: String { prefix + "/desired/policy" }
    public var sensorsKey: String { prefix + "/desired/sensors" }
    public var overridesKey: String { prefix + "/desired/overrides" }
    public var nodesPrefix: String { prefix + "/nodes/" }
    public var statusKey: String { nodesPrefix + node }

    /// Reads the mapping `m` (`control:` or `etcd:`); relative paths are resolved with `resolve`.
    /// `needsNode`: a node's config (the name defaults to the host name).
    public static func parse(_ m: ConfigMap, resolve: (String) -> String, needsNode: Bool) throws(ConfigError) -> ClusterConfig {
        try m.allowOnly(["etcd", "endpoints", "prefix", "node", "tls", "auth", "status_interval", "backoff_max_ms"])
        var c = ClusterConfig()
        // `etcd: [urls]` inside `control:`; `endpoints: [urls]` inside `etcd:`.
        let key = m.value("etcd") != nil ? "etcd" : "endpoints"
        guard let list = m.value(key)?.sequence, !list.isEmpty else { throw m.error(key, "missing: a list of etcd URLs") }
        guard list.count <= 64 else { throw m.error(key, "at most 64 endpoints") }
        for n in list {
            guard let u = n.scalar?.string else { throw m.error(key, "expected a URL", at: n) }
            guard let url = URL(string: u), ["http", "https"].contains(url.scheme ?? ""), let host = url.host, !host.isEmpty else {
                throw m.error(key, "\"\(u)\" is not an http:// or https:// URL", at: n)
            }
            if let p = url.port, !(1...65535).contains(p) { throw m.error(key, "port must be between 1 and 65535", at: n) }
            c.endpoints.append(u.hasSuffix("/") ? String(u.dropLast()) : u)
        }
        if let p = try m.string("prefix") {
            // Keys are joined with "/": the prefix must be an absolute path without a trailing slash,
            // and short (it is repeated in every key).
            guard p.hasPrefix("/"), !p.hasSuffix("/") || p == "/", p.utf8.count <= 256, !p.contains("\0") else {
                throw m.error("prefix", "expected a path such as /sluice/prod (leading /, no trailing /, at most 256 bytes)")
            }
            c.prefix = p == "/" ? "" : p
        }
        if let n = try m.string("node") {
            guard Self.validNodeName(n) else { throw m.error("node", "expected 1 to 128 characters from A-Z a-z 0-9 . _ -") }
            c.node = n
        } else if needsNode {
            let host = ProcessInfo.processInfo.hostName
            c.node = validNodeName(host) ? host : "node"
        }
        if let t = try m.map("tls") {
            try t.allowOnly(["ca", "cert", "key"])
            c.caFile = try t.string("ca").map(resolve)
            c.certFile = try t.string("cert").map(resolve)
            c.keyFile = try t.string("key").map(resolve)
            guard (c.certFile == nil) == (c.keyFile == nil) else { throw t.error("cert", "give cert and key together") }
        }
        if let a = try m.map("auth") {
            try a.allowOnly(["user", "password_file"])
            guard let u = try a.string("user") else { throw a.error("user", "missing") }
            guard let p = try a.string("password_file") else { throw a.error("password_file", "missing") }
            (c.user, c.passwordFile) = (u, resolve(p))
        }
        c.statusIntervalSeconds = try m.seconds("status_interval", in: 1...3600) ?? 10
        c.backoffMaxMs = try m.int("backoff_max_ms", in: 200...300_000) ?? 5000
        return c
    }

    /// A node name fits in a key and a table column: letters, digits, `.`, `_`, `-`.
    public static func validNodeName(_ n: String) -> Bool {
        !n.isEmpty && n.utf8.count <= 128 && n.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2e || b == 0x5f || b == 0x2d
        }
    }
}
