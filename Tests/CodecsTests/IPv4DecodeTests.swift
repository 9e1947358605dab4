import XCTest
@testable import Codecs

/// IPv4 header decoding: addresses and TTL, options, header checksum verification, fragments,
/// bad header/total lengths and options, snap-length truncation, Ethernet padding and TSO
/// frames with a zero total length.
final class IPv4DecodeTests: XCTestCase {
    typealias B = FrameBuilder

    func testAddressesTTLAndLengths() {
        let ip = B.ipv4(src: [1, 2, 3, 4], dst: [255, 254, 253, 252], proto: IPProto.udp, ttl: 17, B.udp([9, 9, 9]))
        let (p, c) = decodeFrame(B.ethernet(0x0800, ip), .ethernet)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.src, IPAddress(v4: 0x0102_0304))
        XCTAssertEqual(p.dst, IPAddress(v4: 0xfffe_fdfc))
        XCTAssertTrue(p.src.isV4)
        XCTAssertEqual(p.src.description, "1.2.3.4")
        XCTAssertEqual(p.ttl, 17)
        XCTAssertEqual(p.l3Length, Int32(ip.count))
        XCTAssertFalse(p.ipChecksumBad)
        XCTAssertFalse(p.truncated)
        XCTAssertEqual(p.fragmentID, 0x1234)
        XCTAssertEqual(c.ipv4ChecksumBad, 0)
        XCTAssertEqual(c.truncated, 0)
    }

    func testHeaderWithOptions() {
        // Router alert (4 bytes), then NOP NOP + a timestamp-like option of length 6 = 12 option bytes.
        let options: [UInt8] = [0x94, 4, 0, 0, 1, 1, 0x44, 6, 5, 0, 0, 0]
        let ip = B.ipv4(proto: IPProto.tcp, options: options, B.tcp(seq: 1, Array("abc".utf8)))
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertFalse(p.ipChecksumBad)
        XCTAssertEqual(p.l4Offset, 32)
        XCTAssertEqual(p.payloadOffset, 52)
        XCTAssertEqual(p.payloadLength, 3)
        XCTAssertEqual(c.tcp, 1)
    }

    func testOptionsEndMarkerStopsParsing() {
        // EOL followed by garbage that would be invalid if parsed.
        let ip = B.ipv4(proto: IPProto.udp, options: [0, 0xff, 0xff, 0xff], B.udp([]))
        let (p, _) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.l4Offset, 24)
    }

    func testBadOptionsAreMalformed() {
        for options: [UInt8] in [[0x44, 1, 0, 0], [0x44, 9, 0, 0], [1, 1, 1, 0x44]] {
            let (p, c) = decodeFrame(B.ipv4(proto: IPProto.udp, options: options, B.udp([])), .ipv4)
            XCTAssertEqual(p.kind, .malformed, "\(options)")
            XCTAssertEqual(p.error, .ipv4BadOptions, "\(options)")
            XCTAssertEqual(c.malformed[Int(DecodeError.ipv4BadOptions.rawValue)], 1)
        }
    }

    func testBadHeaderChecksumFlaggedCountedButDecoded() {
        let ip = B.ipv4(proto: IPProto.tcp, corruptChecksum: true, B.tcp(srcPort: 1234, dstPort: 443, [1, 2]))
        let (p, c) = decodeFrame(B.ethernet(0x0800, ip), .ethernet)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.error, .none)
        XCTAssertTrue(p.ipChecksumBad)
        XCTAssertEqual(c.ipv4ChecksumBad, 1)
        XCTAssertEqual(c.malformedTotal, 0)
        XCTAssertEqual(p.srcPort, 1234)
        XCTAssertEqual(p.dstPort, 443)
        XCTAssertEqual(p.payloadLength, 2)
    }

    func testFragmentWithMoreFragments() {
        let ip = B.ipv4(proto: IPProto.udp, id: 0xbeef, more: true, fragmentOffset: 0, B.udp(B.pattern(16)))
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.kind, .fragment)
        XCTAssertEqual(p.error, .none)
        XCTAssertTrue(p.moreFragments)
        XCTAssertEqual(p.fragmentOffset, 0)
        XCTAssertEqual(p.fragmentID, 0xbeef)
        XCTAssertEqual(p.ipProto, IPProto.udp)
        XCTAssertEqual(p.srcPort, 0, "L4 fields are not filled for fragments")
        XCTAssertEqual(p.l3Length, Int32(ip.count))
        XCTAssertEqual(c.fragments, 1)
        XCTAssertEqual(c.udp, 0)
    }

    func testLastFragmentWithOffset() {
        let ip = B.ipv4(proto: IPProto.tcp, id: 7, more: false, fragmentOffset: 1480, B.pattern(40))
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.kind, .fragment)
        XCTAssertFalse(p.moreFragments)
        XCTAssertEqual(p.fragmentOffset, 1480)
        XCTAssertEqual(p.fragmentID, 7)
        XCTAssertEqual(c.fragments, 1)
        XCTAssertEqual(c.tcp, 0)
    }

    func testDontFragmentBitIsNotAFragment() {
        var ip = B.ipv4(proto: IPProto.udp, B.udp([1]))
        ip[6] = 0x40   // DF
        let c = B.checksum(Array(ip[0..<10]) + [0, 0] + Array(ip[12..<20]))
        ip[10] = UInt8(c >> 8); ip[11] = UInt8(c & 0xff)
        let (p, _) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertFalse(p.ipChecksumBad)
        XCTAssertFalse(p.moreFragments)
    }

    func testHeaderLengthBelowTwentyIsMalformed() {
        var ip = B.ipv4(proto: IPProto.udp, B.udp([]))
        ip[0] = 0x44
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.error, .ipv4BadHeaderLength)
        XCTAssertEqual(c.malformed[Int(DecodeError.ipv4BadHeaderLength.rawValue)], 1)
    }

    func testHeaderLengthBeyondFrameIsTruncated() {
        var ip = B.ipv4(proto: IPProto.udp, [])
        ip[0] = 0x4f   // 60-byte header in a 20-byte packet
        let (p, _) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.error, .ipv4Truncated)
    }

    func testShorterThanMinimalHeader() {
        let ip = Array(B.ipv4(proto: IPProto.udp, B.udp([]))[0..<19])
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.error, .ipv4Truncated)
        XCTAssertEqual(c.malformed[Int(DecodeError.ipv4Truncated.rawValue)], 1)
        XCTAssertEqual(c.ipv4, 0)
    }

    func testTotalLengthSmallerThanHeaderIsMalformed() {
        let ip = B.ipv4(proto: IPProto.udp, totalLength: 12, B.udp([]))
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.error, .ipv4BadTotalLength)
        XCTAssertEqual(c.malformed[Int(DecodeError.ipv4BadTotalLength.rawValue)], 1)
    }

    func testEthernetPaddingIsNotPayload() {
        // A 1-byte UDP payload padded to the 60-byte Ethernet minimum.
        let ip = B.ipv4(proto: IPProto.udp, B.udp([0x42]))
        let frame = B.ethernet(0x0800, ip) + [UInt8](repeating: 0xee, count: 60 - 14 - ip.count)
        let (p, c) = decodeFrame(frame, .ethernet)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.l3Length, Int32(ip.count))
        XCTAssertEqual(p.payloadOffset, 14 + 28)
        XCTAssertEqual(p.payloadLength, 1)
        XCTAssertFalse(p.truncated)
        XCTAssertEqual(c.truncated, 0)
    }

    func testZeroTotalLengthTakesTheFrame() {
        let body = B.tcp(B.pattern(3000))
        let ip = B.ipv4(proto: IPProto.tcp, totalLength: 0, body)
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.l3Length, Int32(ip.count))
        XCTAssertEqual(p.payloadLength, 3000)
        XCTAssertEqual(c.oversize, 1, "frames over 1514 wire bytes are counted as oversize")
    }

    func testSnapLengthTruncation() {
        // The IP header claims 1000 bytes of TCP payload; the capture kept 100 bytes of the frame.
        let full = B.ethernet(0x0800, B.ipv4(proto: IPProto.tcp, B.tcp(B.pattern(1000))))
        let cut = Array(full[0..<100])
        let (p, c) = decodeFrame(cut, .ethernet, wireLength: full.count)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertTrue(p.truncated)
        XCTAssertEqual(c.truncated, 1, "counted once even though both the link and IP layers notice")
        XCTAssertEqual(p.l3Length, 100 - 14)
        XCTAssertEqual(p.payloadOffset, 54)
        XCTAssertEqual(p.payloadLength, 100 - 54)
        XCTAssertEqual(c.bytes, UInt64(full.count))
    }

    func testTruncationSeenOnlyByIPLayer() {
        // wireLength equal to the capture, but the IP total length claims more.
        let ip = B.ipv4(proto: IPProto.udp, totalLength: 200, B.udp(length: 180, B.pattern(20)))
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertTrue(p.truncated)
        XCTAssertEqual(c.truncated, 1)
        XCTAssertEqual(p.l3Length, Int32(ip.count))
        XCTAssertEqual(p.payloadLength, 20, "a truncated UDP datagram delivers what was captured")
    }

    func testOtherProtocolCarriesWholePayload() {
        let ip = B.ipv4(proto: 47, B.pattern(24))   // GRE
        let (p, c) = decodeFrame(ip, .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.ipProto, 47)
        XCTAssertEqual(p.l4Offset, 20)
        XCTAssertEqual(p.payloadOffset, 20)
        XCTAssertEqual(p.payloadLength, 24)
        XCTAssertEqual(c.otherIP, 1)
    }

    func testDecodeDatagramKeepsVLANAndUsesDatagramOffsets() {
        var p = DecodedPacket()
        p.vlanOuter = 12; p.vlanInner = 34; p.vlanCount = 2
        var c = DecodeCounters()
        let ip = B.ipv4(proto: IPProto.udp, B.udp(srcPort: 1, dstPort: 2, [7, 7]))
        ip.withUnsafeBytes { Decoder.decodeDatagram($0, into: &p, counters: &c) }
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.vlanOuter, 12)
        XCTAssertEqual(p.vlanInner, 34)
        XCTAssertEqual(p.vlanCount, 2)
        XCTAssertEqual(p.l3Offset, 0)
        XCTAssertEqual(p.payloadOffset, 28)
        XCTAssertEqual(p.payloadLength, 2)
        XCTAssertEqual(c.ipv4, 0, "a rebuilt datagram was already counted as a fragment")
        XCTAssertEqual(c.udp, 1)
    }
}
