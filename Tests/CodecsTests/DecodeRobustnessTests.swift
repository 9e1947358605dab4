import SluiceTestSupport
import XCTest
@testable import Codecs


/// Hostile input: every prefix of valid frames, and 20,000 random or mutated frames over every
/// supported link type, decoded from a buffer that ends at an inaccessible page (so any read past
/// the frame faults). Each result must be malformed with a reason, or a decode whose offsets lie
/// within the captured bytes; the per-reason counters must match the results.
final class DecodeRobustnessTests: XCTestCase {
    typealias B = FrameBuilder

    static let linkTypes: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .rawLinktype, LinkType(rawValue: 14),
                                        .ipv4, .ipv6, .null, .ppp]

    /// Valid frames covering the decoder's paths, with the link type they are framed for.
    static var corpus: [(frame: [UInt8], link: LinkType)] {
        let tcpOpts = B.ipv4(proto: IPProto.tcp, options: [0x94, 4, 0, 0],
                             B.tcp(flags: TCPFlag.syn, options: B.synOptions, B.pattern(12)))
        let udp6Ext = B.ipv6(next: 0, B.optionsHeader(next: 60) + B.optionsHeader(next: IPProto.udp, units: 1)
                             + B.udp(B.pattern(9)))
        let frag6 = B.ipv6(next: 0, B.optionsHeader(next: 44) + B.fragmentHeader(next: IPProto.udp, offset: 8, more: true, id: 5)
                           + B.pattern(16))
        let frag4 = B.ipv4(proto: IPProto.udp, more: true, B.pattern(24))
        let icmp4 = B.ipv4(proto: IPProto.icmp, B.icmp(type: 8, id: 3, seq: 4, B.pattern(8)))
        let icmp6 = B.ipv6(next: IPProto.icmpv6, B.icmp(type: 129, id: 3, seq: 4, B.pattern(8)))
        let ah6 = B.ipv6(next: 51, [IPProto.tcp, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + B.tcp(B.pattern(4)))
        return [
            (B.ethernet(0x0800, tcpOpts), .ethernet),
            (B.ethernet(0x86dd, udp6Ext), .ethernet),
            (B.ethernet(0x0800, tcpOpts, tags: [(0x88a8, 100), (0x8100, 200)]), .ethernet),
            (B.ethernet(0x86dd, frag6, tags: [(0x8100, 7)]), .ethernet),
            (B.ethernet(0x8864, [0x11, 0, 0, 1, 0, 30, 0, 0x21] + icmp4), .ethernet),
            (B.sll(0x0800, frag4), .linuxSLL),
            (B.sll2(0x86dd, icmp6), .linuxSLL2),
            (ah6, .raw),
            (icmp4, .ipv4),
            (udp6Ext, .ipv6),
            (B.null(family: 30, littleEndian: true, udp6Ext), .null),
            (B.ppp(0x0057, icmp6, addressControl: true, compressed: true), .ppp),
            (B.ppp(0x0021, tcpOpts, addressControl: false, compressed: false), .ppp),
        ]
    }

    /// Why `p`, decoded from `n` captured bytes, breaks the decoder's promises; nil when it keeps them.
    func violation(_ p: DecodedPacket, length n: Int) -> String? {
        switch p.kind {
        case .malformed:
            return p.error == .none ? "malformed without a reason" : nil
        case .nonIP:
            return p.error == .none ? nil : "nonIP with error \(p.error)"
        case .fragment, .ip:
            if p.error != .none { return "\(p.kind) with error \(p.error)" }
            if p.ipVersion != 4 && p.ipVersion != 6 { return "ip version \(p.ipVersion)" }
            let l3 = Int(p.l3Offset), l3Len = Int(p.l3Length)
            if l3 < 0 || l3Len < 0 || l3 + l3Len > n { return "l3 \(l3)+\(l3Len) beyond \(n)" }
            if p.kind == .fragment {
                if p.ipVersion == 6 && (Int(p.l4Offset) < l3 + 40 || Int(p.l4Offset) + 8 > n) {
                    return "fragment header at \(p.l4Offset) outside \(n)"
                }
                return nil
            }
            let l4 = Int(p.l4Offset), po = Int(p.payloadOffset), pl = Int(p.payloadLength)
            if !(l3 <= l4 && l4 <= po) { return "offsets out of order l3 \(l3) l4 \(l4) payload \(po)" }
            if pl < 0 || po + pl > n { return "payload \(po)+\(pl) beyond \(n)" }
            if po + pl > l3 + l3Len { return "payload \(po)+\(pl) beyond the datagram \(l3)+\(l3Len)" }
            return nil
        }
    }

    func testEveryPrefixOfValidFrames() {
        let guarded = GuardedBuffer()
        for (index, item) in Self.corpus.enumerated() {
            for n in 0...item.frame.count {
                var p = DecodedPacket()
                var c = DecodeCounters()
                guarded.withPrefix(item.frame, count: n) { buf in
                    Decoder.decode(frame: buf, wireLength: item.frame.count, linkType: item.link, into: &p, counters: &c)
                }
                if let why = violation(p, length: n) {
                    XCTFail("corpus[\(index)] prefix \(n): \(why)")
                }
                XCTAssertEqual(c.malformedTotal, p.kind == .malformed ? 1 : 0, "corpus[\(index)] prefix \(n)")
                if p.kind == .malformed {
                    XCTAssertEqual(c.malformed[Int(p.error.rawValue)], 1, "corpus[\(index)] prefix \(n)")
                }
                if n < item.frame.count {
                    XCTAssertTrue(p.truncated, "corpus[\(index)] prefix \(n)")
                    XCTAssertEqual(c.truncated, 1, "corpus[\(index)] prefix \(n)")
                } else {
                    XCTAssertNotEqual(p.kind, .malformed, "corpus[\(index)] whole frame: \(p.error)")
                    XCTAssertFalse(p.truncated, "corpus[\(index)] whole frame")
                }
            }
        }
    }

    func testRandomAndMutatedFrames() {
        var rng = SplitMix(state: 0x5eed_1234)
        let corpus = Self.corpus
        let guarded = GuardedBuffer()
        var c = DecodeCounters()
        var p = DecodedPacket()
        var tally = [Int](repeating: 0, count: 32)
        var kinds = [Int](repeating: 0, count: 4)
        var failures: [String] = []
        let iterations = 20_000
        for i in 0..<iterations {
            var frame: [UInt8]
            let link: LinkType
            if i % 2 == 0 {
                link = Self.linkTypes.randomElement(using: &rng)!
                frame = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                // Steer some random frames past the link layer: a plausible IP version nibble.
                if !frame.isEmpty && Bool.random(using: &rng) {
                    frame[0] = (Bool.random(using: &rng) ? 0x40 : 0x60) | (frame[0] & 0x0f)
                }
            } else {
                let base = corpus.randomElement(using: &rng)!
                link = base.link
                frame = base.frame
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    let at = Int.random(in: 0..<frame.count, using: &rng)
                    frame[at] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng)
                                                         : frame[at] ^ (1 << UInt8.random(in: 0...7, using: &rng))
                }
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    frame.removeLast(Int.random(in: 0...frame.count, using: &rng))
                }
            }
            let wire = frame.count + (Bool.random(using: &rng) ? 0 : Int.random(in: 0...100, using: &rng))
            guarded.withPrefix(frame, count: frame.count) { buf in
                Decoder.decode(frame: buf, wireLength: wire, linkType: link, into: &p, counters: &c)
            }
            kinds[Int(p.kind.rawValue)] += 1
            if p.kind == .malformed { tally[Int(p.error.rawValue)] += 1 }
            if let why = violation(p, length: frame.count), failures.count < 10 {
                failures.append("iteration \(i) link \(link.rawValue) bytes \(frame): \(why)")
            }
        }
        XCTAssertEqual(failures, [])
        XCTAssertEqual(c.packets, UInt64(iterations))
        for r in 0..<32 { XCTAssertEqual(c.malformed[r], UInt64(tally[r]), "reason \(r)") }
        XCTAssertEqual(c.malformedTotal, UInt64(kinds[Int(DecodedPacket.Kind.malformed.rawValue)]))
        // The generator must reach every outcome, or the invariants were checked on too little.
        XCTAssertTrue(kinds.allSatisfy { $0 > 100 }, "outcome spread \(kinds)")
        XCTAssertGreaterThan(tally.filter { $0 > 0 }.count, 12, "distinct malformed reasons \(tally)")
    }
}
