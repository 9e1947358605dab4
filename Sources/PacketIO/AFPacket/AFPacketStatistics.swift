#if os(Linux)
/// Counters of one interface: the kernel's for its receive ring, accumulated across reads (the
/// kernel resets them on each read), and ours. A plain ring fills the kernel and receive
/// fields; `InlinePair.statistics` adds what was sent out of the interface and what became
/// of the frames received on it.
public struct AFPacketStatistics: Sendable, Equatable {
    /// Frames the kernel handed to the socket, including those it dropped (PACKET_STATISTICS).
    public var kernelPackets: UInt64 = 0
    /// Frames the kernel dropped because the ring was full.
    public var kernelDrops: UInt64 = 0
    /// Times the ring's queue froze because no block was free.
    public var kernelFreezes: UInt64 = 0
    /// Frames read from the ring.
    public var received: UInt64 = 0
    /// Bytes on the wire of the frames read (tag included).
    public var receivedBytes: UInt64 = 0
    /// Frames whose stripped VLAN tag was put back into the frame.
    public var vlanReinserted: UInt64 = 0
    /// Frames cut short because they did not fit in a block.
    public var truncated: UInt64 = 0
    /// Frames sent out of this interface.
    public var transmitted: UInt64 = 0
    /// Frames the kernel refused to send out of it.
    public var transmitFailed: UInt64 = 0
    /// Frames received here and forwarded to the other interface of a pair.
    public var forwarded: UInt64 = 0
    /// Frames received here that a verdict dropped.
    public var dropped: UInt64 = 0

    /// All zero.
    public init() {}

    /// Adds one PACKET_STATISTICS reading.
    public mutating func add(kernel: (packets: UInt64, drops: UInt64, freezes: UInt64)) {
        kernelPackets &+= kernel.packets
        kernelDrops &+= kernel.drops
        kernelFreezes &+= kernel.freezes
    }
}
#endif
