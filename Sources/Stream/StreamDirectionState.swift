/// Reassembly state of one direction of one TCP flow. Lives inside the flow table's entry;
/// buffered out-of-order bytes live in the worker's `SegmentPool`, linked from `oooHead`.
public struct StreamDirectionState: Sendable {
    /// Whether the stream's starting sequence number is known (SYN seen, or first data midstream).
    public var started: Bool = false
    /// A SYN was seen from this side.
    public var synSeen: Bool = false
    /// A FIN was seen from this side.
    public var finSeen: Bool = false
    /// The FIN has been reached in order: the stream is complete.
    public var finConsumed: Bool = false
    /// Initial sequence number (the SYN's, or the first data's minus one midstream).
    public var isn: UInt32 = 0
    /// The next sequence number the stream expects.
    public var nextSeq: UInt32 = 0
    /// Sequence number of the FIN.
    public var finSeq: UInt32 = 0
    /// First buffered out-of-order node (pool index + 1), 0 when none.
    public var oooHead: UInt32 = 0
    /// Bytes buffered out of order.
    public var oooBytes: UInt32 = 0
    /// Bytes delivered in order.
    public var delivered: UInt64 = 0
    /// Bytes reported as gaps.
    public var gapBytes: UInt64 = 0

    /// A direction that has seen nothing.
    @inlinable public init() {}
}
