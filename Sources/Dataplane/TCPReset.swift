/// Builds the two TCP resets a firewall sends when it blocks a TCP flow, from the frame it
/// dropped: one back to the frame's sender (as if from the receiver), one on to the receiver
/// (as if from the sender), both with sequence numbers the peer accepts. Works on the raw
/// Ethernet frame (802.1Q/QinQ tags kept), IPv4 or IPv6 without extension headers.
public enum TCPReset {
    /// The longest frame built: Ethernet + two tags + IPv6 + TCP.
    public static let maxFrame = 14 + 8 + 40 + 20

    /// Writes the reset toward the frame's sender into `back` and the one toward its receiver
    /// into `on`, returning their lengths, or nil when `frame` is not a TCP segment that can
    /// be answered (not TCP, a reset itself, fragments, extension headers, truncated).
    @inlinable
    public static func build(from frame: UnsafeRawBufferPointer, back: UnsafeMutableRawBufferPointer,
                             on: UnsafeMutableRawBufferPointer) -> (back: Int, on: Int)? {
        guard frame.count >= 14 + 20 + 20, back.count >= maxFrame, on.count >= maxFrame else { return nil }
        var l3 = 12
        var etherType = UInt16(frame[l3]) << 8 | UInt16(frame[l3 + 1])
        while (etherType == 0x8100 || etherType == 0x88A8) && l3 + 6 <= frame.count {
            l3 += 4
            etherType = UInt16(frame[l3]) << 8 | UInt16(frame[l3 + 1])
        }
        l3 += 2
        let v4 = etherType == 0x0800
        guard v4 || etherType == 0x86DD else { return nil }
        let ipHeader: Int
        if v4 {
            guard frame.count >= l3 + 20, frame[l3] >> 4 == 4, frame[l3 + 9] == 6 else { return nil }
            // Fragments cannot be answered: the TCP header may not be in this one.
            guard (UInt16(frame[l3 + 6]) << 8 | UInt16(frame[l3 + 7])) & 0x3FFF == 0 else { return nil }
            ipHeader = Int(frame[l3] & 0x0F) * 4
        } else {
            guard frame.count >= l3 + 40, frame[l3] >> 4 == 6, frame[l3 + 6] == 6 else { return nil }
            ipHeader = 40
        }
        let l4 = l3 + ipHeader
        guard frame.count >= l4 + 20 else { return nil }
        let flags = frame[l4 + 13]
        guard flags & 0x04 == 0 else { return nil } // never answer a reset
        let ipTotal = v4 ? Int(UInt16(frame[l3 + 2]) << 8 | UInt16(frame[l3 + 3]))
                         : 40 + Int(UInt16(frame[l3 + 4]) << 8 | UInt16(frame[l3 + 5]))
        let tcpHeader = Int(frame[l4 + 12] >> 4) * 4
        let payload = max(0, ipTotal - ipHeader - tcpHeader)
        let seq = load32(frame, l4 + 4), ack = load32(frame, l4 + 8)
        let hasAck = flags & 0x10 != 0
        // Sequence space the dropped segment used: its payload, plus one for SYN and FIN.
        let used = UInt32(payload) &+ (flags & 0x02 != 0 ? 1 : 0) &+ (flags & 0x01 != 0 ? 1 : 0)
        // Back to the sender: it accepts a reset whose sequence is what it acknowledged.
        let backLen = write(frame, l3: l3, v4: v4, l4: l4, swap: true, seq: hasAck ? ack : 0,
                            ack: seq &+ used, into: back)
        // On to the receiver: it expects the dropped segment's sequence next.
        let onLen = write(frame, l3: l3, v4: v4, l4: l4, swap: false, seq: seq, ack: ack, into: on)
        return (backLen, onLen)
    }

    @inlinable static func load32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    @inlinable static func store16(_ b: UnsafeMutableRawBufferPointer, _ i: Int, _ v: UInt16) {
        b[i] = UInt8(v >> 8); b[i + 1] = UInt8(v & 0xFF)
    }

    @inlinable static func store32(_ b: UnsafeMutableRawBufferPointer, _ i: Int, _ v: UInt32) {
        b[i] = UInt8(v >> 24); b[i + 1] = UInt8((v >> 16) & 0xFF); b[i + 2] = UInt8((v >> 8) & 0xFF); b[i + 3] = UInt8(v & 0xFF)
    }

    /// One reset: the frame's link header (MACs swapped when `swap`), a fresh IP header with
    /// the addresses swapped when `swap`, and a 20-byte TCP header with RST|ACK.
    @inlinable
    static func write(_ f: UnsafeRawBufferPointer, l3: Int, v4: Bool, l4: Int, swap: Bool, seq: UInt32, ack: UInt32,
                      into out: UnsafeMutableRawBufferPointer) -> Int {
        for i in 0..<l3 { out[i] = f[i] }
        if swap { for i in 0..<6 { out[i] = f[6 + i]; out[6 + i] = f[i] } }
        let ipLen = v4 ? 20 : 40
        let o4 = l3 + ipLen
        // Addresses and ports, swapped or not.
        let addrLen = v4 ? 4 : 16
        let srcAt = l3 + (v4 ? 12 : 8), dstAt = srcAt + addrLen
        let oSrc = l3 + (v4 ? 12 : 8), oDst = oSrc + addrLen
        for i in 0..<addrLen {
            out[oSrc + i] = f[(swap ? dstAt : srcAt) + i]
            out[oDst + i] = f[(swap ? srcAt : dstAt) + i]
        }
        if v4 {
            out[l3] = 0x45; out[l3 + 1] = 0
            store16(out, l3 + 2, 40)
            store16(out, l3 + 4, 0); store16(out, l3 + 6, 0x4000)   // id 0, DF
            out[l3 + 8] = 64; out[l3 + 9] = 6
            store16(out, l3 + 10, 0)
            var sum: UInt32 = 0
            for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(out[l3 + i]) << 8 | UInt32(out[l3 + i + 1]) }
            store16(out, l3 + 10, fold(sum))
        } else {
            out[l3] = 0x60; out[l3 + 1] = 0; out[l3 + 2] = 0; out[l3 + 3] = 0
            store16(out, l3 + 4, 20)
            out[l3 + 6] = 6; out[l3 + 7] = 64
        }
        for i in 0..<2 {
            out[o4 + i] = f[l4 + (swap ? 2 : 0) + i]
            out[o4 + 2 + i] = f[l4 + (swap ? 0 : 2) + i]
        }
        store32(out, o4 + 4, seq)
        store32(out, o4 + 8, ack)
        out[o4 + 12] = 5 << 4
        out[o4 + 13] = 0x14   // RST, ACK
        store16(out, o4 + 14, 0)   // window
        store16(out, o4 + 16, 0)   // checksum, below
        store16(out, o4 + 18, 0)
        // TCP checksum over the pseudo-header and the 20-byte header.
        var sum: UInt32 = 6 + 20
        for i in stride(from: 0, to: 2 * addrLen, by: 2) { sum += UInt32(out[oSrc + i]) << 8 | UInt32(out[oSrc + i + 1]) }
        for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(out[o4 + i]) << 8 | UInt32(out[o4 + i + 1]) }
        store16(out, o4 + 16, fold(sum))
        return o4 + 20
    }

    @inlinable static func fold(_ s: UInt32) -> UInt16 {
        var sum = s
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
