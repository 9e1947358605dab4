import Codecs
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds frames byte by byte, independently of the decoder under test: link headers, IPv4/IPv6
/// (with options and extension headers) and TCP/UDP/ICMP, with every field spelled out.
enum FrameBuilder {
    static let macDst: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]
    static let macSrc: [UInt8] = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb]
    static let v4Client: [UInt8] = [192, 168, 1, 10]
    static let v4Server: [UInt8] = [10, 0, 0, 1]
    /// 2001:db8::1
    static let v6Client: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    /// fd77::2
    static let v6Server: [UInt8] = [0xfd, 0x77] + [UInt8](repeating: 0, count: 13) + [2]

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }

    // MARK: Link layers

    /// Ethernet II; each tag is (TPID, TCI) and is written outermost first.
    static func ethernet(_ etherType: UInt16, _ payload: [UInt8], tags: [(tpid: UInt16, tci: UInt16)] = []) -> [UInt8] {
        var f = macDst + macSrc
        for t in tags { f += be16(t.tpid) + be16(t.tci) }
        return f + be16(etherType) + payload
    }

    /// Linux cooked capture v1: packet type, ARPHRD, address length, 8-byte address, protocol.
    static func sll(_ proto: UInt16, _ payload: [UInt8]) -> [UInt8] {
        be16(0) + be16(1) + be16(6) + macSrc + [0, 0] + be16(proto) + payload
    }

    /// Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address.
    static func sll2(_ proto: UInt16, _ payload: [UInt8]) -> [UInt8] {
        be16(proto) + be16(0) + be32(3) + be16(1) + [4, 6] + macSrc + [0, 0] + payload
    }

    /// PPP: optional FF 03 address/control, then a 2-byte or (compressed) 1-byte protocol.
    static func ppp(_ proto: UInt16, _ payload: [UInt8], addressControl: Bool, compressed: Bool) -> [UInt8] {
        var f: [UInt8] = addressControl ? [0xff, 0x03] : []
        f += compressed ? [UInt8(proto & 0xff)] : be16(proto)
        return f + payload
    }

    /// BSD loopback: 4-byte address family in the capturing host's byte order.
    static func null(family: UInt32, littleEndian: Bool, _ payload: [UInt8]) -> [UInt8] {
        (littleEndian ? be32(family).reversed() : be32(family)) + payload
    }

    // MARK: Network layers

    /// An IPv4 header (with a correct checksum unless `corruptChecksum`) followed by `body`.
    static func ipv4(src: [UInt8] = v4Client, dst: [UInt8] = v4Server, proto: UInt8, ttl: UInt8 = 64,
                     id: UInt16 = 0x1234, more: Bool = false, fragmentOffset: Int = 0, options: [UInt8] = [],
                     totalLength: Int? = nil, corruptChecksum: Bool = false, _ body: [UInt8]) -> [UInt8] {
        precondition(options.count % 4 == 0)
        let hl = 20 + options.count
        let total = totalLength ?? (hl + body.count)
        var frag = UInt16(fragmentOffset / 8) & 0x1fff
        if more { frag |= 0x2000 }
        var h: [UInt8] = [0x40 | UInt8(hl / 4), 0] + be16(UInt16(total)) + be16(id) + be16(frag)
            + [ttl, proto, 0, 0] + src + dst + options
        var c = checksum(h)
        if corruptChecksum { c ^= 0x5a5a }
        h[10] = UInt8(c >> 8); h[11] = UInt8(c & 0xff)
        return h + body
    }

    /// An IPv6 header followed by `body` (extension headers, then the transport header).
    static func ipv6(src: [UInt8] = v6Client, dst: [UInt8] = v6Server, next: UInt8, hopLimit: UInt8 = 64,
                     payloadLength: Int? = nil, _ body: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(UInt16(payloadLength ?? body.count)) + [next, hopLimit] + src + dst + body
    }

    /// A hop-by-hop or destination-options header of `(units + 1) * 8` bytes padded with one PadN option.
    static func optionsHeader(next: UInt8, units: UInt8 = 0) -> [UInt8] {
        let size = (Int(units) + 1) * 8
        return [next, units, 1, UInt8(size - 4)] + [UInt8](repeating: 0, count: size - 4)
    }

    /// An IPv6 fragment header; `offset` in bytes (multiple of 8).
    static func fragmentHeader(next: UInt8, offset: Int, more: Bool, id: UInt32) -> [UInt8] {
        [next, 0] + be16(UInt16(offset / 8) << 3 | (more ? 1 : 0)) + be32(id)
    }

    static func checksum(_ h: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        for i in stride(from: 0, to: h.count, by: 2) { sum += UInt32(h[i]) << 8 | UInt32(h[i + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    // MARK: Transport layers

    /// A TCP header; `options` must be a multiple of 4 bytes unless `dataOffsetWords` overrides.
    static func tcp(srcPort: UInt16 = 49152, dstPort: UInt16 = 80, seq: UInt32 = 1000, ack: UInt32 = 0,
                    flags: UInt8 = TCPFlag.ack, window: UInt16 = 65535, options: [UInt8] = [],
                    dataOffsetWords: UInt8? = nil, _ payload: [UInt8] = []) -> [UInt8] {
        let words = dataOffsetWords ?? UInt8((20 + options.count) / 4)
        return be16(srcPort) + be16(dstPort) + be32(seq) + be32(ack) + [words << 4, flags]
            + be16(window) + [0, 0, 0, 0] + options + payload
    }

    /// MSS 1460, NOP, window scale 7, NOP, NOP, SACK-permitted: 12 bytes.
    static let synOptions: [UInt8] = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2]

    static func udp(srcPort: UInt16 = 5353, dstPort: UInt16 = 53, length: UInt16? = nil, _ payload: [UInt8]) -> [UInt8] {
        be16(srcPort) + be16(dstPort) + be16(length ?? UInt16(8 + payload.count)) + [0, 0] + payload
    }

    static func icmp(type: UInt8, code: UInt8 = 0, id: UInt16 = 0, seq: UInt16 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        [type, code, 0, 0] + be16(id) + be16(seq) + payload
    }

    /// Bytes whose values identify their position.
    static func pattern(_ n: Int, salt: UInt8 = 0) -> [UInt8] {
        (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7) &+ salt }
    }
}

/// Decodes `frame` with fresh counters.
func decodeFrame(_ frame: [UInt8], _ link: LinkType, wireLength: Int? = nil) -> (DecodedPacket, DecodeCounters) {
    var counters = DecodeCounters()
    var p = DecodedPacket()
    frame.withUnsafeBytes { raw in
        Decoder.decode(frame: raw, wireLength: wireLength ?? frame.count, linkType: link, into: &p, counters: &counters)
    }
    return (p, counters)
}

/// A two-page mapping whose second page is inaccessible: bytes copied so they end at the page
/// boundary make any read past the end of the frame fault instead of silently succeeding.
final class GuardedBuffer {
    let page: Int
    let base: UnsafeMutableRawPointer

    init() {
        page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let m = mmap(nil, page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(m != MAP_FAILED && m != nil)
        base = m!
        precondition(mprotect(base + page, page, PROT_NONE) == 0)
    }

    deinit { munmap(base, page * 2) }

    /// Runs `body` on a copy of `bytes[0..<count]` that ends right at the guard page.
    func withPrefix<R>(_ bytes: [UInt8], count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(count <= page && count <= bytes.count)
        let start = base + page - count
        bytes.withUnsafeBytes { src in
            if count > 0 { start.copyMemory(from: src.baseAddress!, byteCount: count) }
        }
        return body(UnsafeRawBufferPointer(start: start, count: count))
    }
}
