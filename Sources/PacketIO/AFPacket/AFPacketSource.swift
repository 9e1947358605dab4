#if os(Linux)
import Codecs

/// A live interface as a `PacketSource`: each frame of an `AFPacketRing` as a
/// `CapturedPacket` (Ethernet, nanosecond timestamps, stripped VLAN tags put back).
///
/// `nextPacket()` waits for traffic (poll() with the ring's block timeout) and returns nil only
/// once `stop` is raised; `nextPacketIfReady()` never waits, so one worker can serve two
/// interfaces in turn. A packet's bytes stay valid until the next call, as the protocol says:
/// each call first hands the blocks read to the end back to the kernel.
public struct AFPacketSource: PacketSource, ~Copyable {
    /// The ring frames come from.
    public var ring: AFPacketRing
    /// Raised by another thread to end `nextPacket()`.
    public let stop: AFPacketStopSignal
    @usableFromInline let waitMs: Int32

    /// Opens `interface` (calling thread's network namespace) and starts capturing.
    public init(interface: String, config: AFPacketConfig = AFPacketConfig(),
                stop: AFPacketStopSignal) throws(AFPacketError) {
        ring = try AFPacketRing(interface: interface, config: config)
        self.stop = stop
        waitMs = Int32(clamping: max(1, config.blockTimeoutMs))
    }

    /// Always Ethernet: AF_PACKET SOCK_RAW delivers frames from the MAC header.
    public var linkType: LinkType { .ethernet }

    /// The next frame, waiting for one as long as it takes; nil once `stop` is raised (seen at
    /// the next block boundary or poll() timeout). Throws when the socket reports an error,
    /// such as the interface going down; calling again resumes once it is back up.
    @inlinable
    public mutating func nextPacket() throws(PacketSourceError) -> CapturedPacket? {
        if ring.releaseConsumed() > 0, stop.isStopped { return nil }
        while true {
            if let f = ring.nextFrame() { return f.packet }
            ring.releaseConsumed()
            if stop.isStopped { return nil }
            do { _ = try ring.wait(timeoutMs: waitMs) } catch { throw error.sourceError }
        }
    }

    /// The next frame if the kernel has one ready, else nil at once.
    @inlinable
    public mutating func nextPacketIfReady() -> CapturedPacket? {
        ring.releaseConsumed()
        return ring.nextFrame()?.packet
    }
}
#endif
