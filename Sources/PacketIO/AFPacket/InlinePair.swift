#if os(Linux)
/// Counters of one direction of an `InlinePair`.
public struct InlineDirectionCounters: Sendable, Equatable {
    /// Frames read from the receiving interface.
    public var received: UInt64 = 0
    /// Bytes of those frames (on the wire, tag included).
    public var receivedBytes: UInt64 = 0
    /// Frames queued to the other interface (see the transmitter for what it refused).
    public var forwarded: UInt64 = 0
    /// Frames the verdict dropped.
    public var dropped: UInt64 = 0
    /// Frames not forwarded because the ring held only part of them.
    public var truncated: UInt64 = 0
    /// GSO super-frames forwarded (longer than the MTU; segmented on transmit).
    public var superFrames: UInt64 = 0
    /// The longest frame forwarded.
    public var largestFrame: Int = 0

    /// All zero.
    public init() {}
}

/// Inline forwarding between two interfaces: what arrives on A leaves through B and the other
/// way round, unless the verdict provider says drop. One thread runs a pair; it owns both
/// rings, both transmitters and the provider, so nothing is shared or locked.
///
/// Frames are forwarded from the receive ring without copying (the transmitter points
/// sendmmsg at the ring); each side's batch is flushed before its ring blocks are released.
/// With `config.vnetHeader` (the `.inline` default) GSO super-frames and frames with offloaded
/// checksums are passed on with their virtio_net_hdr, so the kernel segments and checksums
/// them on the way out; see docs/afpacket.md.
public struct InlinePair<Provider: InlineVerdictProvider & ~Copyable>: ~Copyable {
    /// Decides each frame.
    public var provider: Provider
    /// Receives on A.
    public var ringA: AFPacketRing
    /// Receives on B.
    public var ringB: AFPacketRing
    /// Sends out of A (frames that came in on B).
    public var txA: AFPacketTransmitter
    /// Sends out of B (frames that came in on A).
    public var txB: AFPacketTransmitter
    /// Frames from A to B.
    public var aToB = InlineDirectionCounters()
    /// Frames from B to A.
    public var bToA = InlineDirectionCounters()
    @usableFromInline let waitMs: Int32

    /// Opens both interfaces (calling thread's network namespace). `config` applies to both
    /// rings; outgoing frames are always ignored, or forwarded frames would come back.
    ///
    /// Several pairs (one per worker thread) can share two interfaces: give them all the same
    /// `config.fanoutGroup` g. Ring A joins group g and ring B group g + 1 (a group belongs to
    /// one interface). The kernel's fanout hash is symmetric and the same on both interfaces,
    /// so when the pairs are created in the same order, both directions of a flow reach the
    /// same pair.
    public init(interfaceA: String, interfaceB: String, config: AFPacketConfig = .inline, batchSize: Int = 64,
                provider: consuming Provider) throws(AFPacketError) {
        var c = config
        c.ignoreOutgoing = true
        var cb = c
        cb.fanoutGroup = c.fanoutGroup.map { $0 &+ 1 }
        // Built as locals first: a ~Copyable struct cannot be left partly initialised by a throw.
        let ra = try AFPacketRing(interface: interfaceA, config: c)
        let rb = try AFPacketRing(interface: interfaceB, config: cb)
        let ta = try AFPacketTransmitter(interface: interfaceA, batchSize: batchSize, vnetHeader: c.vnetHeader)
        let tb = try AFPacketTransmitter(interface: interfaceB, batchSize: batchSize, vnetHeader: c.vnetHeader)
        ringA = ra
        ringB = rb
        txA = ta
        txB = tb
        waitMs = Int32(clamping: max(1, c.blockTimeoutMs))
        self.provider = provider
    }

    /// Forwards what is ready on both sides, at most `budget` frames per side, without
    /// waiting. Returns the frames handled.
    @inlinable @discardableResult
    public mutating func forwardReady(budget: Int = 256) -> Int {
        let a = Self.pump(&ringA, to: &txB, provider: &provider, counters: &aToB, fromA: true, budget: budget)
        let b = Self.pump(&ringB, to: &txA, provider: &provider, counters: &bToA, fromA: false, budget: budget)
        return a + b
    }

    /// Forwards until `stop` is raised, waiting in poll() while both sides are idle.
    public mutating func run(until stop: AFPacketStopSignal) throws(AFPacketError) {
        while !stop.isStopped {
            if forwardReady() == 0 {
                _ = try AFPacketRing.waitEither(ringA, ringB, timeoutMs: waitMs)
            }
        }
    }

    /// Each interface's counters: its ring's (kernel ones as of the last
    /// `refreshKernelStatistics()`), frames sent out of it, and the fate of frames received on it.
    public var statistics: (a: AFPacketStatistics, b: AFPacketStatistics) {
        var a = ringA.statistics
        a.transmitted = txA.sent
        a.transmitFailed = txA.failed
        a.forwarded = aToB.forwarded
        a.dropped = aToB.dropped
        var b = ringB.statistics
        b.transmitted = txB.sent
        b.transmitFailed = txB.failed
        b.forwarded = bToA.forwarded
        b.dropped = bToA.dropped
        return (a, b)
    }

    /// Adds both rings' kernel counters since the last call to their statistics.
    public mutating func refreshKernelStatistics() throws(AFPacketError) {
        try ringA.refreshKernelStatistics()
        try ringB.refreshKernelStatistics()
    }

    @inlinable
    static func pump(_ ring: inout AFPacketRing, to tx: inout AFPacketTransmitter, provider: inout Provider,
                     counters c: inout InlineDirectionCounters, fromA: Bool, budget: Int) -> Int {
        var n = 0
        while n < budget, let f = ring.nextFrame() {
            n += 1
            c.received &+= 1
            c.receivedBytes &+= UInt64(f.packet.wireLength)
            if f.isTruncated {
                c.truncated &+= 1
                continue
            }
            if provider.verdict(frame: f.packet, fromA: fromA) == .drop {
                c.dropped &+= 1
                continue
            }
            if f.isSegmentationOffload { c.superFrames &+= 1 }
            if f.packet.wireLength > c.largestFrame { c.largestFrame = f.packet.wireLength }
            tx.enqueue(f)
            c.forwarded &+= 1
        }
        // The batch points into the ring: send it before the blocks go back to the kernel.
        tx.flush()
        ring.releaseConsumed()
        return n
    }
}
#endif
