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

/// What merging learned shapes into a policy did.
public struct LearnedMerge: Sendable {
    /// The policy with the new groups and rules.
    public var document: PolicyDocument
    /// Rules added.
    public var added: Int
    /// Shapes the policy already allowed.
    public var alreadyAllowed: Int
    /// Shapes an explicit deny rule of the policy matches: left denied (the rule is the
    /// user's decision), listed for review.
    public var explicitlyDenied: [LearnedFlow]
}

extension LearnedPolicy {
    /// Merges `flows` into `policy`: each shape its rules do not allow yet becomes an allow
    /// rule (addresses placed in the policy's most specific CIDR group, else a new host group),
    /// numbered after the policy's last rule so existing rules keep their ids, order and hit
    /// counters. Workloads, modes and sensor bindings are kept as they are.
    public static func merge(_ flows: [LearnedFlow], into policy: PolicyDocument) -> LearnedMerge {
        var doc = policy
        // Classified as protect: "allowed" must mean a rule allows it, whatever the mode.
        var probe = policy
        probe.mode = .protect
        for i in probe.workloads.indices { probe.workloads[i].mode = .protect; probe.workloads[i].quarantine = false }
        let compiled = CompiledPolicy(probe)
        var groupNames = Set(doc.groups.map(\.name))
        func group(of a: IPAddress) -> String {
            var best: (name: String, length: Int)?
            for g in doc.groups where g.fqdns.isEmpty {
                for c in g.cidrs where c.contains(a) && c.prefixLength > (best?.length ?? -1) { best = (g.name, c.prefixLength) }
            }
            if let best { return best.name }
            let text = a.description
            var name = "host-" + String(text.map { $0 == "." || $0 == ":" ? "-" : $0 })
            while groupNames.contains(name) { name += "-learned" }
            groupNames.insert(name)
            doc.groups.append(PolicyGroup(name: name, cidrs: [CIDR(address: a, prefixLength: 128, isV4: a.isV4)]))
            return name
        }
        var nextID = (doc.rules.map(\.id).max() ?? 0) / 10 * 10 + 10
        var seen = Set<String>()
        var added = 0, allowed = 0
        var denied: [LearnedFlow] = []
        for f in flows.sorted(by: { "\($0.client)\($0.server)\($0.proto)\($0.port)" < "\($1.client)\($1.server)\($1.proto)\($1.port)" }) {
            let app: AppProto = f.app == .unknown ? .failed : f.app
            let d = compiled.classify(src: f.client, dst: f.server, proto: f.proto, dstPort: f.port, app: app, fqdn: .empty)
            if d.action == .allow { allowed += 1; continue }
            if d.ruleID != nil { denied.append(f); continue }
            let port: PortRange
            switch f.proto {
            case IPProto.tcp: port = PortRange(transport: .tcp, low: f.port, high: f.port)
            case IPProto.udp: port = PortRange(transport: .udp, low: f.port, high: f.port)
            default: port = PortRange(transport: .portless, low: 0, high: 0)
            }
            let apps: [AppProto] = f.app == .unknown || f.app == .failed ? [] : [f.app]
            let from = group(of: f.client), to = group(of: f.server)
            guard seen.insert("\(from)|\(to)|\(port)|\(apps.map { "\($0.name)" })").inserted else { continue }
            guard nextID <= Int(Int32.max) else { break }
            doc.rules.append(PolicyRule(id: nextID, from: [from], to: [to], ports: [port], apps: apps, action: .allow))
            nextID += 10
            added += 1
        }
        return LearnedMerge(document: doc, added: added, alreadyAllowed: allowed, explicitlyDenied: denied)
    }
}
