#if os(Linux)
import CAFPacket

/// Sends frames out of one interface through a send-only AF_PACKET socket, batched.
///
/// Frames are queued as iovecs pointing at the caller's memory and sent with one sendmmsg per
/// batch. Why sendmmsg rather than a PACKET_TX_RING: the frames we send are mostly ones we just
/// received, still in the receive ring. sendmmsg lets the kernel copy them straight from there
/// (one copy, the one a TX ring would also need into its slot), a stripped VLAN tag is put back
/// by splitting the frame into iovecs instead of copying it, and GSO super-frames of up to
/// 64 KiB need no fixed 64 KiB TX slots. The cost, one syscall per batch instead of one per
/// ring flush, is the same.
///
/// Queued bytes must stay valid until `flush()` (which `enqueue` also calls when the batch is
/// full): callers forwarding from an `AFPacketRing` flush before releasing its blocks.
public struct AFPacketTransmitter: ~Copyable {
    /// The send-only socket.
    public let socket: AFPacketSocket
    /// Frames per sendmmsg.
    public let batchSize: Int
    @usableFromInline let vnet: Bool
    @usableFromInline let messages: UnsafeMutableRawPointer
    @usableFromInline let iovecs: UnsafeMutableRawPointer
    @usableFromInline let first: UnsafeMutablePointer<UInt32>
    @usableFromInline let parts: UnsafeMutablePointer<UInt32>
    /// Per queued frame, 16 bytes: its virtio_net_hdr (10) and, at 12, a re-inserted VLAN tag.
    @usableFromInline let headers: UnsafeMutableRawPointer
    @usableFromInline var queued = 0
    /// Frames the kernel accepted.
    public var sent: UInt64 = 0
    /// Frames the kernel refused (device busy or down, buffer full, too long without GSO).
    public var failed: UInt64 = 0
    /// The errno of the latest refusal, 0 if none.
    public var lastErrno: Int32 = 0

    /// Iovecs per frame at most: vnet header, MAC addresses, VLAN tag, rest of the frame.
    @usableFromInline static var iovecsPerFrame: Int { 4 }

    /// Opens a send-only socket on `interface` (calling thread's network namespace).
    /// `vnetHeader` must match how the frames were received when forwarding offloaded frames:
    /// with it, GSO super-frames are segmented and partial checksums completed by the kernel
    /// or the device. `bypassQdisc` hands frames straight to the driver.
    public init(interface: String, batchSize: Int = 64, vnetHeader: Bool = false, bypassQdisc: Bool = true,
                sendBufferBytes: Int32 = 4 << 20) throws(AFPacketError) {
        let s = try AFPacketSocket(interface: interface)
        if vnetHeader { try s.useVnetHeader() }
        if bypassQdisc { try s.bypassQdisc() }
        if sendBufferBytes > 0 { try s.setSendBuffer(bytes: sendBufferBytes) }
        let n = max(1, batchSize)
        self.batchSize = n
        vnet = vnetHeader
        messages = .allocate(byteCount: n * sluice_afp_mmsghdr_size(), alignment: 16)
        iovecs = .allocate(byteCount: n * Self.iovecsPerFrame * sluice_afp_iovec_size(), alignment: 16)
        first = .allocate(capacity: n)
        parts = .allocate(capacity: n)
        headers = .allocate(byteCount: n * 16, alignment: 16)
        socket = s
    }

    deinit {
        messages.deallocate()
        iovecs.deallocate()
        first.deallocate()
        parts.deallocate()
        headers.deallocate()
    }

    /// Frames queued and not yet sent.
    public var pending: Int { queued }

