/// Decodes frames from the link layer down to the transport header, in place, with bounds
/// checked on every load. Nothing here allocates or traps on hostile input: a frame that
/// breaks a rule stops decoding with a `DecodeError` and is counted.
public enum Decoder {
    /// The most VLAN tags peeled before a frame is called malformed.
    public static let maxVLANTags = 4
    /// The most IPv6 extension headers walked before a packet is called malformed.
    public static let maxIPv6Extensions = 8

    /// Decodes one frame of `linkType` into `p`, updating `counters`.
    /// `wireLength` is the frame's original length (larger than `frame.count` when the snap length cut it).
    @inlinable
    public static func decode(frame: UnsafeRawBufferPointer, wireLength: Int, linkType: LinkType,
                              into p: inout DecodedPacket, counters: inout DecodeCounters) {
        p = DecodedPacket()
        counters.packets &+= 1
        counters.bytes &+= UInt64(clamping: wireLength)
        if wireLength > 1514 { counters.oversize &+= 1 }
        guard let base = frame.baseAddress else { fail(&p, .linkTruncated, &counters); return }
        let len = frame.count
        if len < wireLength { p.truncated = true; counters.truncated &+= 1 }
        switch linkType.rawValue {
        case LinkType.ethernet.rawValue:
            guard len >= 14 else { fail(&p, .linkTruncated, &counters); return }
            decodeEtherType(base, len, offset: 12, into: &p, counters: &counters)
        case LinkType.linuxSLL.rawValue:
            guard len >= 16 else { fail(&p, .linkTruncated, &counters); return }
            decodeEtherType(base, len, offset: 14, into: &p, counters: &counters)
        case LinkType.linuxSLL2.rawValue:
            guard len >= 20 else { fail(&p, .linkTruncated, &counters); return }
            let proto = load16(base, 0)
            dispatchEtherType(proto, base, len, offset: 20, into: &p, counters: &counters)
        case LinkType.raw.rawValue, LinkType.rawLinktype.rawValue, 14:
            guard len >= 1 else { fail(&p, .linkTruncated, &counters); return }
            decodeIP(base, len, offset: 0, version: base.load(as: UInt8.self) >> 4, into: &p, counters: &counters)
        case LinkType.ipv4.rawValue:
            decodeIP(base, len, offset: 0, version: 4, into: &p, counters: &counters)
        case LinkType.ipv6.rawValue:
            decodeIP(base, len, offset: 0, version: 6, into: &p, counters: &counters)
        case LinkType.null.rawValue:
            guard len >= 4 else { fail(&p, .linkTruncated, &counters); return }
            // The family is in the capturing host's byte order: AF_INET is 2; AF_INET6 is 10, 24, 28 or 30.
            let fam = base.loadUnaligned(as: UInt32.self)
            let family = fam > 0xffff ? fam.byteSwapped : fam
            let v: UInt8 = family == 2 ? 4 : (family == 10 || family == 24 || family == 28 || family == 30) ? 6 : 0
            if v == 0 { p.kind = .nonIP; counters.nonIP &+= 1; return }
            decodeIP(base, len, offset: 4, version: v, into: &p, counters: &counters)
        case LinkType.ppp.rawValue:
            decodePPP(base, len, into: &p, counters: &counters)
        default:
            fail(&p, .unsupportedLinkType, &counters)
        }
    }

    /// Decodes a bare IP datagram (for example one rebuilt by the defragmenter) held in `datagram`.
    /// Offsets in `p` are then relative to `datagram`. VLAN fields of `p` are kept.
    @inlinable
    public static func decodeDatagram(_ datagram: UnsafeRawBufferPointer, into p: inout DecodedPacket,
                                      counters: inout DecodeCounters) {
        let vlanOuter = p.vlanOuter, vlanInner = p.vlanInner, vlanCount = p.vlanCount
        p = DecodedPacket()
        p.vlanOuter = vlanOuter; p.vlanInner = vlanInner; p.vlanCount = vlanCount
        guard let base = datagram.baseAddress, datagram.count > 0 else { fail(&p, .linkTruncated, &counters); return }
        decodeIP(base, datagram.count, offset: 0, version: base.load(as: UInt8.self) >> 4,
                 into: &p, counters: &counters, countFamily: false)
    }

