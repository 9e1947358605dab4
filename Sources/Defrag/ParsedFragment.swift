/// One fragment's fields, read from its raw bytes with every load bounds-checked. Parsing fails
/// (returns nil) on anything malformed; the caller counts that as `invalid`.
@usableFromInline
struct ParsedFragment {
    @usableFromInline var key = DatagramKey()
    /// First byte of the fragment's IP header (inside the caller's buffer).
    @usableFromInline var ip: UnsafeRawPointer
    /// Where the payload starts, from `ip`.
    @usableFromInline var payloadOffset = 0
    /// Payload position in the rebuilt datagram, in bytes.
    @usableFromInline var offset = 0
    /// Payload bytes (never 0).
    @usableFromInline var length = 0
    /// More-fragments flag.
    @usableFromInline var more = false
    /// Header bytes kept in front of the rebuilt payload: the IPv4 header, or the IPv6 header plus
    /// extension headers before the fragment header.
    @usableFromInline var headerLength = 0
    /// IPv6: offset of the Next Header byte that points at the fragment header.
    @usableFromInline var nextHeaderPos = 0
    /// IPv6: the fragment header's Next Header.
    @usableFromInline var fragmentNextHeader: UInt8 = 0

    @inlinable init(ip: UnsafeRawPointer) { self.ip = ip }

    /// First byte of this fragment's payload.
    @inlinable var payload: UnsafeRawPointer { ip + payloadOffset }

    /// Payload end in the rebuilt datagram.
    @inlinable var end: Int { offset &+ length }

    /// Most bytes of IPv6 unfragmentable part we rebuild in front of the payload; also the
    /// headroom each slot keeps for it. Real packets carry far less; more is treated as hostile.
    @usableFromInline static let maxIPv6Unfragmentable = 512

    @inlinable @inline(__always)
    static func load8(_ p: UnsafeRawPointer, _ o: Int) -> UInt8 { p.load(fromByteOffset: o, as: UInt8.self) }

    @inlinable @inline(__always)
    static func load16(_ p: UnsafeRawPointer, _ o: Int) -> UInt16 {
        UInt16(bigEndian: p.loadUnaligned(fromByteOffset: o, as: UInt16.self))
    }

    @inlinable @inline(__always)
    static func load32(_ p: UnsafeRawPointer, _ o: Int) -> UInt32 {
        UInt32(bigEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self))
    }

    /// Dispatches on the version nibble.
    @inlinable
    static func parse(_ ip: UnsafeRawBufferPointer, fragmentHeaderOffset: Int, vlan: UInt16) -> ParsedFragment? {
        guard let base = ip.baseAddress, ip.count >= 20 else { return nil }
        switch load8(base, 0) >> 4 {
        case 4: return parseIPv4(base, ip.count, vlan: vlan)
        case 6: return parseIPv6(base, ip.count, fragmentHeaderOffset: fragmentHeaderOffset, vlan: vlan)
        default: return nil
        }
    }

    @inlinable
    static func parseIPv4(_ base: UnsafeRawPointer, _ count: Int, vlan: UInt16) -> ParsedFragment? {
        // count >= 20 was checked by the caller.
        let hl = Int(load8(base, 0) & 0x0f) * 4
        guard hl >= 20, hl <= count else { return nil }
        let total = Int(load16(base, 2))
        guard total > hl, total <= count else { return nil }
        let word = load16(base, 6)
        var f = ParsedFragment(ip: base)
        f.payloadOffset = hl
        f.offset = Int(word & 0x1fff) * 8
        f.more = word & 0x2000 != 0
        f.length = total - hl
        // Only the last fragment may end off an 8-byte boundary (RFC 791); anything else cannot
        // line up with the next fragment's offset.
        if f.more && f.length & 7 != 0 { return nil }
        f.headerLength = hl
        f.key.version = 4
        f.key.proto = load8(base, 9)
        f.key.id = UInt32(load16(base, 4))
        f.key.src0 = UInt64(base.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        f.key.dst0 = UInt64(base.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        f.key.vlan = vlan
        return f
    }

    @inlinable
    static func parseIPv6(_ base: UnsafeRawPointer, _ count: Int, fragmentHeaderOffset fo: Int,
                          vlan: UInt16) -> ParsedFragment? {
        guard count >= 40 else { return nil }
        let total = 40 + Int(load16(base, 4))
        guard total <= count, fo >= 40, fo <= maxIPv6Unfragmentable, fo + 8 < total else { return nil }
        // Walk the chain ourselves rather than trust the caller's offset: the byte we rewrite on
        // completion must be the one that really names the fragment header.
        var nh = load8(base, 6)
        var nhPos = 6
        var pos = 40
        while pos < fo {
            guard pos + 2 <= fo else { return nil }
            let n = Int(load8(base, pos + 1))
            let len: Int
            switch nh {
            case 0, 43, 60, 135, 139, 140: len = (n + 1) * 8
            case 51: len = (n + 2) * 4
            default: return nil
            }
            nhPos = pos
            nh = load8(base, pos)
            pos += len
        }
        guard pos == fo, nh == 44 else { return nil }
        let word = load16(base, fo + 2)
        var f = ParsedFragment(ip: base)
        f.payloadOffset = fo + 8
        f.offset = Int(word >> 3) * 8
        f.more = word & 1 != 0
        f.length = total - (fo + 8)
        if f.more && f.length & 7 != 0 { return nil }
        f.headerLength = fo
        f.nextHeaderPos = nhPos
        f.fragmentNextHeader = load8(base, fo)
        f.key.version = 6
        f.key.id = load32(base, fo + 4)
        f.key.src0 = base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        f.key.src1 = base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        f.key.dst0 = base.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        f.key.dst1 = base.loadUnaligned(fromByteOffset: 32, as: UInt64.self)
        f.key.vlan = vlan
        return f
    }
}
