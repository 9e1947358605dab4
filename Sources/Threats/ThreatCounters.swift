import Codecs

/// What one worker's threat stage counted.
public struct ThreatCounters: Sendable, BitwiseCopyable {
    /// Detections by `ThreatID.index`: every packet or event found to be part of a threat
    /// (a flood counts each packet over its threshold).
    public var detections = ReasonCounts()
    /// Alert records written (one per flow, or per key and window for rate threats).
    public var alerts: UInt64 = 0
    /// Alerts not written because the worker's alert budget for the second was spent.
    public var alertsSuppressed: UInt64 = 0
    /// Packets dropped because a threat blocked them (protect-mode workloads).
    public var drops: UInt64 = 0
    /// Detections that would have blocked had the workload been in protect mode.
    public var wouldBlock: UInt64 = 0
    /// Detections lost because more fired on one packet than the pending queue holds.
    public var queueFull: UInt64 = 0

    /// All zero.
    @inlinable public init() {}

    /// Detections of `id`.
    @inlinable public subscript(id: ThreatID) -> UInt64 { detections[id.index] }

    /// Adds another worker's counters.
    public mutating func add(_ o: ThreatCounters) {
        detections.add(o.detections)
        alerts &+= o.alerts; alertsSuppressed &+= o.alertsSuppressed; drops &+= o.drops
        wouldBlock &+= o.wouldBlock; queueFull &+= o.queueFull
    }
}
