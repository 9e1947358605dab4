import ConfigYAML
import L7Core
import Yams

extension PolicyDocument {
    /// Loads and validates the policy in `path`. Every error names the file, line, column
    /// and key of the problem.
    public static func load(path: String) throws(ConfigError) -> PolicyDocument {
        try parse(readConfigFile(path), file: path)
    }

    /// Validates `text` as the contents of `file`.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> PolicyDocument {
        var reader = PolicyReader(file: file)
        return try reader.read(ConfigMap.parse(text, file: file))
    }
}

/// The most a policy may hold. Compiling costs time in proportion to CIDRs times the CIDRs
/// that overlap them and to rules times their (from, to) pairs, so each is bounded well above
/// what a cluster's policy needs, and a document that asks for more is an error, not minutes
/// of work for the control plane or the daemon.
public enum PolicyLimits {
    /// Groups.
    public static let maxGroups = 4096
    /// CIDRs over all groups.
    public static let maxCIDRs = 10_000
    /// FQDN patterns over all groups.
    public static let maxFQDNs = 10_000
    /// Rules.
    public static let maxRules = 10_000
    /// Groups named in one rule's `from`, and in its `to`.
    public static let maxGroupsPerSide = 256
    /// (from, to) group pairs over all rules.
    public static let maxPairs = 1 << 18
    /// Port specs in one rule.
    public static let maxPortsPerRule = 256
    /// Sensors one workload names (a set holds at most 64).
    public static let maxSensorsPerWorkload = 64
    /// Rule ids one sensor binding disables (a set holds at most 10,000 rules).
    public static let maxDisabledRulesPerBinding = 10_000
}

/// Reads the YAML tree into a `PolicyDocument`, checking references as it goes. Kept apart
/// from the document type so the model stays plain data.
struct PolicyReader {
    let file: String
    var cidrCount = 0, fqdnCount = 0, pairCount = 0

    /// Fails with "at most" when `count` exceeds `limit`.
    func bound(_ count: Int, _ limit: Int, _ what: String, _ node: Node?, _ key: String) throws(ConfigError) {
        guard count <= limit else { throw fail(node, key, "more than \(limit) \(what); a policy holds at most \(limit)") }
    }

