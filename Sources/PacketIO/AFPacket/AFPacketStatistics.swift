#if os(Linux)
/// Counters of one AF_PACKET receive ring: the kernel's, accumulated across reads (the kernel
/// resets them on each read), and ours.
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
