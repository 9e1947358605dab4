import XCTest
@testable import Codecs

/// DecodeCounters and ReasonCounts: per-reason malformed counters indexed by
/// `DecodeError.rawValue`, totals, summing workers, and counters accumulating over many frames.
final class DecodeCountersTests: XCTestCase {
    typealias B = FrameBuilder

    func testReasonCountsIndexAndTotal() {
        var r = ReasonCounts()
        XCTAssertEqual(r.total, 0)
        r.bump(3)
        r.bump(3)
        r.bump(31)
        r[0] = 5
        XCTAssertEqual(r[3], 2)
        XCTAssertEqual(r[31], 1)
        XCTAssertEqual(r[0], 5)
        XCTAssertEqual(r[4], 0)
        XCTAssertEqual(r.total, 8)
    }

    func testAddSumsEveryField() {
        var a = DecodeCounters()
        a.packets = 1; a.bytes = 2; a.ipv4 = 3; a.ipv6 = 4; a.tcp = 5; a.udp = 6; a.icmp = 7
        a.otherIP = 8; a.nonIP = 9; a.vlanTagged = 10; a.fragments = 11; a.ipv4ChecksumBad = 12
        a.truncated = 13; a.oversize = 14
        a.malformed.bump(Int(DecodeError.udpBadLength.rawValue))
        var b = a
        b.malformed.bump(Int(DecodeError.tcpBadDataOffset.rawValue))
        b.add(a)
        XCTAssertEqual(b.packets, 2); XCTAssertEqual(b.bytes, 4); XCTAssertEqual(b.ipv4, 6); XCTAssertEqual(b.ipv6, 8)
        XCTAssertEqual(b.tcp, 10); XCTAssertEqual(b.udp, 12); XCTAssertEqual(b.icmp, 14); XCTAssertEqual(b.otherIP, 16)
        XCTAssertEqual(b.nonIP, 18); XCTAssertEqual(b.vlanTagged, 20); XCTAssertEqual(b.fragments, 22)
        XCTAssertEqual(b.ipv4ChecksumBad, 24); XCTAssertEqual(b.truncated, 26); XCTAssertEqual(b.oversize, 28)
        XCTAssertEqual(b.malformed[Int(DecodeError.udpBadLength.rawValue)], 2)
        XCTAssertEqual(b.malformed[Int(DecodeError.tcpBadDataOffset.rawValue)], 1)
        XCTAssertEqual(b.malformedTotal, 3)
    }

    func testCountersAccumulateAcrossFrames() {
        let frames: [([UInt8], LinkType)] = [
            (B.ethernet(0x0800, B.ipv4(proto: IPProto.tcp, B.tcp())), .ethernet),
            (B.ethernet(0x0800, B.ipv4(proto: IPProto.udp, B.udp(length: 3, []))), .ethernet),
            (B.ethernet(0x0800, B.ipv4(proto: IPProto.udp, B.udp(length: 4, []))), .ethernet),
            (B.ipv4(proto: IPProto.tcp, B.tcp(dataOffsetWords: 2)), .ipv4),
            (B.ethernet(0x0806, [UInt8](repeating: 0, count: 28)), .ethernet),
            (B.ipv6(next: IPProto.icmpv6, B.icmp(type: 128)), .ipv6),
            ([1, 2, 3], LinkType(rawValue: 999)),
        ]
        var c = DecodeCounters()
        var p = DecodedPacket()
        var kinds: [DecodedPacket.Kind] = []
        for (f, link) in frames {
            f.withUnsafeBytes { Decoder.decode(frame: $0, wireLength: f.count, linkType: link, into: &p, counters: &c) }
            kinds.append(p.kind)
        }
        XCTAssertEqual(kinds, [.ip, .malformed, .malformed, .malformed, .nonIP, .ip, .malformed])
        XCTAssertEqual(c.packets, 7)
        XCTAssertEqual(c.bytes, UInt64(frames.reduce(0) { $0 + $1.0.count }))
        XCTAssertEqual(c.malformed[Int(DecodeError.udpBadLength.rawValue)], 2)
        XCTAssertEqual(c.malformed[Int(DecodeError.tcpBadDataOffset.rawValue)], 1)
        XCTAssertEqual(c.malformed[Int(DecodeError.unsupportedLinkType.rawValue)], 1)
        XCTAssertEqual(c.malformed[Int(DecodeError.none.rawValue)], 0)
        XCTAssertEqual(c.malformedTotal, 4)
        XCTAssertEqual(c.ipv4, 4, "IPv4 is counted once its header is read, even when L4 is malformed")
        XCTAssertEqual(c.ipv6, 1)
        XCTAssertEqual(c.tcp, 1)
        XCTAssertEqual(c.udp, 0)
        XCTAssertEqual(c.icmp, 1)
        XCTAssertEqual(c.nonIP, 1)
    }

    func testErrorNamesAreUniqueAndFitTheCounters() {
        let names = DecodeError.allCases.map(\.name)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertTrue(DecodeError.allCases.allSatisfy { $0.rawValue < 32 }, "ReasonCounts holds 32 reasons")
        XCTAssertEqual(DecodeError.udpBadLength.name, "udp_bad_length")
        XCTAssertEqual(DecodeError.tcpBadDataOffset.name, "tcp_bad_data_offset")
    }
}
