import ConfigYAML
import Yams
import Threats

/// The `threats:` section of the engine config: which threats are detected, which block,
/// per workload, and the thresholds. Every error names the file, the line and the key.
enum ThreatSettings {
    static let keys = ["enabled", "disable", "actions", "workloads", "syn_flood_per_second", "icmp_flood_per_second",
                       "sessions_per_source", "small_window", "small_mss", "dns_tunnel_name_length", "dns_tunnel_entropy",
                       "dns_tunnel_per_minute", "icmp_tunnel_payload", "icmp_tunnel_per_minute", "no_client_data_per_minute",
                       "slowloris_header_timeout", "slowloris_per_minute", "mysql_denied_per_minute", "rate_table_width"]

    static func parse(_ m: ConfigMap, into c: inout ThreatConfig) throws(ConfigError) {
        try m.allowOnly(keys)
        // `enabled: false` turns the whole stage off (nothing runs per packet).
        if let on = try m.bool("enabled"), !on { c.enabled = 0 }
        if let list = m.value("disable") {
            guard let items = list.sequence else { throw m.error("disable", "expected a list of threat names") }
            for n in items { c.enabled &= ~(try threat(n.scalar?.string, m, "disable", at: n)).bit }
        }
        if let actions = try m.map("actions") {
            c.blocking = try actionMasks(actions, base: 0).block
        }
        if let workloads = try m.map("workloads") {
            for p in workloads.pairs {
                let w = try ConfigMap(node: p.value, file: m.file, path: "\(workloads.path).\(p.key)")
                c.workloadActions[p.key] = try actionMasks(w, base: 0)
            }
        }
        func rate(_ key: String, _ range: ClosedRange<Int>) throws(ConfigError) -> UInt32? {
            try m.int(key, in: range).map { UInt32($0) }
        }
        let big = 1...(1 << 30)
        if let v = try rate("syn_flood_per_second", big) { c.synFloodPerSecond = v }
        if let v = try rate("icmp_flood_per_second", big) { c.icmpFloodPerSecond = v }
        if let v = try rate("sessions_per_source", big) { c.sessionsPerSource = v }
        if let v = try m.int("small_window", in: 1...65535) { c.smallWindow = UInt16(v) }
        if let v = try m.int("small_mss", in: 1...65535) { c.smallMSS = UInt16(v) }
        if let v = try m.int("dns_tunnel_name_length", in: 1...255) { c.dnsTunnelNameLength = v }
        if let n = m.value("dns_tunnel_entropy") {
            guard let d = n.scalar.flatMap({ Double($0.string) }), d >= 0, d <= 8 else {
                throw m.error("dns_tunnel_entropy", "expected bits per character between 0 and 8", at: n)
            }
            c.dnsTunnelEntropyCentibits = Int(d * 100)
        }
        if let v = try rate("dns_tunnel_per_minute", big) { c.dnsTunnelPerMinute = v }
        if let v = try m.int("icmp_tunnel_payload", in: 1...65535) { c.icmpTunnelPayload = v }
        if let v = try rate("icmp_tunnel_per_minute", big) { c.icmpTunnelPerMinute = v }
        if let v = try rate("no_client_data_per_minute", big) { c.noClientDataPerMinute = v }
        if let v = try m.seconds("slowloris_header_timeout", in: 1...3600) { c.slowlorisHeaderSeconds = UInt64(v) }
        if let v = try rate("slowloris_per_minute", big) { c.slowlorisPerMinute = v }
        if let v = try rate("mysql_denied_per_minute", big) { c.mysqlDeniedPerMinute = v }
        if let v = try m.int("rate_table_width", in: 64...(1 << 24)) {
            guard v & (v - 1) == 0 else { throw m.error("rate_table_width", "must be a power of two") }
            c.rateTableWidth = v
        }
    }

    /// A mapping of threat names (or `default`) to `alert` or `block`.
    static func actionMasks(_ m: ConfigMap, base: ThreatMask) throws(ConfigError) -> (block: ThreatMask, alert: ThreatMask) {
        var block: ThreatMask = base, alert: ThreatMask = 0
        for p in m.pairs {
            let action = p.value.scalar?.string
            guard action == "alert" || action == "block" else {
                throw m.error(p.key, "expected alert or block", at: p.value)
            }
            let bits = p.key == "default" ? ThreatMask.allThreats : try threat(p.key, m, p.key, at: p.keyNode).bit
            if action == "block" { block |= bits; alert &= ~bits } else { alert |= bits; block &= ~bits }
        }
        return (block, alert)
    }

    static func threat(_ name: String?, _ m: ConfigMap, _ key: String, at node: Node) throws(ConfigError) -> ThreatID {
        guard let name, let t = ThreatID(name: name) else {
            throw m.error(key, "unknown threat \"\(name ?? "")\" (known: \(ThreatID.allCases.map { "\($0.name)" }.joined(separator: ", ")))", at: node)
        }
        return t
    }
}
