/// Limits of TCP reassembly for one worker.
public struct StreamConfig: Sendable {
    /// Bytes of out-of-order data one worker may buffer across all its flows. Allocated once.
    public var poolBytes: Int = 64 << 20
    /// Bytes of out-of-order data one flow direction may buffer; past it the hole becomes a gap.
    public var perFlowBytes: Int = 1 << 20
    /// Size of one buffer node. Large segments (TSO/GRO) span several nodes.
    public var chunkSize: Int = 2048

    /// The defaults: 64 MiB pool, 1 MiB per flow direction, 2 KiB nodes.
    public init() {}
}