    @inlinable @inline(__always)
    static func load16(_ base: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    static func load32(_ base: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable
    static func fail(_ p: inout DecodedPacket, _ e: DecodeError, _ counters: inout DecodeCounters) {
        p.kind = .malformed
        p.error = e
        counters.malformed.bump(Int(e.rawValue))
    }

    @inlinable
    static func decodeEtherType(_ base: UnsafeRawPointer, _ len: Int, offset: Int,
                                into p: inout DecodedPacket, counters: inout DecodeCounters) {
        var off = offset
        var type = load16(base, off)
        off += 2
        // 802.1Q (0x8100), 802.1ad (0x88a8) and the pre-standard QinQ 0x9100 all carry a 4-byte tag.
        while type == 0x8100 || type == 0x88a8 || type == 0x9100 {
            guard Int(p.vlanCount) < maxVLANTags else { fail(&p, .tooManyVLANTags, &counters); return }
            guard off + 4 <= len else { fail(&p, .vlanTruncated, &counters); return }
            let vid = load16(base, off) & 0x0fff
            if p.vlanCount == 0 { p.vlanOuter = vid } else if p.vlanCount == 1 { p.vlanInner = vid }
            p.vlanCount &+= 1
            type = load16(base, off + 2)
            off += 4
        }
        if p.vlanCount > 0 { counters.vlanTagged &+= 1 }
        dispatchEtherType(type, base, len, offset: off, into: &p, counters: &counters)
    }

    @inlinable
    static func dispatchEtherType(_ type: UInt16, _ base: UnsafeRawPointer, _ len: Int, offset: Int,
                                  into p: inout DecodedPacket, counters: inout DecodeCounters) {
        p.etherType = type
        switch type {
        case 0x0800: decodeIP(base, len, offset: offset, version: 4, into: &p, counters: &counters)
        case 0x86dd: decodeIP(base, len, offset: offset, version: 6, into: &p, counters: &counters)
        case 0x8864:
            // PPPoE session: 6-byte header, then a PPP protocol field.
            guard offset + 8 <= len else { fail(&p, .linkTruncated, &counters); return }
            decodePPPProtocol(load16(base, offset + 6), base, len, offset: offset + 8, into: &p, counters: &counters)
        default:
            p.kind = .nonIP
            counters.nonIP &+= 1
        }
    }

    @inlinable
    static func decodePPP(_ base: UnsafeRawPointer, _ len: Int, into p: inout DecodedPacket,
                          counters: inout DecodeCounters) {
        var off = 0
        // Optional HDLC address/control bytes.
        if len >= 2 && base.load(fromByteOffset: 0, as: UInt8.self) == 0xff
            && base.load(fromByteOffset: 1, as: UInt8.self) == 0x03 { off = 2 }
        guard off < len else { fail(&p, .linkTruncated, &counters); return }
        // Protocol-field compression: a 1-byte protocol has its low bit set.
        let first = base.load(fromByteOffset: off, as: UInt8.self)
        if first & 1 == 1 {
            decodePPPProtocol(UInt16(first), base, len, offset: off + 1, into: &p, counters: &counters)
        } else {
            guard off + 2 <= len else { fail(&p, .linkTruncated, &counters); return }
            decodePPPProtocol(load16(base, off), base, len, offset: off + 2, into: &p, counters: &counters)
        }
    }

    @inlinable
    static func decodePPPProtocol(_ proto: UInt16, _ base: UnsafeRawPointer, _ len: Int, offset: Int,
                                  into p: inout DecodedPacket, counters: inout DecodeCounters) {
        switch proto {
        case 0x0021: decodeIP(base, len, offset: offset, version: 4, into: &p, counters: &counters)
        case 0x0057: decodeIP(base, len, offset: offset, version: 6, into: &p, counters: &counters)
        default: p.kind = .nonIP; counters.nonIP &+= 1
        }
    }

    @inlinable
    static func decodeIP(_ base: UnsafeRawPointer, _ len: Int, offset: Int, version: UInt8,
                         into p: inout DecodedPacket, counters: inout DecodeCounters, countFamily: Bool = true) {
        guard offset < len else { fail(&p, version == 6 ? .ipv6Truncated : .ipv4Truncated, &counters); return }
        let actual = base.load(fromByteOffset: offset, as: UInt8.self) >> 4
        if version == 4 {
            guard actual == 4 else { fail(&p, actual == 6 ? .ipVersionMismatch : .ipv4BadVersion, &counters); return }
            decodeIPv4(base, len, offset: offset, into: &p, counters: &counters, countFamily: countFamily)
        } else if version == 6 {
            guard actual == 6 else { fail(&p, actual == 4 ? .ipVersionMismatch : .ipv6Truncated, &counters); return }
            decodeIPv6(base, len, offset: offset, into: &p, counters: &counters, countFamily: countFamily)
        } else {
            fail(&p, .ipv4BadVersion, &counters)
        }
    }

    @inlinable
    static func decodeIPv4(_ base: UnsafeRawPointer, _ len: Int, offset o: Int,
                           into p: inout DecodedPacket, counters: inout DecodeCounters, countFamily: Bool) {
        guard o + 20 <= len else { fail(&p, .ipv4Truncated, &counters); return }
        let ihl = Int(base.load(fromByteOffset: o, as: UInt8.self) & 0x0f) * 4
        guard ihl >= 20 else { fail(&p, .ipv4BadHeaderLength, &counters); return }
        guard o + ihl <= len else { fail(&p, .ipv4Truncated, &counters); return }
        var total = Int(load16(base, o + 2))
        // TSO frames captured before segmentation may carry 0 here; the frame itself is the datagram.
        if total == 0 { total = len - o }
        guard total >= ihl else { fail(&p, .ipv4BadTotalLength, &counters); return }
        if countFamily { counters.ipv4 &+= 1 }
        p.ipVersion = 4
        p.l3Offset = Int32(o)
        p.ttl = base.load(fromByteOffset: o + 8, as: UInt8.self)
        p.ipProto = base.load(fromByteOffset: o + 9, as: UInt8.self)
        p.src = IPAddress(v4At: base, o + 12)
        p.dst = IPAddress(v4At: base, o + 16)
        if !ipv4ChecksumValid(base + o, ihl) { p.ipChecksumBad = true; counters.ipv4ChecksumBad &+= 1 }
        if ihl > 20 && !ipv4OptionsValid(base + o + 20, ihl - 20) { fail(&p, .ipv4BadOptions, &counters); return }
        let available = len - o
        if total > available {
            // The snap length cut the datagram; decode what is there.
            if !p.truncated { p.truncated = true; counters.truncated &+= 1 }
        }
        let end = o + min(total, available)
        p.l3Length = Int32(end - o)
        let fragWord = load16(base, o + 6)
        p.moreFragments = fragWord & 0x2000 != 0
        p.fragmentOffset = Int32(fragWord & 0x1fff) * 8
        p.fragmentID = UInt32(load16(base, o + 4))
        if p.moreFragments || p.fragmentOffset != 0 {
            p.kind = .fragment
            counters.fragments &+= 1
            return
        }
        decodeTransport(base, end, offset: o + ihl, proto: p.ipProto, into: &p, counters: &counters)
    }

    @inlinable
    static func ipv4ChecksumValid(_ h: UnsafeRawPointer, _ ihl: Int) -> Bool {
        // The ones'-complement sum does not depend on byte order (RFC 1071), so sum 32-bit
        // words as loaded and fold once; `ihl` is a multiple of 4.
        var sum: UInt64 = 0
        var i = 0
        while i < ihl {
            sum &+= UInt64(h.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i += 4
        }
        sum = (sum & 0xffff_ffff) &+ (sum >> 32)
        sum = (sum & 0xffff_ffff) &+ (sum >> 32)
        var s16 = (sum & 0xffff) &+ (sum >> 16)
        s16 = (s16 & 0xffff) &+ (s16 >> 16)
        return s16 == 0xffff
    }

    @inlinable
    static func ipv4OptionsValid(_ opt: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            let kind = opt.load(fromByteOffset: i, as: UInt8.self)
            if kind == 0 { return true }          // end of options
            if kind == 1 { i += 1; continue }     // no-op
            guard i + 1 < n else { return false }
            let l = Int(opt.load(fromByteOffset: i + 1, as: UInt8.self))
            guard l >= 2, i + l <= n else { return false }
            i += l
        }
        return true
    }

    @inlinable
    static func decodeIPv6(_ base: UnsafeRawPointer, _ len: Int, offset o: Int,
                           into p: inout DecodedPacket, counters: inout DecodeCounters, countFamily: Bool) {
        guard o + 40 <= len else { fail(&p, .ipv6Truncated, &counters); return }
        if countFamily { counters.ipv6 &+= 1 }
        p.ipVersion = 6
        p.l3Offset = Int32(o)
        var payloadLen = Int(load16(base, o + 4))
        // A zero payload length with a larger frame is a jumbogram or a GSO aggregate: take the frame.
        if payloadLen == 0 { payloadLen = len - o - 40 }
        let available = len - o - 40
        if payloadLen > available {
            if !p.truncated { p.truncated = true; counters.truncated &+= 1 }
            payloadLen = available
        }
        let end = o + 40 + payloadLen
        p.l3Length = Int32(end - o)
        p.ttl = base.load(fromByteOffset: o + 7, as: UInt8.self)
        p.src = IPAddress(v6At: base, o + 8)
        p.dst = IPAddress(v6At: base, o + 24)
        var next = base.load(fromByteOffset: o + 6, as: UInt8.self)
        var off = o + 40
        var walked = 0
        while true {
            switch next {
            case 0, 43, 60, 135, 139, 140:
                // Hop-by-hop, routing, destination options, mobility, HIP, shim6: length in 8-octet units.
                guard off + 8 <= end else { fail(&p, .ipv6ExtensionTruncated, &counters); return }
                let extLen = (Int(base.load(fromByteOffset: off + 1, as: UInt8.self)) + 1) * 8
                guard off + extLen <= end else { fail(&p, .ipv6ExtensionTruncated, &counters); return }
                next = base.load(fromByteOffset: off, as: UInt8.self)
                off += extLen
            case 51:
                // Authentication header: length in 4-octet units, plus 2.
                guard off + 8 <= end else { fail(&p, .ipv6ExtensionTruncated, &counters); return }
                let extLen = (Int(base.load(fromByteOffset: off + 1, as: UInt8.self)) + 2) * 4
                guard off + extLen <= end else { fail(&p, .ipv6ExtensionTruncated, &counters); return }
                next = base.load(fromByteOffset: off, as: UInt8.self)
                off += extLen
            case 44:
                guard off + 8 <= end else { fail(&p, .ipv6ExtensionTruncated, &counters); return }
                let word = load16(base, off + 2)
                p.fragmentOffset = Int32(word >> 3) * 8
                p.moreFragments = word & 1 != 0
                p.fragmentID = load32(base, off + 4)
                p.ipProto = base.load(fromByteOffset: off, as: UInt8.self)
                // An atomic fragment (offset 0, no MF) is a whole packet: decode straight on.
                if p.moreFragments || p.fragmentOffset != 0 {
                    p.l4Offset = Int32(off)   // where the fragment header sits, for the defragmenter
                    p.kind = .fragment
                    counters.fragments &+= 1
                    return
                }
                next = p.ipProto
                off += 8
            default:
                p.ipProto = next
                decodeTransport(base, end, offset: off, proto: next, into: &p, counters: &counters)
                return
            }
            walked += 1
            if walked > maxIPv6Extensions { fail(&p, .ipv6TooManyExtensions, &counters); return }
        }
    }

    @inlinable
    static func decodeTransport(_ base: UnsafeRawPointer, _ end: Int, offset o: Int, proto: UInt8,
                                into p: inout DecodedPacket, counters: inout DecodeCounters) {
        p.l4Offset = Int32(o)
        switch proto {
        case IPProto.tcp:
            guard o + 20 <= end else { fail(&p, .tcpTruncated, &counters); return }
            let dataOffset = Int(base.load(fromByteOffset: o + 12, as: UInt8.self) >> 4) * 4
            guard dataOffset >= 20 else { fail(&p, .tcpBadDataOffset, &counters); return }
            guard o + dataOffset <= end else { fail(&p, .tcpTruncated, &counters); return }
            p.srcPort = load16(base, o)
            p.dstPort = load16(base, o + 2)
            p.seq = load32(base, o + 4)
            p.ack = load32(base, o + 8)
            p.tcpFlags = base.load(fromByteOffset: o + 13, as: UInt8.self)
            p.window = load16(base, o + 14)
            if dataOffset > 20 && !decodeTCPOptions(base + o + 20, dataOffset - 20, into: &p) {
                fail(&p, .tcpBadOptions, &counters); return
            }
            p.payloadOffset = Int32(o + dataOffset)
            p.payloadLength = Int32(end - o - dataOffset)
            counters.tcp &+= 1
        case IPProto.udp:
            guard o + 8 <= end else { fail(&p, .udpTruncated, &counters); return }
            p.srcPort = load16(base, o)
            p.dstPort = load16(base, o + 2)
            let udpLen = Int(load16(base, o + 4))
            // 0 is legal for GSO/jumbo; otherwise the length must cover the header and fit the datagram
            // (unless the snap length cut the datagram).
            var payload = end - o - 8
            if udpLen != 0 {
                guard udpLen >= 8 else { fail(&p, .udpBadLength, &counters); return }
                if udpLen - 8 > payload {
                    guard p.truncated else { fail(&p, .udpBadLength, &counters); return }
                } else {
                    payload = udpLen - 8
                }
            }
            p.payloadOffset = Int32(o + 8)
            p.payloadLength = Int32(payload)
            counters.udp &+= 1
        case IPProto.icmp, IPProto.icmpv6:
            guard o + 4 <= end else { fail(&p, .icmpTruncated, &counters); return }
            p.icmpType = base.load(fromByteOffset: o, as: UInt8.self)
            p.icmpCode = base.load(fromByteOffset: o + 1, as: UInt8.self)
            // Echo request/reply share an identifier: use it as both "ports" so the pair is one flow.
            let isEcho = proto == IPProto.icmp ? (p.icmpType == 8 || p.icmpType == 0)
                                                : (p.icmpType == 128 || p.icmpType == 129)
            if isEcho && o + 8 <= end {
                let ident = load16(base, o + 4)
                p.srcPort = ident
                p.dstPort = ident
            }
            let hdr = min(8, end - o)
            p.payloadOffset = Int32(o + hdr)
            p.payloadLength = Int32(end - o - hdr)
            counters.icmp &+= 1
        default:
            p.payloadOffset = Int32(o)
            p.payloadLength = Int32(end - o)
            counters.otherIP &+= 1
        }
        p.kind = .ip
    }

    @inlinable
    static func decodeTCPOptions(_ opt: UnsafeRawPointer, _ n: Int, into p: inout DecodedPacket) -> Bool {
        var i = 0
        while i < n {
            let kind = opt.load(fromByteOffset: i, as: UInt8.self)
            if kind == 0 { return true }
            if kind == 1 { i += 1; continue }
            guard i + 1 < n else { return false }
            let l = Int(opt.load(fromByteOffset: i + 1, as: UInt8.self))
            guard l >= 2, i + l <= n else { return false }
            if kind == 2 && l == 4 {
                p.mss = UInt16(bigEndian: opt.loadUnaligned(fromByteOffset: i + 2, as: UInt16.self))
            } else if kind == 3 && l == 3 {
                p.windowScale = opt.load(fromByteOffset: i + 2, as: UInt8.self)
            }
            i += l
        }
        return true
    }
}
