#if os(Linux)
import CAFPacket

/// Turns the kernel's description of a received frame into an `AFPacketFrame`, the same way
/// for both ring layouts: a frame whose 802.1Q tag the kernel stripped is rebuilt with the tag
/// in place (the decoder expects it in the frame; only tagged frames are copied), and the
/// virtio_net_hdr before the frame is located when the socket has vnet headers.
@usableFromInline
struct RingFrames {
    /// Where tagged frames are rebuilt; the next tagged frame overwrites it.
    @usableFromInline let scratch: UnsafeMutableRawPointer
    @usableFromInline let vnet: Bool

    @usableFromInline
    init(vnetHeader: Bool, largestFrame: Int) {
        vnet = vnetHeader
        scratch = .allocate(byteCount: largestFrame + 64, alignment: 64)
    }

    @usableFromInline
    func deallocate() { scratch.deallocate() }

    @inlinable
    func frame(_ f: sluice_afp_frame, statistics: inout AFPacketStatistics) -> AFPacketFrame {
        let raw = UnsafeRawBufferPointer(start: f.data, count: Int(f.snaplen))
        let header = vnet ? UnsafeRawPointer(f.data!) - Int(SLUICE_AFP_VNET_HDR_LEN) : nil
        statistics.received &+= 1
        if f.snaplen < f.len { statistics.truncated &+= 1 }
        guard f.status & UInt32(SLUICE_AFP_STATUS_VLAN_VALID) != 0, f.snaplen >= 12 else {
            statistics.receivedBytes &+= UInt64(f.len)
            return AFPacketFrame(packet: CapturedPacket(data: raw, wireLength: Int(f.len), timestamp: f.timestamp_ns),
                                 ringBytes: raw, vlanTag: 0, status: f.status, vnetHeader: header)
        }
        // Rebuild dst, src, 802.1Q (TPID, TCI), then the rest of the frame.
        let src = UnsafeRawPointer(f.data!)
        scratch.copyMemory(from: src, byteCount: 12)
        scratch.storeBytes(of: f.vlan_tpid.bigEndian, toByteOffset: 12, as: UInt16.self)
        scratch.storeBytes(of: f.vlan_tci.bigEndian, toByteOffset: 14, as: UInt16.self)
        (scratch + 16).copyMemory(from: src + 12, byteCount: Int(f.snaplen) - 12)
        statistics.vlanReinserted &+= 1
        statistics.receivedBytes &+= UInt64(f.len) &+ 4
        let tagged = UnsafeRawBufferPointer(start: scratch, count: Int(f.snaplen) + 4)
        return AFPacketFrame(packet: CapturedPacket(data: tagged, wireLength: Int(f.len) + 4, timestamp: f.timestamp_ns),
                             ringBytes: raw, vlanTag: UInt32(f.vlan_tpid) << 16 | UInt32(f.vlan_tci),
                             status: f.status, vnetHeader: header)
    }
}
#endif
