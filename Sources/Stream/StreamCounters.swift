/// Per-worker reassembly counters.
public struct StreamCounters: Sendable, BitwiseCopyable {
    /// Segments with payload handed to reassembly.
    public var segments: UInt64 = 0
    /// Segments that arrived ahead of the stream and were buffered.
    public var outOfOrder: UInt64 = 0
    /// Segments whose bytes were all seen already (retransmissions).
    public var retransmissions: UInt64 = 0
    /// Segments that partly overlapped bytes already seen; the first bytes won.
    public var overlaps: UInt64 = 0
    /// Bytes discarded because they overlapped bytes already seen.
    public var overlapBytes: UInt64 = 0
    /// Gaps reported to the sink.
    public var gaps: UInt64 = 0
    /// Bytes covered by those gaps.
    public var gapBytes: UInt64 = 0
    /// Times a flow's per-flow cap made it give up its oldest hole (reported as a gap).
    public var flowCapHits: UInt64 = 0
    /// Times an exhausted pool made a flow give up its oldest hole.
    public var poolHits: UInt64 = 0
    /// Out-of-order bytes finally not buffered because the flow hit its per-flow cap.
    public var flowCapDrops: UInt64 = 0
    /// Out-of-order bytes finally not buffered because the worker's pool was exhausted.
    public var poolDrops: UInt64 = 0
    /// Bytes discarded because they lay past their direction's FIN (nothing follows a FIN;
    /// delivering them would skip the FIN's sequence number without a gap).
    public var pastFinBytes: UInt64 = 0

    /// All zero.
    @inlinable public init() {}

    /// Adds another worker's counters.
    public mutating func add(_ o: StreamCounters) {
        segments += o.segments; outOfOrder += o.outOfOrder; retransmissions += o.retransmissions
        overlaps += o.overlaps; overlapBytes += o.overlapBytes; gaps += o.gaps; gapBytes += o.gapBytes
        flowCapDrops += o.flowCapDrops; poolDrops += o.poolDrops
        flowCapHits += o.flowCapHits; poolHits += o.poolHits; pastFinBytes &+= o.pastFinBytes
    }
}
