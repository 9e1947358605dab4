import Foundation

/// A tiny classic-pcap reader for the tests: yields each packet's UDP or TCP payload with its
/// endpoints, enough to feed DNS. Handles Ethernet (with VLAN tags), BSD loopback, raw IP and
/// Linux SLL link types; skips IP fragments other than the first and IPv6 extension headers.
struct PcapPacket {
    var index: Int            // 1-based, Suricata's pcap_cnt
    var proto: String         // "UDP" or "TCP"
    var srcIP: String, dstIP: String
    var srcPort: Int, dstPort: Int
    var seq: UInt32 = 0
    var syn = false
    var payload: [UInt8]
}

enum PcapReader {
    static func read(_ path: String) throws -> [PcapPacket] {
        let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard d.count >= 24 else { return [] }
        let magic = UInt32(d[0]) | UInt32(d[1]) << 8 | UInt32(d[2]) << 16 | UInt32(d[3]) << 24
        let little: Bool
        switch magic {
        case 0xa1b2c3d4, 0xa1b23c4d: little = true
        case 0xd4c3b2a1, 0x4d3cb2a1: little = false
        default: return []
        }
        func u32(_ o: Int) -> Int {
            let v = little ? UInt32(d[o]) | UInt32(d[o + 1]) << 8 | UInt32(d[o + 2]) << 16 | UInt32(d[o + 3]) << 24
                : UInt32(d[o]) << 24 | UInt32(d[o + 1]) << 16 | UInt32(d[o + 2]) << 8 | UInt32(d[o + 3])
            return Int(v)
        }
        let link = u32(20)
        var out: [PcapPacket] = []
        var pos = 24
        var index = 0
        while pos + 16 <= d.count {
            let caplen = u32(pos + 8)
            pos += 16
            guard pos + caplen <= d.count else { break }
            index += 1
            let frame = Array(d[pos..<(pos + caplen)])
            pos += caplen
            if let p = decode(frame, link: link, index: index) { out.append(p) }
        }
        return out
    }

    static func be16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) << 8 | Int(b[o + 1]) }

    static func decode(_ f: [UInt8], link: Int, index: Int) -> PcapPacket? {
        var off: Int
        var etherType: Int
        switch link {
        case 1:
            guard f.count >= 14 else { return nil }
            off = 14; etherType = be16(f, 12)
            while etherType == 0x8100 || etherType == 0x88a8, f.count >= off + 4 {
                etherType = be16(f, off + 2); off += 4
            }
        case 0:
            guard f.count >= 4 else { return nil }
            off = 4
            etherType = (f[0] == 2 || f[3] == 2) ? 0x0800 : 0x86dd
        case 101, 12, 14:
            guard !f.isEmpty else { return nil }
            off = 0; etherType = f[0] >> 4 == 4 ? 0x0800 : 0x86dd
        case 113:
            guard f.count >= 16 else { return nil }
            off = 16; etherType = be16(f, 14)
        default: return nil
        }
        var proto: Int, src: String, dst: String, l4: Int, end: Int
        if etherType == 0x0800 {
            guard f.count >= off + 20 else { return nil }
            let ihl = Int(f[off] & 0xf) * 4
            let total = be16(f, off + 2)
            if be16(f, off + 6) & 0x1fff != 0 { return nil }
            proto = Int(f[off + 9])
            src = f[(off + 12)..<(off + 16)].map(String.init).joined(separator: ".")
            dst = f[(off + 16)..<(off + 20)].map(String.init).joined(separator: ".")
            l4 = off + ihl; end = min(f.count, off + total)
        } else if etherType == 0x86dd {
            guard f.count >= off + 40 else { return nil }
            proto = Int(f[off + 6])
            func v6(_ o: Int) -> String {
                stride(from: o, to: o + 16, by: 2).map { String(format: "%04x", be16(f, $0)) }.joined(separator: ":")
            }
            src = v6(off + 8); dst = v6(off + 24)
            l4 = off + 40; end = min(f.count, off + 40 + be16(f, off + 4))
        } else { return nil }
        if proto == 17 {
            guard end >= l4 + 8 else { return nil }
            return PcapPacket(index: index, proto: "UDP", srcIP: src, dstIP: dst, srcPort: be16(f, l4),
                              dstPort: be16(f, l4 + 2), payload: Array(f[(l4 + 8)..<end]))
        }
        if proto == 6 {
            guard end >= l4 + 20 else { return nil }
            let hl = Int(f[l4 + 12] >> 4) * 4
            guard end >= l4 + hl else { return nil }
            let seq = UInt32(be16(f, l4 + 4)) << 16 | UInt32(be16(f, l4 + 6))
            return PcapPacket(index: index, proto: "TCP", srcIP: src, dstIP: dst, srcPort: be16(f, l4),
                              dstPort: be16(f, l4 + 2), seq: seq, syn: f[l4 + 13] & 0x02 != 0,
                              payload: Array(f[(l4 + hl)..<end]))
        }
        return nil
    }
}
