#if os(Linux)
import CAFPacket

/// One frame read from an AF_PACKET ring, valid until the ring's block is released.
public struct AFPacketFrame {
    /// The frame as inspection sees it: tag re-inserted when the kernel had stripped one.
    public var packet: CapturedPacket
    /// The frame's bytes in the ring, as the kernel stored them (without a stripped tag).
    public var ringBytes: UnsafeRawBufferPointer
    /// The stripped 802.1Q tag as TPID << 16 | TCI; 0 when the frame had none.
    public var vlanTag: UInt32
    /// tp_status: `SLUICE_AFP_STATUS_*` bits.
    public var status: UInt32
    /// The virtio_net_hdr before the frame when the ring has vnet headers, else nil.
    public var vnetHeader: UnsafeRawPointer?
    /// The buffer the frame lives in when the backend has one of its own (a DPDK mbuf), so a
    /// port of the same backend forwards it without copying; nil on AF_PACKET rings.
    public var buffer: UnsafeMutableRawPointer?

    /// Creates a frame description.
    @inlinable
    public init(packet: CapturedPacket, ringBytes: UnsafeRawBufferPointer, vlanTag: UInt32,
                status: UInt32, vnetHeader: UnsafeRawPointer?, buffer: UnsafeMutableRawPointer? = nil) {
        self.packet = packet
        self.ringBytes = ringBytes
        self.vlanTag = vlanTag
        self.status = status
        self.vnetHeader = vnetHeader
        self.buffer = buffer
    }

    /// The frame's checksum is not computed yet (the sender offloaded it): TCP/UDP checksums
    /// hold only the pseudo-header sum and must not be verified.
    @inlinable public var checksumNotReady: Bool { status & UInt32(SLUICE_AFP_STATUS_CSUMNOTREADY) != 0 }
    /// The kernel stripped an 802.1Q tag (now back in `packet`).
    @inlinable public var hadVLANTag: Bool { status & UInt32(SLUICE_AFP_STATUS_VLAN_VALID) != 0 }
    /// The ring holds fewer bytes than the frame had: it cannot be forwarded.
    @inlinable public var isTruncated: Bool { packet.data.count < packet.wireLength }
    /// The frame is a GSO super-frame (vnet gso_type set): longer than the MTU, to be
    /// segmented by whoever transmits it.
    @inlinable public var isSegmentationOffload: Bool {
        guard let h = vnetHeader else { return false }
        return h.load(fromByteOffset: 1, as: UInt8.self) != 0
    }
}
#endif
