/// Thresholds and actions of the threat stage (`threats:` in the engine config). Rates are
/// per node: each worker compares its own count against its share (`threshold / workers`,
/// see `ThreatEngine`), since the flow hash spreads one attack over every worker.
public struct ThreatConfig: Sendable {
    /// Threats detected at all (`disable:` removes some).
    public var enabled: ThreatMask = .allThreats
    /// Threats whose action is `block` (dropped where the workload is in protect mode); the
    /// others only alert. Every threat alerts unless `actions:` says block.
    public var blocking: ThreatMask = 0
    /// Per-workload overrides of `blocking`, by workload name: (block, alert) masks.
    public var workloadActions: [String: (block: ThreatMask, alert: ThreatMask)] = [:]
    /// SYNs (without ACK) per second to one destination address.
    public var synFloodPerSecond: UInt32 = 1000
    /// ICMP/ICMPv6 echo requests per second to one destination address.
    public var icmpFloodPerSecond: UInt32 = 1000
    /// Flows open at once from one source address.
    public var sessionsPerSource: UInt32 = 1000
    /// An advertised TCP window (unscaled, not zero) below this on an established connection.
    public var smallWindow: UInt16 = 64
    /// A SYN's MSS option below this.
    public var smallMSS: UInt16 = 500
    /// DNS query names at least this long (text form) count as tunnel-like…
    public var dnsTunnelNameLength: Int = 50
    /// …when their characters carry at least this many bits of entropy each (× 100).
    public var dnsTunnelEntropyCentibits: Int = 400
    /// Tunnel-like queries per minute from one client.
    public var dnsTunnelPerMinute: UInt32 = 30
    /// ICMP echo payloads at least this long count as tunnel-like…
    public var icmpTunnelPayload: Int = 256
    /// …and this many per minute from one source is ICMP tunneling.
    public var icmpTunnelPerMinute: UInt32 = 30
    /// Established TCP connections closed without a client byte, per minute from one source.
    public var noClientDataPerMinute: UInt32 = 50
    /// An HTTP request whose headers are still incomplete after this many seconds is slow…
    public var slowlorisHeaderSeconds: UInt64 = 10
    /// …and this many slow requests per minute to one destination is slowloris.
    public var slowlorisPerMinute: UInt32 = 20
    /// MySQL access-denied replies per minute to one client.
    public var mysqlDeniedPerMinute: UInt32 = 10
    /// Cells per row of each rate table (count-min sketch, two rows); a power of two.
    public var rateTableWidth: Int = 4096

    /// The defaults.
    public init() {}

    /// Whether `id` is detected.
    @inlinable public func isEnabled(_ id: ThreatID) -> Bool { enabled & id.bit != 0 }

    /// The threats that block for workload `name` (the global `blocking` with its overrides).
    public func blockMask(workload name: String?) -> ThreatMask {
        guard let name, let o = workloadActions[name] else { return blocking }
        return (blocking | o.block) & ~o.alert
    }
}

extension ThreatConfig {
    /// The threshold `id` is judged by, in words (`sluice ctl threats`, docs); nil for fixed checks.
    public func thresholdText(_ id: ThreatID) -> String? {
        switch id {
        case .tcpSynFlood: return "\(synFloodPerSecond) SYNs/s to one destination"
        case .icmpFlood: return "\(icmpFloodPerSecond) echo requests/s to one destination"
        case .sourceSessionLimit: return "\(sessionsPerSource) open flows from one source"
        case .tcpSmallWindow: return "window below \(smallWindow) bytes"
        case .tcpSmallMSS: return "MSS below \(smallMSS)"
        case .dnsTunneling:
            return "\(dnsTunnelPerMinute)/min from one client of names >= \(dnsTunnelNameLength) chars with >= \(Double(dnsTunnelEntropyCentibits) / 100) bits/char"
        case .icmpTunneling: return "\(icmpTunnelPerMinute)/min from one source of echo payloads >= \(icmpTunnelPayload) bytes"
        case .tcpNoClientData: return "\(noClientDataPerMinute)/min from one source"
        case .httpSlowloris: return "\(slowlorisPerMinute)/min to one destination of requests with headers incomplete after \(slowlorisHeaderSeconds)s"
        case .mysqlAccessDenied: return "\(mysqlDeniedPerMinute)/min to one client"
        case .pingOfDeath: return "datagram end past 65535 bytes"
        default: return nil
        }
    }
}
