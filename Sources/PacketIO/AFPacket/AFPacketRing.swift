#if os(Linux)
import CAFPacket

/// A receiving AF_PACKET socket with its memory-mapped TPACKET_V3 ring.
///
/// The kernel fills blocks of the ring in order and marks each one the user's when it is full
/// or its timeout expires; `nextFrame()` walks the frames of ready blocks without copying or
/// allocating. A block whose frames have all been read stays mapped and owned by us until
/// `releaseConsumed()` hands it back, so a caller may keep pointers into it (for example a
/// batch of frames queued for transmission) until it has finished with them.
public struct AFPacketRing: ~Copyable {
    /// The socket the ring belongs to.
    public let socket: AFPacketSocket
    @usableFromInline var ring: sluice_afp_ring
    /// The block being read, or the next one to wait for.
    @usableFromInline var cursor: UInt32 = 0
    @usableFromInline var block: UnsafeRawPointer? = nil
    @usableFromInline var nextHeader: UnsafeRawPointer? = nil
    @usableFromInline var remaining: UInt32 = 0
    /// Fully read blocks not yet handed back; the oldest is `releaseCursor`.
    @usableFromInline var consumed: UInt32 = 0
    @usableFromInline var releaseCursor: UInt32 = 0
    @usableFromInline let frames: RingFrames
    /// Our counters and the kernel's (the latter as of the last `refreshKernelStatistics`).
    public var statistics = AFPacketStatistics()

    /// Opens `interface` (in the calling thread's network namespace), sets up the ring as
    /// `config` says and starts receiving.
    public init(interface: String, config: AFPacketConfig) throws(AFPacketError) {
        let s = try AFPacketSocket(interface: interface)
        try s.prepareReceiving(config: config, slots: false)
        var r = sluice_afp_ring()
        try AFPacketError.check(sluice_afp_setup_ring(s.fd, config.blockSize, config.blockCount, config.frameSize,
                                                      config.blockTimeoutMs, &r),
                                interface, "setsockopt(PACKET_RX_RING)/mmap")
        try s.startReceiving(config: config, ring: &r)
        ring = r
        frames = RingFrames(vnetHeader: config.vnetHeader, largestFrame: Int(config.blockSize))
        socket = s
    }

    deinit {
        var r = ring
        sluice_afp_unmap_ring(&r)
        frames.deallocate()
    }

    /// The socket's descriptor, for waiting on several rings at once.
    public var fd: Int32 { socket.fd }

    /// Blocks the caller holds: read to the end but not yet released.
    public var heldBlocks: UInt32 { consumed }

    /// The next frame if one is ready, without waiting; nil when the kernel has nothing more
    /// for now. Valid until the block it lies in is released: the frame stays valid across
    /// further `nextFrame` calls until `releaseConsumed()`. A tagged frame's `packet` lies in a
    /// scratch buffer that the next tagged frame overwrites.
    @inlinable
    public mutating func nextFrame() -> AFPacketFrame? {
        while true {
            if remaining > 0 {
                var f = sluice_afp_frame()
                nextHeader = UnsafeRawPointer(sluice_afp_frame_read(nextHeader, &f))
                remaining &-= 1
                return makeFrame(f)
            }
            if block != nil {
                // Read to the end: keep it until the caller releases it.
                block = nil
                consumed &+= 1
                cursor = cursor &+ 1 == ring.block_count ? 0 : cursor &+ 1
            }
            // Every block is held by the caller; the one at the cursor is the oldest of them.
            if consumed == ring.block_count { return nil }
            guard let b = withUnsafePointer(to: &ring, { sluice_afp_block_ready($0, cursor) }) else { return nil }
            block = b
            remaining = sluice_afp_block_frames(b)
            nextHeader = sluice_afp_block_first(b)
        }
    }

    @inlinable
    mutating func makeFrame(_ f: sluice_afp_frame) -> AFPacketFrame {
        frames.frame(f, statistics: &statistics)
    }

    /// Hands every fully read block back to the kernel; frames in them become invalid.
    /// Returns how many blocks were released.
    @inlinable @discardableResult
    public mutating func releaseConsumed() -> UInt32 {
        let n = consumed
        while consumed > 0 {
            withUnsafePointer(to: &ring) { sluice_afp_block_release($0, releaseCursor) }
            releaseCursor = releaseCursor &+ 1 == ring.block_count ? 0 : releaseCursor &+ 1
            consumed &-= 1
        }
        return n
    }

    /// Waits up to `timeoutMs` for the kernel to hand over a block; true when one is ready.
    public func wait(timeoutMs: Int32) throws(AFPacketError) -> Bool {
        try socket.wait(timeoutMs: timeoutMs)
    }

    /// Adds the kernel's counters since the previous read to `statistics`.
    public mutating func refreshKernelStatistics() throws(AFPacketError) {
        statistics.add(kernel: try socket.readKernelStatistics())
    }

    /// Waits up to `timeoutMs` until either ring has something; true when one does.
    public static func waitEither(_ a: borrowing AFPacketRing, _ b: borrowing AFPacketRing,
                                  timeoutMs: Int32) throws(AFPacketError) -> Bool {
        try AFPacketError.check(sluice_afp_wait2(a.fd, b.fd, timeoutMs), a.socket.interface + "+" + b.socket.interface,
                                "poll") > 0
    }
}
#endif
