import XCTest
@testable import Codecs

/// Link-layer framing: Ethernet II, 802.1Q / QinQ tags, PPPoE, Linux SLL and SLL2, raw IP,
/// PPP (with and without FF 03 and protocol-field compression), BSD loopback, non-IP and
/// unsupported link types. Each carries the same TCP/IPv4 (or IPv6) packet so only the
/// link offsets differ.
final class LinkLayerDecodeTests: XCTestCase {
    typealias B = FrameBuilder

    let payload: [UInt8] = Array("hello".utf8)
    var tcpV4: [UInt8] { B.ipv4(proto: IPProto.tcp, B.tcp(seq: 7, ack: 9, flags: TCPFlag.ack | TCPFlag.psh, payload)) }
    var tcpV6: [UInt8] { B.ipv6(next: IPProto.tcp, B.tcp(seq: 7, ack: 9, flags: TCPFlag.ack, payload)) }

    /// The TCP packet built above, found with its IP header at `l3`.
    func assertTCP(_ p: DecodedPacket, l3: Int, version: UInt8 = 4, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(p.kind, .ip, file: file, line: line)
        XCTAssertEqual(p.error, .none, file: file, line: line)
        XCTAssertEqual(p.ipVersion, version, file: file, line: line)
        XCTAssertEqual(p.ipProto, IPProto.tcp, file: file, line: line)
        XCTAssertEqual(p.l3Offset, Int32(l3), file: file, line: line)
        let ipHeader = version == 4 ? 20 : 40
        XCTAssertEqual(p.l4Offset, Int32(l3 + ipHeader), file: file, line: line)
        XCTAssertEqual(p.payloadOffset, Int32(l3 + ipHeader + 20), file: file, line: line)
        XCTAssertEqual(p.payloadLength, 5, file: file, line: line)
        XCTAssertEqual(p.srcPort, 49152, file: file, line: line)
        XCTAssertEqual(p.dstPort, 80, file: file, line: line)
        XCTAssertEqual(p.seq, 7, file: file, line: line)
        if version == 4 {
            XCTAssertEqual(p.src, IPAddress(v4: 0xc0a8_010a), file: file, line: line)
            XCTAssertEqual(p.dst, IPAddress(v4: 0x0a00_0001), file: file, line: line)
        } else {
            XCTAssertEqual(p.src, IPAddress("2001:db8::1"), file: file, line: line)
            XCTAssertEqual(p.dst, IPAddress("fd77::2"), file: file, line: line)
        }
    }

    func testEthernetII() {
        let (p, c) = decodeFrame(B.ethernet(0x0800, tcpV4), .ethernet)
        assertTCP(p, l3: 14)
        XCTAssertEqual(p.etherType, 0x0800)
        XCTAssertEqual(p.vlanCount, 0)
        XCTAssertEqual(p.vlanOuter, 0)
        XCTAssertEqual(c.packets, 1)
        XCTAssertEqual(c.bytes, UInt64(14 + tcpV4.count))
        XCTAssertEqual(c.ipv4, 1)
        XCTAssertEqual(c.tcp, 1)
        XCTAssertEqual(c.vlanTagged, 0)
        XCTAssertEqual(c.malformedTotal, 0)
    }

    func testEthernetIPv6() {
        let (p, c) = decodeFrame(B.ethernet(0x86dd, tcpV6), .ethernet)
        assertTCP(p, l3: 14, version: 6)
        XCTAssertEqual(p.etherType, 0x86dd)
        XCTAssertEqual(c.ipv6, 1)
    }

    func testSingle8021QTag() {
        // PCP 1, VID 100: the priority bits must not leak into the id.
        let (p, c) = decodeFrame(B.ethernet(0x0800, tcpV4, tags: [(0x8100, 0x2064)]), .ethernet)
        assertTCP(p, l3: 18)
        XCTAssertEqual(p.vlanCount, 1)
        XCTAssertEqual(p.vlanOuter, 100)
        XCTAssertEqual(p.vlanInner, 0)
        XCTAssertEqual(p.etherType, 0x0800)
        XCTAssertEqual(c.vlanTagged, 1)
    }

    func testQinQ88a8Then8100() {
        let (p, c) = decodeFrame(B.ethernet(0x86dd, tcpV6, tags: [(0x88a8, 200), (0x8100, 0xef0a)]), .ethernet)
        assertTCP(p, l3: 22, version: 6)
        XCTAssertEqual(p.vlanCount, 2)
        XCTAssertEqual(p.vlanOuter, 200)
        XCTAssertEqual(p.vlanInner, 0xf0a)
        XCTAssertEqual(p.etherType, 0x86dd, "the inner ethertype ends link decoding")
        XCTAssertEqual(c.vlanTagged, 1, "a frame is counted once however many tags it has")
    }

    func testPreStandardQinQ9100() {
        let (p, _) = decodeFrame(B.ethernet(0x0800, tcpV4, tags: [(0x9100, 5), (0x8100, 6)]), .ethernet)
        assertTCP(p, l3: 22)
        XCTAssertEqual(p.vlanOuter, 5)
        XCTAssertEqual(p.vlanInner, 6)
    }

