import Codecs
import L7Core
import Policy

/// Writes the policy discover mode learned: one rule per distinct (client group, server
/// group, protocol/port, app) seen, allowing exactly that, under `mode` with `default: deny`.
/// Addresses are placed in the most specific CIDR group of `groups` that holds them (the
/// groups of an existing policy, so learned rules read in its terms); an address no group
/// holds gets a group of its own.
public enum LearnedPolicy {
    /// The policy YAML for `flows`.
    public static func yaml(_ flows: [LearnedFlow], groups: [PolicyGroup] = [], mode: PolicyMode = .protect) -> String {
        var used: [String: [String]] = [:]  // group name -> CIDRs to write
        func group(of a: IPAddress) -> String {
            var best: (name: String, length: Int)?
            for g in groups {
                for c in g.cidrs where c.contains(a) && c.prefixLength > (best?.length ?? -1) { best = (g.name, c.prefixLength) }
            }
            if let best {
                used[best.name] = groups.first { $0.name == best.name }!.cidrs.map(\.description)
                return best.name
            }
            let text = a.description
            let name = "host-" + String(text.map { $0 == "." || $0 == ":" ? "-" : $0 })
            used[name] = [text + (a.isV4 ? "/32" : "/128")]
            return name
        }
        var rules = Set<String>()
        for f in flows {
            let ports: String
            switch f.proto {
            case IPProto.tcp: ports = "tcp/\(f.port)"
            case IPProto.udp: ports = "udp/\(f.port)"
            default: ports = "icmp"
            }
            let apps = f.app == .unknown || f.app == .failed ? "" : ", apps: [\(f.app.name)]"
            rules.insert("from: \(group(of: f.client)), to: \(group(of: f.server)), ports: [\(ports)]\(apps)")
        }
        var out = "# Learned by `sluice policy learn`: allows exactly the flows seen.\n"
        out += "version: 1\nmode: \(mode.name)\ndefault: deny\ngroups:\n"
        for (name, cidrs) in used.sorted(by: { $0.key < $1.key }) {
            out += "  \(name): { cidrs: [\(cidrs.map { "\"\($0)\"" }.joined(separator: ", "))] }\n"
        }
        out += "rules:\n"
        for (i, r) in rules.sorted().enumerated() { out += "  - { id: \((i + 1) * 10), \(r), action: allow }\n" }
        return out
    }
}
