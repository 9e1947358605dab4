#if os(Linux)
import CAFPacket
/// A receive ring: frames in arrival order, read in place, handed back in bulk. TPACKET_V3
/// blocks (`AFPacketRing`, taps) and TPACKET_V2 slots (`AFPacketFrameRing`, inline pairs)
/// both are one.
public protocol FrameReceiver: ~Copyable {
    /// The next frame if one is ready, nil when none is; valid until `releaseConsumed()`.
    mutating func nextFrame() -> AFPacketFrame?
    /// Hands every frame read so far back to the kernel.
    @discardableResult mutating func releaseConsumed() -> UInt32
    /// The socket's descriptor, for poll().
    var fd: Int32 { get }
    /// Frames and bytes received, and the kernel's counters as of the last refresh.
    var statistics: AFPacketStatistics { get }
    /// Adds the kernel's counters since the last call.
    mutating func refreshKernelStatistics() throws(AFPacketError)
}

extension AFPacketRing: FrameReceiver {}
extension AFPacketFrameRing: FrameReceiver {}

/// One interface as the packet path uses it, whatever moves the frames (AF_PACKET rings here;
/// the DPDK backend's ports implement the same): a receive burst is `receive()` until nil,
/// a transmit burst is `transmit` calls then `flush()`, and `release()` hands the received
/// frames' memory back once nothing queued points into it any more. The inline pair, the
/// daemon's workers and the tests all drive ports through this protocol, generically (no
/// existential on the packet path).
public protocol PacketPort: ~Copyable {
    /// The next received frame, nil when none is ready.
    mutating func receive() -> AFPacketFrame?
    /// Queues a received frame (from this port or another) to go out of this port as it
    /// arrived; its memory must stay held until `flush()`.
    mutating func transmit(_ frame: AFPacketFrame)
    /// Queues a complete frame built by the caller (a reset); `bytes` must stay valid until `flush()`.
    mutating func transmit(bytes: UnsafeRawBufferPointer)
    /// Sends everything queued.
    mutating func flush()
    /// Hands the memory of every frame received so far back; they become invalid.
    @discardableResult mutating func release() -> UInt32
    /// What to poll() on for received frames.
    var descriptor: Int32 { get }
    /// Received, transmitted and failed frames, and the kernel's counters as of the last refresh.
    var statistics: AFPacketStatistics { get }
    /// Adds the kernel's counters since the last call.
    mutating func refreshStatistics() throws(AFPacketError)
}

/// An AF_PACKET port: a receive ring of either layout and a sendmmsg transmitter on the same
/// interface.
public struct AFPacketPort<Receiver: FrameReceiver & ~Copyable>: PacketPort, ~Copyable {
    /// Where frames arrive.
    public var receiver: Receiver
    /// Where frames leave.
    public var transmitter: AFPacketTransmitter

    /// A port from its parts.
    public init(receiver: consuming Receiver, transmitter: consuming AFPacketTransmitter) {
        self.receiver = receiver
        self.transmitter = transmitter
    }

    @inlinable public mutating func receive() -> AFPacketFrame? { receiver.nextFrame() }
    @inlinable public mutating func transmit(_ frame: AFPacketFrame) { transmitter.enqueue(frame) }
    @inlinable public mutating func transmit(bytes: UnsafeRawBufferPointer) { transmitter.enqueue(bytes: bytes) }
    @inlinable public mutating func flush() { transmitter.flush() }
    @inlinable @discardableResult public mutating func release() -> UInt32 { receiver.releaseConsumed() }
    public var descriptor: Int32 { receiver.fd }

    public var statistics: AFPacketStatistics {
        var s = receiver.statistics
        s.transmitted = transmitter.sent
        s.transmitFailed = transmitter.failed
        return s
    }

    public mutating func refreshStatistics() throws(AFPacketError) { try receiver.refreshKernelStatistics() }
}

/// The inline pairs' port: a TPACKET_V2 ring (frames handed over one by one, no block timer
/// in the way) and a transmitter with vnet headers.
public typealias AFPacketInlinePort = AFPacketPort<AFPacketFrameRing>

extension AFPacketPort where Receiver == AFPacketFrameRing {
    /// Opens `interface` for inline forwarding: a V2 ring as `config` says (outgoing frames
    /// always ignored, or forwarded frames would come back) and a transmitter with the same
    /// vnet header setting.
    public init(inline interface: String, config: AFPacketConfig = .inline, batchSize: Int = 64) throws(AFPacketError) {
        var c = config
        c.ignoreOutgoing = true
        let r = try AFPacketFrameRing(interface: interface, config: c)
        let t = try AFPacketTransmitter(interface: interface, batchSize: batchSize, vnetHeader: c.vnetHeader)
        self.init(receiver: r, transmitter: t)
    }
}

/// The two ports of an inline pair and what crossed it each way. What arrives on A leaves
/// through B and the other way round; one thread owns both ports.
public struct PortPair<Port: PacketPort & ~Copyable>: ~Copyable {
    /// Side A.
    public var a: Port
    /// Side B.
    public var b: Port
    /// Frames from A to B.
    public var aToB = InlineDirectionCounters()
    /// Frames from B to A.
    public var bToA = InlineDirectionCounters()

    /// A pair from its ports.
    public init(a: consuming Port, b: consuming Port) {
        self.a = a
        self.b = b
    }

    /// Waits up to `timeoutMs` until either port has frames; true when one does.
    public func waitEither(timeoutMs: Int32) throws(AFPacketError) -> Bool {
        try AFPacketError.check(sluice_afp_wait2(a.descriptor, b.descriptor, timeoutMs), "inline pair", "poll") > 0
    }
}

extension PortPair where Port == AFPacketInlinePort {
    /// Opens both interfaces (calling thread's network namespace) for inline forwarding.
    ///
    /// Several pairs (one per worker thread) can share two interfaces: give them all the same
    /// `config.fanoutGroup` g. Port A joins group g and port B group g + 1 (a group belongs to
    /// one interface). The kernel's fanout hash is symmetric and the same on both interfaces,
    /// so when the pairs are created in the same order, both directions of a flow reach the
    /// same pair.
    public init(interfaceA: String, interfaceB: String, config: AFPacketConfig = .inline,
                batchSize: Int = 64) throws(AFPacketError) {
        var cb = config
        cb.fanoutGroup = config.fanoutGroup.map { $0 &+ 1 }
        let pa = try AFPacketInlinePort(inline: interfaceA, config: config, batchSize: batchSize)
        let pb = try AFPacketInlinePort(inline: interfaceB, config: cb, batchSize: batchSize)
        self.init(a: pa, b: pb)
    }
}
#endif
