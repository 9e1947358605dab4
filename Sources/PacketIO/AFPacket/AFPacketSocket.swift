#if os(Linux)
import CAFPacket
import Glibc

/// An AF_PACKET SOCK_RAW socket bound to one interface. Owns the descriptor (closed on
/// deinit, which also drops its promiscuous membership and fanout group), so it cannot be
/// copied.
///
/// A new socket is bound with protocol 0 and receives nothing: options that must precede
/// reception (TPACKET_V3, vnet headers, the ring) are set first, then `start()` binds it for
/// ETH_P_ALL. A send-only socket is never started.
public struct AFPacketSocket: ~Copyable {
    /// The descriptor.
    public let fd: Int32
    /// The interface's name, for messages.
    public let interface: String
    /// The interface's index in the socket's network namespace.
    public let ifindex: Int32

    /// Opens a socket on `interface` in the calling thread's network namespace.
    public init(interface: String) throws(AFPacketError) {
        var index: Int32 = 0
        let r = sluice_afp_open(interface, &index)
        try AFPacketError.check(r, interface, "socket/bind(AF_PACKET)")
        fd = r
        ifindex = index
        self.interface = interface
    }

    deinit { close(fd) }

    /// The options a receiving socket takes before its ring: the ring layout (TPACKET_V2 slots
    /// or V3 blocks), then vnet headers and ignoring outgoing frames as `config` says.
    func prepareReceiving(config: AFPacketConfig, slots: Bool) throws(AFPacketError) {
        if slots { try useTPacketV2() } else { try useTPacketV3() }
        if config.vnetHeader { try useVnetHeader() }
        if config.ignoreOutgoing { try ignoreOutgoing() }
    }

    /// After the ring is mapped: promiscuous mode, binding for every frame, the fanout group,
    /// as `config` says. The mapping is undone when a step fails, so the caller's ring is not
    /// left half set up.
    func startReceiving(config: AFPacketConfig, ring: inout sluice_afp_ring) throws(AFPacketError) {
        do {
            if config.promiscuous { try enablePromiscuous() }
            try start()
            if let group = config.fanoutGroup { try joinFanout(group: group) }
        } catch {
            sluice_afp_unmap_ring(&ring)
            throw error
        }
    }

    /// Selects TPACKET_V3; must precede `setupRing`.
    /// Selects TPACKET_V2: fixed slots, each handed over as soon as its frame is written.
    public func useTPacketV2() throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_set_v2(fd), interface, "setsockopt(PACKET_VERSION)")
    }

    public func useTPacketV3() throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_set_v3(fd), interface, "setsockopt(PACKET_VERSION)")
    }

    /// PACKET_VNET_HDR: frames carry a virtio_net_hdr both ways; must precede `setupRing`.
    public func useVnetHeader() throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_set_vnet_hdr(fd), interface, "setsockopt(PACKET_VNET_HDR)")
    }

    /// PACKET_IGNORE_OUTGOING: do not capture frames sent out of the interface.
    public func ignoreOutgoing() throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_set_ignore_outgoing(fd), interface, "setsockopt(PACKET_IGNORE_OUTGOING)")
    }

    /// PACKET_QDISC_BYPASS: sent frames skip the qdisc (no queueing discipline, no taps).
    public func bypassQdisc() throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_set_qdisc_bypass(fd), interface, "setsockopt(PACKET_QDISC_BYPASS)")
    }

    /// Sets the socket send buffer, which bounds the frames queued to the device.
    public func setSendBuffer(bytes: Int32) throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_set_buffers(fd, bytes, 0), interface, "setsockopt(SO_SNDBUF)")
    }

    /// Puts the interface in promiscuous mode until the socket closes.
    public func enablePromiscuous() throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_set_promiscuous(fd, ifindex), interface, "setsockopt(PACKET_ADD_MEMBERSHIP)")
    }

    /// Binds for ETH_P_ALL: frames start arriving.
    public func start() throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_start(fd, ifindex), interface, "bind(ETH_P_ALL)")
    }

    /// Joins fanout `group` (hash of the flow, IP fragments reassembled first); only after
    /// `start()`. All members must be bound to the same interface.
    public func joinFanout(group: UInt16) throws(AFPacketError) {
        try AFPacketError.check(sluice_afp_join_fanout(fd, group), interface, "setsockopt(PACKET_FANOUT)")
    }

    /// The kernel's counters since the previous read (PACKET_STATISTICS resets them).
    /// `packets` includes `drops`.
    public func readKernelStatistics() throws(AFPacketError) -> (packets: UInt64, drops: UInt64, freezes: UInt64) {
        var p: UInt64 = 0, d: UInt64 = 0, f: UInt64 = 0
        try AFPacketError.check(sluice_afp_statistics(fd, &p, &d, &f), interface, "getsockopt(PACKET_STATISTICS)")
        return (p, d, f)
    }

    /// Waits up to `timeoutMs` for a frame (or a retired block); true when readable. Throws
    /// the socket's pending error (cleared by reading it): ENETDOWN when the interface went
    /// down. The socket stays bound and receives again once the interface is up.
    public func wait(timeoutMs: Int32) throws(AFPacketError) -> Bool {
        try AFPacketError.check(sluice_afp_wait(fd, timeoutMs), interface, "poll") > 0
    }
}
#endif