    func fail(_ node: Node?, _ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, key: key, reason: reason)
    }

    func scalar(_ node: Node, _ key: String, _ what: String) throws(ConfigError) -> String {
        guard let s = node.scalar?.string else { throw fail(node, key, "expected \(what)") }
        return s
    }

    /// The items of a sequence (a lone scalar is accepted where `scalarOK`, as a list of one).
    func items(_ node: Node, _ key: String, scalarOK: Bool = false) throws(ConfigError) -> [Node] {
        if let seq = node.sequence { return Array(seq) }
        if scalarOK, node.scalar != nil { return [node] }
        throw fail(node, key, scalarOK ? "expected a name or a list of names" : "expected a list")
    }

    mutating func read(_ top: ConfigMap) throws(ConfigError) -> PolicyDocument {
        try top.allowOnly(["version", "mode", "default", "unknown", "groups", "workloads", "rules"])
        var doc = PolicyDocument()
        guard top.value("version") != nil else { throw top.error("version", "missing (this format is version 1)") }
        doc.version = try top.int("version", in: 1...1) ?? 1
        if let m = try top.string("mode") {
            guard let mode = PolicyMode(name: m) else { throw top.error("mode", "unknown mode \"\(m)\" (expected discover, monitor or protect)") }
            doc.mode = mode
        }
        if let a = try top.string("default") { doc.defaultAction = try action(a, top, "default") }
        if let a = try top.string("unknown") { doc.unknownAction = try action(a, top, "unknown") }

        var groupIndex: [String: Int] = [:]
        if let groups = try top.map("groups") {
            try bound(groups.pairs.count, PolicyLimits.maxGroups, "groups", groups.node, "groups")
            for (name, keyNode, value) in groups.pairs {
                let path = "groups.\(name)"
                guard name != PolicyDocument.anyGroup else { throw fail(keyNode, path, "\"any\" is a keyword and cannot name a group") }
                let g = try ConfigMap(node: value, file: file, path: path)
                try g.allowOnly(["cidrs", "fqdns"])
                var group = PolicyGroup(name: name)
                if let list = g.value("cidrs") {
                    for (i, n) in try items(list, "\(path).cidrs").enumerated() {
                        cidrCount += 1
                        try bound(cidrCount, PolicyLimits.maxCIDRs, "CIDRs", n, "\(path).cidrs[\(i)]")
                        let text = try scalar(n, "\(path).cidrs[\(i)]", "a CIDR")
                        do {
                            group.cidrs.append(try CIDR(parsing: text))
                        } catch {
                            throw fail(n, "\(path).cidrs[\(i)]", "bad CIDR \"\(text)\": \(error)")
                        }
                    }
                }
                if let list = g.value("fqdns") {
                    for (i, n) in try items(list, "\(path).fqdns").enumerated() {
                        fqdnCount += 1
                        try bound(fqdnCount, PolicyLimits.maxFQDNs, "FQDN patterns", n, "\(path).fqdns[\(i)]")
                        let text = try scalar(n, "\(path).fqdns[\(i)]", "a DNS name pattern")
                        switch FQDNPattern.parse(text) {
                        case .success(let p): group.fqdns.append(p)
                        case .failure(let e): throw fail(n, "\(path).fqdns[\(i)]", "bad FQDN pattern \"\(text)\": \(e)")
                        }
                    }
                }
                groupIndex[name] = doc.groups.count
                doc.groups.append(group)
            }
        }

        if let workloads = try top.map("workloads") {
            var groupOwner: [String: String] = [:]
            for (name, _, value) in workloads.pairs {
                let path = "workloads.\(name)"
                let w = try ConfigMap(node: value, file: file, path: path)
                try w.allowOnly(["group", "mode", "sensors", "quarantine"])
                guard let g = try w.string("group") else { throw w.error("group", "missing (the CIDR group whose addresses are this workload)") }
                guard let gi = groupIndex[g] else { throw w.error("group", "unknown group \"\(g)\"") }
                guard !doc.groups[gi].cidrs.isEmpty, doc.groups[gi].fqdns.isEmpty else {
                    throw w.error("group", "group \"\(g)\" must be defined by cidrs only: a workload is a set of addresses")
                }
                if let other = groupOwner[g] { throw w.error("group", "group \"\(g)\" is already workload \"\(other)\"") }
                groupOwner[g] = name
                var workload = Workload(name: name, group: g)
                if let m = try w.string("mode") {
                    guard let mode = PolicyMode(name: m) else { throw w.error("mode", "unknown mode \"\(m)\" (expected discover, monitor or protect)") }
                    workload.mode = mode
                }
                if let list = w.value("sensors") {
                    let names = try items(list, "\(path).sensors")
                    guard names.count <= PolicyLimits.maxSensorsPerWorkload else {
                        throw w.error("sensors", "\(names.count) sensors; a workload names at most \(PolicyLimits.maxSensorsPerWorkload)")
                    }
                    for (i, n) in names.enumerated() {
                        let binding = try sensorBinding(n, "\(path).sensors[\(i)]")
                        if workload.bindings.contains(where: { $0.name == binding.name }) {
                            throw fail(n, "\(path).sensors[\(i)]", "sensor \"\(binding.name)\" is bound twice")
                        }
                        workload.bindings.append(binding)
                    }
                }
                workload.quarantine = try w.bool("quarantine") ?? false
                doc.workloads.append(workload)
            }
        }

        if let rules = top.value("rules"), !PolicyReader.isNull(rules) {
            var firstLine: [Int: Int] = [:]
            let ruleNodes = try items(rules, "rules")
            try bound(ruleNodes.count, PolicyLimits.maxRules, "rules", rules, "rules")
            for (i, node) in ruleNodes.enumerated() {
                let r = try ConfigMap(node: node, file: file, path: "rules[\(i)]")
                try r.allowOnly(["id", "from", "to", "ports", "apps", "action"])
                guard let id = try r.int("id", in: 0...Int(Int32.max)) else { throw r.error("id", "missing (rules are evaluated by ascending id)") }
                if let line = firstLine[id] { throw r.error("id", "duplicate rule id \(id) (first used on line \(line))") }
                firstLine[id] = r.value("id")?.mark?.line ?? 0
                let from = try groupNames(r, "from", groupIndex, doc.groups, sourceSide: true)
                let to = try groupNames(r, "to", groupIndex, doc.groups, sourceSide: false)
                pairCount += from.count * to.count
                try bound(pairCount, PolicyLimits.maxPairs, "(from, to) group pairs over all rules", node, "rules[\(i)]")
                var ports: [PortRange] = []
                if let list = r.value("ports") {
                    let specs = try items(list, "rules[\(i)].ports")
                    guard specs.count <= PolicyLimits.maxPortsPerRule else {
                        throw r.error("ports", "\(specs.count) port specs; a rule holds at most \(PolicyLimits.maxPortsPerRule)")
                    }
                    for (j, n) in specs.enumerated() {
                        let text = try scalar(n, "rules[\(i)].ports[\(j)]", "a port spec")
                        switch PortRange.parse(text) {
                        case .success(let p): ports.append(p)
                        case .failure(let e): throw fail(n, "rules[\(i)].ports[\(j)]", "bad port spec \"\(text)\": \(e)")
                        }
                    }
                    if ports.isEmpty { throw r.error("ports", "empty list (leave ports out, or write [any], to match every port)") }
                } else {
                    ports = [.any]
                }
                var apps: [AppProto] = []
                if let list = r.value("apps") {
                    for (j, n) in try items(list, "rules[\(i)].apps").enumerated() {
                        let text = try scalar(n, "rules[\(i)].apps[\(j)]", "an application name")
                        guard let p = AppProto(name: text), p != .unknown, p != .failed else {
                            let known = AppProto.allCases.filter { $0 != .unknown && $0 != .failed }.map { "\($0.name)" }
                            throw fail(n, "rules[\(i)].apps[\(j)]", "unknown app \"\(text)\" (expected one of: \(known.joined(separator: ", ")))")
                        }
                        if !apps.contains(p) { apps.append(p) }
                    }
                    if apps.isEmpty { throw r.error("apps", "empty list (leave apps out to match every application)") }
                }
                guard let a = try r.string("action") else { throw r.error("action", "missing (allow or deny)") }
                let act = try action(a, r, "action")
                doc.rules.append(PolicyRule(id: id, from: from, to: to, ports: ports, apps: apps, action: act))
            }
        }
        return doc
    }

    /// One entry of a workload's `sensors`: a name (the rules' own actions), or
    /// `{ name, action: alert|block, disable: [rule ids] }`.
    func sensorBinding(_ n: Node, _ key: String) throws(ConfigError) -> SensorBinding {
        if n.scalar != nil { return SensorBinding(name: try scalar(n, key, "a sensor name")) }
        let m = try ConfigMap(node: n, file: file, path: key)
        try m.allowOnly(["name", "action", "disable"])
        guard let name = try m.string("name") else { throw m.error("name", "missing (the sensor to bind)") }
        var binding = SensorBinding(name: name)
        if let a = try m.string("action") {
            guard let action = SensorBinding.Action.allCases.first(where: { $0.name == a }) else {
                throw m.error("action", "unknown sensor action \"\(a)\" (expected alert or block)")
            }
            binding.action = action
        }
        if let list = m.value("disable") {
            let ids = try items(list, "\(key).disable")
            guard ids.count <= PolicyLimits.maxDisabledRulesPerBinding else {
                throw m.error("disable", "\(ids.count) rule ids; a binding disables at most \(PolicyLimits.maxDisabledRulesPerBinding)")
            }
            for (j, idNode) in ids.enumerated() {
                let text = try scalar(idNode, "\(key).disable[\(j)]", "a rule id")
                guard let id = UInt32(text) else { throw fail(idNode, "\(key).disable[\(j)]", "bad rule id \"\(text)\" (expected 0 to \(UInt32.max))") }
                if !binding.disabledRules.contains(id) { binding.disabledRules.append(id) }
            }
        }
        return binding
    }

    /// An empty value (`rules:` with nothing under it) reads as absent, like an empty section.
    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let s) = node { return ["", "~", "null"].contains(s.string) }
        return false
    }

    func action(_ text: String, _ map: ConfigMap, _ key: String) throws(ConfigError) -> PolicyAction {
        guard let a = PolicyAction(name: text) else { throw map.error(key, "unknown action \"\(text)\" (expected allow or deny)") }
        return a
    }

    /// The groups of a rule's `from` or `to`: names that exist, or `any`. FQDN groups name
    /// destinations, so they are refused as sources.
    func groupNames(_ r: ConfigMap, _ key: String, _ index: [String: Int], _ groups: [PolicyGroup],
                    sourceSide: Bool) throws(ConfigError) -> [String] {
        guard let v = r.value(key) else { throw r.error(key, "missing (a group name or any)") }
        var out: [String] = []
        let names = try items(v, "\(r.path).\(key)", scalarOK: true)
        guard names.count <= PolicyLimits.maxGroupsPerSide else {
            throw r.error(key, "\(names.count) groups; a rule names at most \(PolicyLimits.maxGroupsPerSide)")
        }
        for n in names {
            let name = try scalar(n, "\(r.path).\(key)", "a group name")
            if name != PolicyDocument.anyGroup {
                guard let gi = index[name] else { throw fail(n, "\(r.path).\(key)", "unknown group \"\(name)\"") }
                if sourceSide && !groups[gi].fqdns.isEmpty {
                    throw fail(n, "\(r.path).\(key)", "group \"\(name)\" has fqdns, which only describe destinations")
                }
            }
            if !out.contains(name) { out.append(name) }
        }
        guard !out.isEmpty else { throw r.error(key, "empty list") }
        return out
    }
}
