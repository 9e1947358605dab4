import Codecs
import Defrag
import Stream

/// Per-worker counters beyond the decoder's: flows and what happened to them.
public struct FlowCounters: Sendable {
    /// Flows created.
    public var created: UInt64 = 0
    /// Flows ended by idle timeout.
    public var timedOut: UInt64 = 0
    /// Flows evicted because the table was full.
    public var evicted: UInt64 = 0
    /// Flows replaced by a new connection on the same 5-tuple (TCP port reuse).
    public var reused: UInt64 = 0
    /// Flows ended at shutdown.
    public var shutdown: UInt64 = 0
    /// Flows ended, by protocol.
    public var tcp: UInt64 = 0
    public var udp: UInt64 = 0
    public var icmp: UInt64 = 0
    public var other: UInt64 = 0
    /// Highest number of flows held at once.
    public var peakActive: Int = 0

    /// All zero.
    public init() {}
}

/// A snapshot of everything a worker counted.
public struct EngineStats: Sendable {
    public var decode = DecodeCounters()
    public var defrag = DefragCounters()
    public var stream = StreamCounters()
    public var flows = FlowCounters()
    /// Flows held when the snapshot was taken.
    public var activeFlows = 0
    /// Busiest addresses by bytes, largest first.
    public var topTalkers: [(address: IPAddress, bytes: UInt64, flows: UInt64)] = []
    /// First and last packet time seen, nanoseconds.
    public var firstPacket: UInt64 = 0
    public var lastPacket: UInt64 = 0

    /// Empty.
    public init() {}
}
