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
/// ports and the provider, so nothing is shared or locked.
///
/// Frames are forwarded from the receive ring without copying (the transmitter points
/// sendmmsg at the ring); each side's batch is flushed before its frames are released.
/// With `config.vnetHeader` (the `.inline` default) GSO super-frames and frames with offloaded
/// checksums are passed on with their virtio_net_hdr, so the kernel segments and checksums
/// them on the way out; see docs/afpacket.md. The daemon's workers forward through the same
/// `PortPair` and `PacketPort` types, with the engine deciding.
public struct InlinePair<Port: PacketPort & ~Copyable, Provider: InlineVerdictProvider & ~Copyable>: ~Copyable {
    /// Decides each frame.
    public var provider: Provider
    /// The two ports and their counters.
    public var ports: PortPair<Port>
    @usableFromInline let waitMs: Int32

    /// A pair over `ports`; `waitMs` bounds each idle poll().
    public init(ports: consuming PortPair<Port>, waitMs: Int32 = 10, provider: consuming Provider) {
        self.ports = ports
        self.waitMs = waitMs
        self.provider = provider
    }

    /// Frames from A to B.
    public var aToB: InlineDirectionCounters { ports.aToB }
    /// Frames from B to A.
    public var bToA: InlineDirectionCounters { ports.bToA }

    /// Forwards what is ready on both sides, at most `budget` frames per side, without
    /// waiting. Returns the frames handled.
    @inlinable @discardableResult
    public mutating func forwardReady(budget: Int = 256) -> Int {
        let a = Self.pump(&ports.a, to: &ports.b, provider: &provider, counters: &ports.aToB, fromA: true, budget: budget)
        let b = Self.pump(&ports.b, to: &ports.a, provider: &provider, counters: &ports.bToA, fromA: false, budget: budget)
        return a + b
    }

    /// Waits up to `timeoutMs` until either side has frames; true when one does.
    public func waitEither(timeoutMs: Int32) throws(AFPacketError) -> Bool {
        try ports.waitEither(timeoutMs: timeoutMs)
    }

    /// Forwards until `stop` is raised, waiting in poll() while both sides are idle.
    public mutating func run(until stop: AFPacketStopSignal) throws(AFPacketError) {
        while !stop.isStopped {
            if forwardReady() == 0 { _ = try ports.waitEither(timeoutMs: waitMs) }
        }
    }

    /// Each interface's counters: its port's (kernel ones as of the last
    /// `refreshKernelStatistics()`), and the fate of frames received on it.
    public var statistics: (a: AFPacketStatistics, b: AFPacketStatistics) {
        var a = ports.a.statistics
        a.forwarded = ports.aToB.forwarded
        a.dropped = ports.aToB.dropped
        var b = ports.b.statistics
        b.forwarded = ports.bToA.forwarded
        b.dropped = ports.bToA.dropped
        return (a, b)
    }

    /// Adds both ports' kernel counters since the last call to their statistics.
    public mutating func refreshKernelStatistics() throws(AFPacketError) {
        try ports.a.refreshStatistics()
        try ports.b.refreshStatistics()
    }

    @inlinable
    static func pump(_ from: inout Port, to: inout Port, provider: inout Provider,
                     counters c: inout InlineDirectionCounters, fromA: Bool, budget: Int) -> Int {
        var n = 0
        while n < budget, let f = from.receive() {
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
            to.transmit(f)
            c.forwarded &+= 1
        }
        // The batch points into the ring: send it before the frames go back to the kernel.
        to.flush()
        from.release()
        return n
    }
}

extension InlinePair where Port == AFPacketInlinePort {
    /// Opens both interfaces (calling thread's network namespace) with TPACKET_V2 rings; see
    /// `PortPair.init(interfaceA:interfaceB:config:batchSize:)` for fanout across pairs.
    public init(interfaceA: String, interfaceB: String, config: AFPacketConfig = .inline, batchSize: Int = 64,
                provider: consuming Provider) throws(AFPacketError) {
        let ports = try PortPair<AFPacketInlinePort>(interfaceA: interfaceA, interfaceB: interfaceB, config: config,
                                                     batchSize: batchSize)
        self.init(ports: ports, provider: provider)
    }
}
#endif
