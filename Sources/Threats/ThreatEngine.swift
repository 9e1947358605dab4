import Codecs
import Flow
import Stream

/// One worker's threat stage: the rate tables, the per-flow state and the detections waiting
/// to be acted on. The L7 stage calls it with what decode, defrag, flow tracking, the stream
/// and the parsers know; it answers by queueing `ThreatHit`s, which the stage (or the policy
/// stage above it, which knows workloads and modes) turns into alerts and drops.
///
/// Nothing here allocates after `init`. Rate thresholds are node-wide: the flow hash spreads
/// one attack's packets over every worker (a SYN flood from random ports lands on all of
/// them), so each worker compares its own count against `threshold / workers`, rounded up.
/// An attack that all lands on one worker (one 5-tuple) is then seen early rather than late.
public struct ThreatEngine: ~Copyable {
    /// The thresholds and actions.
    public let config: ThreatConfig
    /// What was counted.
    public var counters = ThreatCounters()
    /// Per-window rates (1 s: floods and invalid packets) and per-minute rates (tunneling,
    /// slowloris, brute force, no-data connections).
    @usableFromInline var perSecond: RateSketch
    @usableFromInline var perMinute: RateSketch
    /// Open flows per source address (no window: counted up at a flow's start, down at its end).
    @usableFromInline var sessions: RateSketch
    @usableFromInline var reported = ReportedTable()
    /// Hashes of recent tunnel-like DNS names (a direct-mapped table): repeats do not count.
    @usableFromInline let recentNames: UnsafeMutablePointer<UInt64>
    /// Slots of `recentNames`.
    public static let recentNameSlots = 4096
    @usableFromInline var flowState: UnsafeMutablePointer<ThreatFlow>?
    @usableFromInline var capacity = 0
    @usableFromInline let pending: UnsafeMutablePointer<ThreatHit>
    /// Hits waiting in `pending`.
    public var pendingCount = 0
    /// This worker's share of each rate threshold.
    @usableFromInline let synFlood: UInt32, icmpFlood: UInt32, sessionLimit: UInt32
    @usableFromInline let dnsTunnel: UInt32, icmpTunnel: UInt32, noData: UInt32, slowloris: UInt32, mysqlDenied: UInt32
    /// Alert records this worker may write per second (the rest are counted as suppressed).
    @usableFromInline let alertBudget: UInt32 = 200
    @usableFromInline var alertWindow: UInt64 = 0
    @usableFromInline var alertsInWindow: UInt32 = 0
    /// Whether the stage that owns this engine hands hits to a policy stage above it, which
    /// decides actions by workload; otherwise the owner alerts on its own.
    public var deferToPolicy = false

    /// The queue capacity of `pending`.
    public static let pendingCapacity = 8

    /// An engine with `config`, for one of `workers` workers sharing the traffic.
    public init(config: ThreatConfig = ThreatConfig(), workers: Int = 1) {
        self.config = config
        let n = UInt32(clamping: max(1, workers))
        func share(_ v: UInt32) -> UInt32 { max(1, (v &+ n &- 1) / n) }
        synFlood = share(config.synFloodPerSecond)
        icmpFlood = share(config.icmpFloodPerSecond)
        sessionLimit = share(config.sessionsPerSource)
        dnsTunnel = share(config.dnsTunnelPerMinute)
        icmpTunnel = share(config.icmpTunnelPerMinute)
        noData = share(config.noClientDataPerMinute)
        slowloris = share(config.slowlorisPerMinute)
        mysqlDenied = share(config.mysqlDeniedPerMinute)
        perSecond = RateSketch(width: config.rateTableWidth, windowNanos: 1_000_000_000)
        perMinute = RateSketch(width: config.rateTableWidth, windowNanos: 60_000_000_000)
        sessions = RateSketch(width: config.rateTableWidth, windowNanos: 0)
        pending = .allocate(capacity: Self.pendingCapacity)
        recentNames = .allocate(capacity: Self.recentNameSlots)
        recentNames.initialize(repeating: 0, count: Self.recentNameSlots)
    }

    deinit {
        flowState?.deallocate()
        pending.deallocate()
        recentNames.deallocate()
    }

    /// Sizes the per-flow state to the worker's flow table.
    public mutating func attach(capacity: Int) {
        flowState?.deallocate()
        self.capacity = capacity
        flowState = .allocate(capacity: capacity)
        flowState!.initialize(repeating: ThreatFlow(), count: capacity)
    }

