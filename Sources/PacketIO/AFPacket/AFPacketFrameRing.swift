#if os(Linux)
import CAFPacket

/// A receiving AF_PACKET socket with a memory-mapped TPACKET_V2 ring: one fixed-size slot per
/// frame, handed to user space as soon as the kernel has written it.
///
/// This is the inline pairs' receive path. A TPACKET_V3 block is handed over only when it
/// fills or its retire timer fires, and that timer counts jiffies (4 ms at HZ=250), so at low
/// rates every frame waited for it: about 1 ms added to each round trip, up to several ms at
/// p99. A V2 slot wakes poll() the moment its frame lands. Under load nothing changes for
/// batching: `nextFrame()` walks every ready slot in order, the caller forwards them in one
/// sendmmsg and then releases them together.
public struct AFPacketFrameRing: ~Copyable {
    /// The socket the ring belongs to.
    public let socket: AFPacketSocket
    @usableFromInline var ring: sluice_afp_ring
    /// The next slot to read.
    @usableFromInline var cursor: UInt32 = 0
    /// Slots read and not yet handed back; the oldest is `releaseCursor`.
    @usableFromInline var consumed: UInt32 = 0
    @usableFromInline var releaseCursor: UInt32 = 0
    @usableFromInline let frames: RingFrames
    /// Our counters and the kernel's (the latter as of the last `refreshKernelStatistics`).
    public var statistics = AFPacketStatistics()

    /// Opens `interface` (in the calling thread's network namespace), sets up `slots` slots of
    /// `slotSize` bytes (a multiple of the page size, larger than the largest frame plus
    /// headers, or frames are truncated) and starts receiving as `config` says (vnet headers,
    /// promiscuous, outgoing ignored, fanout); the config's block settings do not apply.
    public init(interface: String, config: AFPacketConfig) throws(AFPacketError) {
        let s = try AFPacketSocket(interface: interface)
        try s.prepareReceiving(config: config, slots: true)
        var r = sluice_afp_ring()
        try AFPacketError.check(sluice_afp_setup_frame_ring(s.fd, config.slotSize, config.slotCount, &r),
                                interface, "setsockopt(PACKET_RX_RING)/mmap")
        try s.startReceiving(config: config, ring: &r)
        ring = r
        frames = RingFrames(vnetHeader: config.vnetHeader, largestFrame: Int(config.slotSize))
        socket = s
    }

    deinit {
        var r = ring
        sluice_afp_unmap_ring(&r)
        frames.deallocate()
    }

    /// The socket's descriptor, for waiting on several rings at once.
    public var fd: Int32 { socket.fd }

    /// Slots the caller holds: read but not yet released.
    public var heldBlocks: UInt32 { consumed }

    /// The next frame if one is ready, without waiting; nil when the kernel has nothing more
    /// for now, or every slot is held. Valid until `releaseConsumed()`.
    @inlinable
    public mutating func nextFrame() -> AFPacketFrame? {
        guard consumed < ring.block_count,
              let h = withUnsafePointer(to: &ring, { sluice_afp_slot_ready($0, cursor) }) else { return nil }
        var f = sluice_afp_frame()
        sluice_afp_slot_read(h, &f)
        consumed &+= 1
        cursor = cursor &+ 1 == ring.block_count ? 0 : cursor &+ 1
        return frames.frame(f, statistics: &statistics)
    }

    /// Hands every read slot back to the kernel; frames in them become invalid. Returns how
    /// many slots were released.
    @inlinable @discardableResult
    public mutating func releaseConsumed() -> UInt32 {
        let n = consumed
        while consumed > 0 {
            withUnsafePointer(to: &ring) { sluice_afp_slot_release($0, releaseCursor) }
            releaseCursor = releaseCursor &+ 1 == ring.block_count ? 0 : releaseCursor &+ 1
            consumed &-= 1
        }
        return n
    }

    /// Adds the kernel's counters since the previous read to `statistics`.
    public mutating func refreshKernelStatistics() throws(AFPacketError) {
        statistics.add(kernel: try socket.readKernelStatistics())
    }
}
#endif
