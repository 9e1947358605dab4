import ConfigYAML
import Foundation

/// `containers:`: attach to container veths as the runtime creates them (docs/deploy.md).
public struct ContainerSettings: Sendable, Equatable {
    /// Which runtime names containers and their labels: `podman`, or `none` (veths are still
    /// attached, with no workload, so their flows get the unknown action).
    public var runtime = "podman"
    /// The runtime's command (found on PATH when not absolute).
    public var command = "podman"
    /// Bridges whose veth ports are attached; empty: every bridge.
    public var bridges: [String] = []
    /// `inline` (interposed: Sluice forwards the container's traffic) or `tap` (inspected only).
    public var mode: InterfaceSpec.Mode = .inline
    /// Labels naming the policy workload, the first present wins (`sluice.workload`, then `app`).
    public var workloadLabels = ["sluice.workload", "io.kubernetes.pod.annotation.sluice.workload", "app"]
    /// Containers attached at once at most (each takes one interface number).
    public var max = 32
    /// Where interpositions in place are recorded, so `sluice restore` (and a restarted
    /// daemon, and the supervisor on a crash with `fail: open`) can undo them.
    public var runDirectory = "/run/sluice/interposed"
    /// The defaults.
    public init() {}
}

extension DaemonConfig {
    static func parseContainers(_ top: ConfigMap, resolve: (String) -> String) throws(ConfigError) -> ContainerSettings? {
        guard let m = try top.map("containers") else { return nil }
        try m.allowOnly(["runtime", "command", "bridges", "mode", "workload_labels", "max", "run_dir"])
        var s = ContainerSettings()
        if let r = try m.string("runtime") {
            guard r == "podman" || r == "none" else { throw m.error("runtime", "expected podman or none") }
            s.runtime = r
        }
        if let c = try m.string("command") { s.command = c }
        if let mode = try m.string("mode") {
            guard let v = InterfaceSpec.Mode(rawValue: mode) else { throw m.error("mode", "expected inline or tap") }
            s.mode = v
        }
        func names(_ key: String) throws(ConfigError) -> [String]? {
            guard let node = m.value(key) else { return nil }
            guard let seq = node.sequence, seq.count <= 64 else { throw m.error(key, "expected a list of at most 64 names") }
            var out: [String] = []
            for n in seq {
                guard let t = n.scalar?.string, !t.isEmpty, t.utf8.count <= 253 else { throw m.error(key, "expected a name", at: n) }
                out.append(t)
            }
            return out
        }
        if let b = try names("bridges") {
            for name in b where name.utf8.count > 15 || name.contains("/") {
                throw m.error("bridges", "\"\(name)\" is not an interface name")
            }
            s.bridges = b
        }
        if let l = try names("workload_labels") { s.workloadLabels = l }
        s.max = try m.int("max", in: 1...60) ?? s.max
        if let d = try m.string("run_dir") { s.runDirectory = resolve(d) }
        return s
    }
}