    /// Whether any threat is detected.
    @inlinable public var isEnabled: Bool { config.enabled != 0 && flowState != nil }

    /// The pending hit at `i` (0..<pendingCount).
    @inlinable public func hit(_ i: Int) -> ThreatHit { pending[i] }

    /// Forgets the pending hits (the stage acted on them).
    @inlinable public mutating func clearPending() { pendingCount = 0 }

    /// Whether the flow in slot `flow` (with id `flowID`) was blocked by a threat.
    @inlinable public func isBlocked(flow: UInt32, flowID: UInt64) -> Bool {
        guard let flowState, Int(flow) < capacity else { return false }
        return flowState[Int(flow)].blocked && flowState[Int(flow)].flowID == flowID
    }

    /// Blocks the flow in slot `flow`: its later packets are dropped.
    @inlinable public mutating func block(flow: UInt32, flowID: UInt64) {
        guard let flowState, Int(flow) < capacity, flowState[Int(flow)].flowID == flowID else { return }
        flowState[Int(flow)].blocked = true
    }

    /// Whether one more alert record fits this second's budget (a spread attack's alerts
    /// cannot flood the EVE output); counts the suppressed ones.
    @inlinable public mutating func admitAlert(now: UInt64) -> Bool {
        let w = now / 1_000_000_000
        if w != alertWindow { alertWindow = w; alertsInWindow = 0 }
        guard alertsInWindow < alertBudget else { counters.alertsSuppressed &+= 1; return false }
        alertsInWindow &+= 1
        counters.alerts &+= 1
        return true
    }

    /// The flow's threat state, reset when the slot holds a new flow (and that new flow
    /// counted toward its client's sessions).
    @inlinable
    mutating func flowSlot(_ flow: UInt32, _ e: UnsafeMutablePointer<FlowEntry>) -> UnsafeMutablePointer<ThreatFlow> {
        let t = flowState! + Int(flow)
        if t.pointee.flowID != e.pointee.flowID {
            t.pointee = ThreatFlow()
            t.pointee.flowID = e.pointee.flowID
        }
        return t
    }

    /// Queues a hit. `flowOnce`: reported once per flow (`t` required); otherwise reported
    /// once per `key` and window of `sketch`.
    @inlinable
    mutating func fire(_ id: ThreatID, src: IPAddress, dst: IPAddress, srcPort: UInt16, dstPort: UInt16, proto: UInt8,
                       flow: UInt32, flowID: UInt64, t: UnsafeMutablePointer<ThreatFlow>?, key: UInt64, window: UInt64,
                       now: UInt64, blocksFlow: Bool, toServer: Bool, value: UInt64, threshold: UInt64) {
        counters.detections.bump(id.index)
        let report: Bool
        if key != 0 {
            report = reported.first(key, window: window)
        } else if let t {
            report = t.pointee.fired & id.bit == 0
            t.pointee.fired |= id.bit
        } else {
            report = true
        }
        guard pendingCount < Self.pendingCapacity else { counters.queueFull &+= 1; return }
        pending[pendingCount] = ThreatHit(id: id, src: src, dst: dst, srcPort: srcPort, dstPort: dstPort, proto: proto,
                                          flow: flow, flowID: flowID, timestamp: now, report: report, blocksFlow: blocksFlow,
                                          toServer: toServer, value: value, threshold: threshold)
        pendingCount &+= 1
    }

    /// Queues a hit on a flow.
    @inlinable
    mutating func fire(_ id: ThreatID, flow: UInt32, _ e: UnsafeMutablePointer<FlowEntry>, _ t: UnsafeMutablePointer<ThreatFlow>,
                       key: UInt64 = 0, window: UInt64 = 0, now: UInt64, blocksFlow: Bool = true, toServer: Bool = true,
                       value: UInt64 = 0, threshold: UInt64 = 0) {
        fire(id, src: e.pointee.client, dst: e.pointee.server, srcPort: e.pointee.clientPort, dstPort: e.pointee.serverPort,
             proto: e.pointee.proto, flow: flow, flowID: e.pointee.flowID, t: t, key: key, window: window, now: now,
             blocksFlow: blocksFlow, toServer: toServer, value: value, threshold: threshold)
    }
}
