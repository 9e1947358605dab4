/// Limits and timeouts of one worker's flow table.
public struct FlowConfig: Sendable {
    /// Most flows tracked at once by one worker; the table is allocated at this size.
    public var capacity: Int = 65536
    /// Idle timeout, in seconds, of each timeout class (see `TimeoutClass`).
    public var timeouts = FlowTimeouts()
    /// Defaults: 65,536 flows, Suricata's default timeouts.
    public init() {}
}

/// Idle timeouts in seconds, per protocol and state, with Suricata's defaults.
public struct FlowTimeouts: Sendable {
    public var tcpNew: UInt64 = 60
    public var tcpEstablished: UInt64 = 600
    public var tcpClosed: UInt64 = 60
    public var udpNew: UInt64 = 30
    public var udpEstablished: UInt64 = 300
    public var otherNew: UInt64 = 30
    public var otherEstablished: UInt64 = 300
    /// The defaults.
    public init() {}

    /// Timeouts in nanoseconds indexed by `TimeoutClass.rawValue`.
    public var nanos: [UInt64] {
        [tcpNew, tcpEstablished, tcpClosed, udpNew, udpEstablished, otherNew, otherEstablished]
            .map { $0 * 1_000_000_000 }
    }
}

/// Which idle timeout applies to a flow. Flows of one class sit in one list ordered by last
/// activity, so the oldest of each class is at its head and expiry never scans.
public enum TimeoutClass: UInt8, CaseIterable, Sendable {
    case tcpNew = 0, tcpEstablished, tcpClosed, udpNew, udpEstablished, otherNew, otherEstablished
}
