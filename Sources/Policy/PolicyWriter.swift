import L7Core

extension PolicyDocument {
    /// The document as a policy file that ``parse(_:file:)`` reads back to an equal document:
    /// what a merged or edited policy is written as, for a person to review before pushing it.
    /// Names and addresses are double-quoted, so no name can change the YAML's structure.
    public var yaml: String {
        var out = "version: \(version)\nmode: \(mode.name)\ndefault: \(defaultAction.name)\n"
        if let unknownAction { out += "unknown: \(unknownAction.name)\n" }
        if !groups.isEmpty {
            out += "groups:\n"
            for g in groups {
                var parts: [String] = []
                if !g.cidrs.isEmpty { parts.append("cidrs: [\(g.cidrs.map { Self.quoted($0.description) }.joined(separator: ", "))]") }
                if !g.fqdns.isEmpty { parts.append("fqdns: [\(g.fqdns.map { Self.quoted($0.description) }.joined(separator: ", "))]") }
                out += "  \(Self.quoted(g.name)): { \(parts.joined(separator: ", ")) }\n"
            }
        }
        if !workloads.isEmpty {
            out += "workloads:\n"
            for w in workloads {
                var parts = ["group: \(Self.quoted(w.group))"]
                if let m = w.mode { parts.append("mode: \(m.name)") }
                if !w.bindings.isEmpty { parts.append("sensors: [\(w.bindings.map(Self.binding).joined(separator: ", "))]") }
                if w.quarantine { parts.append("quarantine: true") }
                out += "  \(Self.quoted(w.name)): { \(parts.joined(separator: ", ")) }\n"
            }
        }
        if !rules.isEmpty {
            out += "rules:\n"
            for r in rules {
                var parts = ["id: \(r.id)", "from: [\(r.from.map(Self.quoted).joined(separator: ", "))]",
                             "to: [\(r.to.map(Self.quoted).joined(separator: ", "))]"]
                if r.ports != [.any] { parts.append("ports: [\(r.ports.map(\.description).joined(separator: ", "))]") }
                if !r.apps.isEmpty { parts.append("apps: [\(r.apps.map { "\($0.name)" }.joined(separator: ", "))]") }
                parts.append("action: \(r.action.name)")
                out += "  - { \(parts.joined(separator: ", ")) }\n"
            }
        }
        return out
    }

    static func binding(_ b: SensorBinding) -> String {
        guard b.action != nil || !b.disabledRules.isEmpty else { return quoted(b.name) }
        var parts = ["name: \(quoted(b.name))"]
        if let a = b.action { parts.append("action: \(a.name)") }
        if !b.disabledRules.isEmpty { parts.append("disable: [\(b.disabledRules.map(String.init).joined(separator: ", "))]") }
        return "{ \(parts.joined(separator: ", ")) }"
    }

    /// `s` as a YAML double-quoted scalar.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\x" + String(repeating: "0", count: max(0, 2 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