    func testFourTagsAllowedFiveRejected() {
        let four = (1...4).map { (tpid: UInt16(0x8100), tci: UInt16($0)) }
        let (p4, _) = decodeFrame(B.ethernet(0x0800, tcpV4, tags: four), .ethernet)
        assertTCP(p4, l3: 14 + 16)
        XCTAssertEqual(p4.vlanCount, 4)
        XCTAssertEqual(p4.vlanOuter, 1)
        XCTAssertEqual(p4.vlanInner, 2)

        let five = (1...5).map { (tpid: UInt16(0x8100), tci: UInt16($0)) }
        let (p5, c5) = decodeFrame(B.ethernet(0x0800, tcpV4, tags: five), .ethernet)
        XCTAssertEqual(p5.kind, .malformed)
        XCTAssertEqual(p5.error, .tooManyVLANTags)
        XCTAssertEqual(c5.malformed[Int(DecodeError.tooManyVLANTags.rawValue)], 1)
    }

    func testVLANTagCutShort() {
        let frame = B.macDst + B.macSrc + B.be16(0x8100) + [0x00]
        let (p, c) = decodeFrame(frame, .ethernet)
        XCTAssertEqual(p.kind, .malformed)
        XCTAssertEqual(p.error, .vlanTruncated)
        XCTAssertEqual(c.malformed[Int(DecodeError.vlanTruncated.rawValue)], 1)
    }

    func testEthernetShorterThanHeader() {
        let (p, c) = decodeFrame(Array(B.ethernet(0x0800, [])[0..<13]), .ethernet)
        XCTAssertEqual(p.error, .linkTruncated)
        XCTAssertEqual(c.malformed[Int(DecodeError.linkTruncated.rawValue)], 1)
    }

    func testPPPoESession() {
        let pppoe: [UInt8] = [0x11, 0x00] + B.be16(0x0001) + B.be16(UInt16(2 + tcpV4.count)) + B.be16(0x0021)
        let (p, _) = decodeFrame(B.ethernet(0x8864, pppoe + tcpV4), .ethernet)
        assertTCP(p, l3: 22)
        XCTAssertEqual(p.etherType, 0x8864)
    }

    func testARPIsNonIP() {
        let arp: [UInt8] = B.be16(1) + B.be16(0x0800) + [6, 4] + B.be16(1) + B.macSrc + B.v4Client
            + [UInt8](repeating: 0, count: 6) + B.v4Server
        let (p, c) = decodeFrame(B.ethernet(0x0806, arp), .ethernet)
        XCTAssertEqual(p.kind, .nonIP)
        XCTAssertEqual(p.error, .none)
        XCTAssertEqual(p.etherType, 0x0806)
        XCTAssertEqual(p.ipVersion, 0)
        XCTAssertEqual(c.nonIP, 1)
        XCTAssertEqual(c.malformedTotal, 0)
    }

    func testLinuxSLL() {
        let frame = B.sll(0x0800, tcpV4)
        XCTAssertEqual(frame.count - tcpV4.count, 16)
        let (p, _) = decodeFrame(frame, .linuxSLL)
        assertTCP(p, l3: 16)
        XCTAssertEqual(p.etherType, 0x0800)

        let (p6, _) = decodeFrame(B.sll(0x86dd, tcpV6), .linuxSLL)
        assertTCP(p6, l3: 16, version: 6)

        let (short, _) = decodeFrame(Array(frame[0..<15]), .linuxSLL)
        XCTAssertEqual(short.error, .linkTruncated)
    }

    func testLinuxSLLVLANTagAfterHeader() {
        let frame = B.sll(0x8100, B.be16(42) + B.be16(0x0800) + tcpV4)
        let (p, _) = decodeFrame(frame, .linuxSLL)
        assertTCP(p, l3: 20)
        XCTAssertEqual(p.vlanOuter, 42)
    }

    func testLinuxSLL2() {
        let frame = B.sll2(0x0800, tcpV4)
        XCTAssertEqual(frame.count - tcpV4.count, 20)
        let (p, _) = decodeFrame(frame, .linuxSLL2)
        assertTCP(p, l3: 20)
        XCTAssertEqual(p.etherType, 0x0800)

        let (p6, _) = decodeFrame(B.sll2(0x86dd, tcpV6), .linuxSLL2)
        assertTCP(p6, l3: 20, version: 6)

        let (arp, c) = decodeFrame(B.sll2(0x0806, [UInt8](repeating: 0, count: 28)), .linuxSLL2)
        XCTAssertEqual(arp.kind, .nonIP)
        XCTAssertEqual(c.nonIP, 1)

        let (short, _) = decodeFrame(Array(frame[0..<19]), .linuxSLL2)
        XCTAssertEqual(short.error, .linkTruncated)
    }

