import ControlAPI
import Policy
import ConfigYAML
import SluiceConfig

/// The workload overrides document kept in etcd (`prefix/desired/overrides`): YAML or JSON,
///
///     modes: { web: monitor }
///     quarantined: [db]
///
/// read with the config loader so an error names the key, line and column. `sluice control`
/// validates with it before writing, and each node again before applying.
public enum DesiredOverrides {
    /// The most workloads an overrides document may name.
    public static let maxWorkloads = 4096

    /// Parses `text` (named `file` in errors).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> WorkloadOverrides {
        let top = try ConfigMap.parse(text, file: file)
        try top.allowOnly(["modes", "quarantined"])
        var o = WorkloadOverrides()
        if let modes = try top.map("modes") {
            guard modes.pairs.count <= maxWorkloads else { throw top.error("modes", "more than \(maxWorkloads) workloads") }
            for p in modes.pairs {
                guard let m = p.value.scalar?.string, PolicyMode(name: m) != nil else {
                    throw modes.error(p.key, "expected discover, monitor or protect", at: p.value)
                }
                o.modes[p.key] = m
            }
        }
        if let q = top.value("quarantined") {
            guard let seq = q.sequence else { throw top.error("quarantined", "expected a list of workload names") }
            guard seq.count <= maxWorkloads else { throw top.error("quarantined", "more than \(maxWorkloads) workloads") }
            for n in seq {
                guard let name = n.scalar?.string, !name.isEmpty else { throw top.error("quarantined", "expected a workload name", at: n) }
                if !o.quarantined.contains(name) { o.quarantined.append(name) }
            }
        }
        return o
    }
}
