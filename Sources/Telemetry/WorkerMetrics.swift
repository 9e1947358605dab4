import Codecs
import Defrag
import Stream
import Threats

/// Everything one worker reports to the metrics endpoint, as one fixed-size value: no
/// strings, no arrays, no references, so publishing it is a plain copy of its bytes
/// (`MetricsSlot`). The worker keeps one as a local, updates it (or copies its own counters
/// into it) and publishes it every ~100 ms; the scraper sums all workers' at render time.
///
/// Counters are totals since the worker started, never reset.
public struct WorkerMetrics: BitwiseCopyable, Sendable {
    /// Packets, bytes, forwarded and dropped frames per interface and direction; kernel drops
    /// per interface.
    public var interfaces = InterfaceTraffic()
    /// Frames the dataplane dropped, by `DropReason.rawValue`.
    public var drops = Counters32()
    /// Flows held now (a gauge).
    public var flowsActive: UInt64 = 0
    /// Flows created.
    public var flowsCreated: UInt64 = 0
    /// Flows ended by idle timeout.
    public var flowsTimedOut: UInt64 = 0
    /// Flows evicted because the table was full.
    public var flowsEvicted: UInt64 = 0
    /// Flows replaced by a new connection on the same 5-tuple.
    public var flowsReused: UInt64 = 0
    /// Flows the flow table holds at most (a gauge: its configured capacity).
    public var flowsCapacity: UInt64 = 0
    /// Flows not parsed because their parser pool had no free parser, by `ParserPool.rawValue`.
    public var parserPoolExhausted = Counters8()
    /// Streams or bodies not scanned by sensors because every scanner was lent.
    public var sensorScannersExhausted: UInt64 = 0
    /// Flows by detected application, by `AppProto.rawValue` (L7Counters.flowsByApp).
    public var flowsByApp = ReasonCounts()
    /// What the application parsers distrusted or gave up on, by `L7ParseError.rawValue`
    /// (L7Counters.parseErrors).
    public var l7ParseErrors = ReasonCounts()
    /// Policy verdicts, by `VerdictAction.rawValue`.
    public var verdicts = Counters32()
    /// Verdicts per policy rule id.
    public var ruleHits = HitTable()
    /// Verdicts no rule matched (the policy's default decided).
    public var defaultRuleHits: UInt64 = 0
    /// Violate and deny EVE records the record limiter suppressed (counted in aggregates).
    public var eveSuppressed: UInt64 = 0
    /// Distinct flow shapes discover mode learned, and those the learned table had no room for.
    public var learnedShapes: UInt64 = 0
    public var learnedOverflow: UInt64 = 0
    /// Sensor alerts that would have blocked in protect mode, and matches of rules a
    /// workload's binding disabled.
    public var sensorWouldBlock: UInt64 = 0
    public var sensorDisabledMatches: UInt64 = 0
    /// Sensor rules that fired, per rule sid.
    public var sensorMatches = HitTable()
    /// Threat detections by threat, alerts, drops (ThreatCounters).
    public var threats = ThreatCounters()
    /// Decoder counters; `decode.malformed` holds decode errors by `DecodeError.rawValue`.
    public var decode = DecodeCounters()
    /// IP fragment reassembly counters.
    public var defrag = DefragCounters()
    /// TCP stream reassembly counters.
    public var stream = StreamCounters()
    /// Busy and idle time.
    public var busy = BusyTime()
    /// Per-packet processing time.
    public var latency = LatencyHistogram()

    /// All zero.
    @inlinable public init() {}

    /// Frames dropped for `reason`.
    @inlinable public subscript(drops reason: DropReason) -> UInt64 {
        get { drops[reason.rawValue] }
        set { drops[reason.rawValue] = newValue }
    }

    /// Flows turned away by `pool`.
    @inlinable public subscript(parserPoolExhausted pool: ParserPool) -> UInt64 {
        get { parserPoolExhausted[pool.rawValue] }
        set { parserPoolExhausted[pool.rawValue] = newValue }
    }

    /// Verdicts that did `action`.
    @inlinable public subscript(verdicts action: VerdictAction) -> UInt64 {
        get { verdicts[action.rawValue] }
        set { verdicts[action.rawValue] = newValue }
    }
}