    func testRawIPReadsVersionFromFirstNibble() {
        for link in [LinkType.raw, .rawLinktype, LinkType(rawValue: 14)] {
            let (p4, _) = decodeFrame(tcpV4, link)
            assertTCP(p4, l3: 0)
            let (p6, _) = decodeFrame(tcpV6, link)
            assertTCP(p6, l3: 0, version: 6)
        }
        let (bad, c) = decodeFrame([0x50] + [UInt8](repeating: 0, count: 39), .raw)
        XCTAssertEqual(bad.kind, .malformed)
        XCTAssertEqual(bad.error, .ipv4BadVersion)
        XCTAssertEqual(c.malformedTotal, 1)
    }

    func testRawIPv4AndIPv6LinkTypes() {
        let (p4, _) = decodeFrame(tcpV4, .ipv4)
        assertTCP(p4, l3: 0)
        let (p6, _) = decodeFrame(tcpV6, .ipv6)
        assertTCP(p6, l3: 0, version: 6)

        let (mismatch, c) = decodeFrame(tcpV6, .ipv4)
        XCTAssertEqual(mismatch.error, .ipVersionMismatch)
        XCTAssertEqual(c.malformed[Int(DecodeError.ipVersionMismatch.rawValue)], 1)
        let (mismatch6, _) = decodeFrame(tcpV4, .ipv6)
        XCTAssertEqual(mismatch6.error, .ipVersionMismatch)
    }

    func testPPPAllFramings() {
        for addressControl in [false, true] {
            for compressed in [false, true] {
                let prefix = (addressControl ? 2 : 0) + (compressed ? 1 : 2)
                let (p4, _) = decodeFrame(B.ppp(0x0021, tcpV4, addressControl: addressControl, compressed: compressed), .ppp)
                assertTCP(p4, l3: prefix)
                let (p6, _) = decodeFrame(B.ppp(0x0057, tcpV6, addressControl: addressControl, compressed: compressed), .ppp)
                assertTCP(p6, l3: prefix, version: 6)
            }
        }
    }

    func testPPPControlProtocolIsNonIP() {
        let (p, c) = decodeFrame(B.ppp(0xc021, [1, 1, 0, 4], addressControl: true, compressed: false), .ppp)
        XCTAssertEqual(p.kind, .nonIP)
        XCTAssertEqual(c.nonIP, 1)
        let (empty, _) = decodeFrame([0xff, 0x03], .ppp)
        XCTAssertEqual(empty.error, .linkTruncated)
    }

    func testBSDNullLoopbackBothByteOrders() {
        for le in [true, false] {
            let (p4, _) = decodeFrame(B.null(family: 2, littleEndian: le, tcpV4), .null)
            assertTCP(p4, l3: 4)
            for family: UInt32 in [10, 24, 28, 30] {
                let (p6, _) = decodeFrame(B.null(family: family, littleEndian: le, tcpV6), .null)
                assertTCP(p6, l3: 4, version: 6)
            }
        }
        let (other, c) = decodeFrame(B.null(family: 7, littleEndian: true, tcpV4), .null)
        XCTAssertEqual(other.kind, .nonIP)
        XCTAssertEqual(c.nonIP, 1)
        let (short, _) = decodeFrame([2, 0, 0], .null)
        XCTAssertEqual(short.error, .linkTruncated)
    }

    func testUnsupportedLinkType() {
        let (p, c) = decodeFrame(B.ethernet(0x0800, tcpV4), LinkType(rawValue: 147))
        XCTAssertEqual(p.kind, .malformed)
        XCTAssertEqual(p.error, .unsupportedLinkType)
        XCTAssertEqual(c.malformed[Int(DecodeError.unsupportedLinkType.rawValue)], 1)
        XCTAssertEqual(c.malformedTotal, 1)
        XCTAssertEqual(c.packets, 1)
    }

    func testNilBufferIsLinkTruncated() {
        var p = DecodedPacket()
        var c = DecodeCounters()
        Decoder.decode(frame: UnsafeRawBufferPointer(start: nil, count: 0), wireLength: 0, linkType: .ethernet,
                       into: &p, counters: &c)
        XCTAssertEqual(p.kind, .malformed)
        XCTAssertEqual(p.error, .linkTruncated)
        XCTAssertEqual(c.malformed[Int(DecodeError.linkTruncated.rawValue)], 1)
    }

    func testDecodeResetsPreviousResult() {
        var p = DecodedPacket()
        var c = DecodeCounters()
        let tagged = B.ethernet(0x0800, tcpV4, tags: [(0x8100, 9)])
        tagged.withUnsafeBytes { Decoder.decode(frame: $0, wireLength: tagged.count, linkType: .ethernet, into: &p, counters: &c) }
        XCTAssertEqual(p.vlanOuter, 9)
        let arp = B.ethernet(0x0806, [UInt8](repeating: 0, count: 28))
        arp.withUnsafeBytes { Decoder.decode(frame: $0, wireLength: arp.count, linkType: .ethernet, into: &p, counters: &c) }
        XCTAssertEqual(p.kind, .nonIP)
        XCTAssertEqual(p.vlanOuter, 0)
        XCTAssertEqual(p.srcPort, 0)
        XCTAssertEqual(p.ipVersion, 0)
        XCTAssertEqual(c.packets, 2)
    }
}