    /// Queues a frame received from an `AFPacketRing` for sending as it arrived: stripped VLAN
    /// tag put back, offload metadata (GSO, partial checksum) passed on when both sides use
    /// vnet headers. The frame's ring block must not be released before `flush()`.
    @inlinable
    public mutating func enqueue(_ frame: AFPacketFrame) {
        if queued == batchSize { flush() }
        let slot = headers + queued * 16
        let base = UInt32(queued * Self.iovecsPerFrame)
        var n: UInt32 = 0
        let tagged = frame.hadVLANTag && frame.ringBytes.count >= 12
        if vnet {
            if let h = frame.vnetHeader {
                slot.copyMemory(from: h, byteCount: Int(SLUICE_AFP_VNET_HDR_LEN))
                if tagged { Self.shiftOffsets(slot) }
            } else {
                slot.initializeMemory(as: UInt8.self, repeating: 0, count: Int(SLUICE_AFP_VNET_HDR_LEN))
            }
            sluice_afp_set_iovec(iovecs, base, slot, Int(SLUICE_AFP_VNET_HDR_LEN))
            n = 1
        }
        let bytes = frame.ringBytes
        if tagged {
            slot.storeBytes(of: UInt16(truncatingIfNeeded: frame.vlanTag >> 16).bigEndian, toByteOffset: 12, as: UInt16.self)
            slot.storeBytes(of: UInt16(truncatingIfNeeded: frame.vlanTag).bigEndian, toByteOffset: 14, as: UInt16.self)
            sluice_afp_set_iovec(iovecs, base + n, bytes.baseAddress, 12)
            sluice_afp_set_iovec(iovecs, base + n + 1, slot + 12, 4)
            sluice_afp_set_iovec(iovecs, base + n + 2, bytes.baseAddress! + 12, bytes.count - 12)
            n += 3
        } else {
            sluice_afp_set_iovec(iovecs, base + n, bytes.baseAddress, bytes.count)
            n += 1
        }
        first[queued] = base
        parts[queued] = n
        queued += 1
    }

    /// Queues a complete Ethernet frame built by the caller (an injected TCP reset, say), with
    /// its checksums already computed. `bytes` must stay valid until `flush()`.
    @inlinable
    public mutating func enqueue(bytes: UnsafeRawBufferPointer) {
        if queued == batchSize { flush() }
        let slot = headers + queued * 16
        let base = UInt32(queued * Self.iovecsPerFrame)
        var n: UInt32 = 0
        if vnet {
            slot.initializeMemory(as: UInt8.self, repeating: 0, count: Int(SLUICE_AFP_VNET_HDR_LEN))
            sluice_afp_set_iovec(iovecs, base, slot, Int(SLUICE_AFP_VNET_HDR_LEN))
            n = 1
        }
        sluice_afp_set_iovec(iovecs, base + n, bytes.baseAddress, bytes.count)
        first[queued] = base
        parts[queued] = n + 1
        queued += 1
    }

    /// Sends `bytes` now (enqueue, then flush).
    @inlinable
    public mutating func send(bytes: UnsafeRawBufferPointer) {
        enqueue(bytes: bytes)
        flush()
    }

    /// Sends every queued frame; refused ones are counted in `failed`, not retried.
    @inlinable
    public mutating func flush() {
        guard queued > 0 else { return }
        var ok: UInt32 = 0, bad: UInt32 = 0
        let r = sluice_afp_send_batch(socket.fd, messages, iovecs, first, parts, UInt32(queued), &ok, &bad)
        sent &+= UInt64(ok)
        failed &+= UInt64(bad)
        if r < 0 { lastErrno = -r }
        queued = 0
    }

    /// A tag inserted after the MAC addresses moves the L3 header 4 bytes on: the header
    /// length and checksum start of the virtio_net_hdr (little-endian) move with it.
    @usableFromInline
    static func shiftOffsets(_ h: UnsafeMutableRawPointer) {
        let flags = h.load(as: UInt8.self)
        let hdrLen = UInt16(littleEndian: h.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        if hdrLen != 0 { h.storeBytes(of: (hdrLen &+ 4).littleEndian, toByteOffset: 2, as: UInt16.self) }
        if flags & 1 != 0 {  // VIRTIO_NET_HDR_F_NEEDS_CSUM
            let start = UInt16(littleEndian: h.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
            h.storeBytes(of: (start &+ 4).littleEndian, toByteOffset: 6, as: UInt16.self)
        }
    }
}
#endif
