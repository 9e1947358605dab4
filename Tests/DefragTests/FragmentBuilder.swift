import SluiceTestSupport
import Defrag

/// Builds IPv4 and IPv6 fragments byte by byte, independently of the code under test.
enum FragmentBuilder {
    static let v4Src: [UInt8] = [10, 0, 0, 1]
    static let v4Dst: [UInt8] = [10, 0, 0, 2]
    static let v6Src: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    static let v6Dst: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]

    /// An IPv4 packet; `offset` in bytes (multiple of 8). With offset 0 and `more` false it is the
    /// unfragmented datagram, which is what a reassembly must reproduce.
    static func ipv4(src: [UInt8] = v4Src, dst: [UInt8] = v4Dst, id: UInt16 = 0x1234, proto: UInt8 = 17,
                     ttl: UInt8 = 64, df: Bool = false, offset: Int, more: Bool,
                     options: [UInt8] = [], payload: [UInt8]) -> [UInt8] {
        precondition(options.count % 4 == 0)
        let hl = 20 + options.count
        let total = hl + payload.count
        var flags = UInt16(offset / 8) & 0x1fff
        if more { flags |= 0x2000 }
        if df { flags |= 0x4000 }
        var h: [UInt8] = [0x40 | UInt8(hl / 4), 0, UInt8(total >> 8), UInt8(total & 0xff),
                          UInt8(id >> 8), UInt8(id & 0xff), UInt8(flags >> 8), UInt8(flags & 0xff),
                          ttl, proto, 0, 0] + src + dst + options
        let c = checksum(h)
        h[10] = UInt8(c >> 8); h[11] = UInt8(c & 0xff)
        return h + payload
    }

    /// An IPv6 fragment. `hopByHop` puts an 8-byte Hop-by-Hop header before the fragment header.
    static func ipv6(id: UInt32 = 0xdead_beef, nextHeader: UInt8 = 17, hopByHop: Bool = false,
                     offset: Int, more: Bool, payload: [UInt8]) -> [UInt8] {
        let unfrag = unfragmentable(hopByHop: hopByHop, next: 44)
        let word = UInt16(offset / 8) << 3 | (more ? 1 : 0)
        let frag: [UInt8] = [nextHeader, 0, UInt8(word >> 8), UInt8(word & 0xff),
                             UInt8(id >> 24), UInt8((id >> 16) & 0xff), UInt8((id >> 8) & 0xff), UInt8(id & 0xff)]
        return withPayloadLength(unfrag + frag + payload)
    }

    /// The datagram an IPv6 reassembly must produce: no fragment header, the chain pointing at
    /// `nextHeader` directly.
    static func ipv6Whole(nextHeader: UInt8 = 17, hopByHop: Bool = false, payload: [UInt8]) -> [UInt8] {
        withPayloadLength(unfragmentable(hopByHop: hopByHop, next: nextHeader) + payload)
    }

    /// Offset of the fragment header in `ipv6(...)` packets.
    static func v6FragmentHeaderOffset(hopByHop: Bool) -> Int { hopByHop ? 48 : 40 }

    private static func unfragmentable(hopByHop: Bool, next: UInt8) -> [UInt8] {
        var h: [UInt8] = [0x60, 0, 0, 0, 0, 0, hopByHop ? 0 : next, 64] + v6Src + v6Dst
        if hopByHop { h += [next, 0, 1, 4, 0, 0, 0, 0] }   // one PadN option fills the 8 bytes
        return h
    }

    private static func withPayloadLength(_ p: [UInt8]) -> [UInt8] {
        var p = p
        let len = p.count - 40
        p[4] = UInt8(len >> 8); p[5] = UInt8(len & 0xff)
        return p
    }

    static func checksum(_ h: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        for i in stride(from: 0, to: h.count, by: 2) { sum += UInt32(h[i]) << 8 | UInt32(h[i + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// A payload whose bytes identify their position, so misplaced bytes show.
    static func pattern(_ count: Int, salt: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8 &+ salt) }
    }

    /// Splits `payload` into IPv4 fragments of `size` bytes (multiple of 8).
    static func ipv4Fragments(id: UInt16 = 0x1234, size: Int, payload: [UInt8], proto: UInt8 = 17) -> [[UInt8]] {
        stride(from: 0, to: payload.count, by: size).map { off in
            let end = min(off + size, payload.count)
            return ipv4(id: id, proto: proto, offset: off, more: end < payload.count, payload: Array(payload[off..<end]))
        }
    }
}


/// A `DefragResult` with the rebuilt bytes copied out, since the buffer only lives until the next call.
enum Outcome: Equatable {
    case incomplete
    case reassembled([UInt8])
    case dropped
}

extension Defragmenter {
    mutating func feed(_ packet: [UInt8], fragmentHeaderOffset: Int = 0, vlan: UInt16 = 0, now: UInt64 = 0) -> Outcome {
        packet.withUnsafeBytes { raw in
            switch insert(ip: raw, fragmentHeaderOffset: fragmentHeaderOffset, vlan: vlan, now: now) {
            case .incomplete: return .incomplete
            case .dropped: return .dropped
            case .reassembled(let b): return .reassembled(Array(b))
            }
        }
    }
}

extension DefragConfig {
    static func with(_ change: (inout DefragConfig) -> Void) -> DefragConfig {
        var c = DefragConfig()
        change(&c)
        return c
    }
}
