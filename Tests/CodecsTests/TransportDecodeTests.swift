import XCTest
@testable import Codecs

/// Transport headers: TCP ports, flags, seq/ack, window, MSS and window-scale options, bad data
/// offsets and options; UDP lengths (short, long, zero, truncated); ICMP and ICMPv6 echo
/// identifiers used as both ports.
final class TransportDecodeTests: XCTestCase {
    typealias B = FrameBuilder

    func testTCPHeaderFields() {
        let tcp = B.tcp(srcPort: 0xabcd, dstPort: 8443, seq: 0xffff_fff0, ack: 0x8000_0001,
                        flags: TCPFlag.fin | TCPFlag.psh | TCPFlag.ack | TCPFlag.ece | TCPFlag.cwr,
                        window: 0x1234, Array("GET /".utf8))
        let (p, c) = decodeFrame(B.ipv4(proto: IPProto.tcp, tcp), .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.srcPort, 0xabcd)
        XCTAssertEqual(p.dstPort, 8443)
        XCTAssertEqual(p.seq, 0xffff_fff0)
        XCTAssertEqual(p.ack, 0x8000_0001)
        XCTAssertEqual(p.tcpFlags, 0xd9)
        XCTAssertEqual(p.window, 0x1234)
        XCTAssertEqual(p.windowScale, 0xff, "absent window scale reads 0xff")
        XCTAssertEqual(p.mss, 0, "absent MSS reads 0")
        XCTAssertEqual(p.payloadOffset, 40)
        XCTAssertEqual(p.payloadLength, 5)
        XCTAssertEqual(c.tcp, 1)
    }

    func testTCPSynOptions() {
        let tcp = B.tcp(flags: TCPFlag.syn, options: B.synOptions)
        let (p, _) = decodeFrame(B.ethernet(0x0800, B.ipv4(proto: IPProto.tcp, tcp)), .ethernet)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.mss, 1460)
        XCTAssertEqual(p.windowScale, 7)
        XCTAssertEqual(p.tcpFlags, TCPFlag.syn)
        XCTAssertEqual(p.payloadOffset, 14 + 20 + 32)
        XCTAssertEqual(p.payloadLength, 0)
    }

    func testTCPOptionsAfterEndOfListAreIgnored() {
        // Window scale 14, then EOL, then bytes that are not valid options.
        let tcp = B.tcp(options: [3, 3, 14, 0, 0x02, 0xff, 0xff, 0xff])
        let (p, _) = decodeFrame(B.ipv4(proto: IPProto.tcp, tcp), .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.windowScale, 14)
        XCTAssertEqual(p.mss, 0)
    }

    func testTCPWrongLengthOptionsAreSkippedNotRead() {
        // MSS with length 6 and window scale with length 4 are skipped as unknown.
        let tcp = B.tcp(options: [2, 6, 1, 2, 3, 4, 3, 4, 9, 0, 1, 1])
        let (p, _) = decodeFrame(B.ipv4(proto: IPProto.tcp, tcp), .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.mss, 0)
        XCTAssertEqual(p.windowScale, 0xff)
    }

    func testTCPBadOptions() {
        for options: [UInt8] in [[2, 4, 5, 0xb4, 8, 1, 0, 0], [1, 1, 1, 2], [3, 9, 0, 0]] {
            let (p, c) = decodeFrame(B.ipv4(proto: IPProto.tcp, B.tcp(options: options)), .ipv4)
            XCTAssertEqual(p.kind, .malformed, "\(options)")
            XCTAssertEqual(p.error, .tcpBadOptions, "\(options)")
            XCTAssertEqual(c.malformed[Int(DecodeError.tcpBadOptions.rawValue)], 1)
            XCTAssertEqual(c.tcp, 0)
        }
    }

    func testTCPDataOffsetBelowFive() {
        for words: UInt8 in [0, 1, 4] {
            let (p, c) = decodeFrame(B.ipv4(proto: IPProto.tcp, B.tcp(dataOffsetWords: words, B.pattern(20))), .ipv4)
            XCTAssertEqual(p.kind, .malformed)
            XCTAssertEqual(p.error, .tcpBadDataOffset)
            XCTAssertEqual(c.malformed[Int(DecodeError.tcpBadDataOffset.rawValue)], 1)
        }
    }

    func testTCPDataOffsetBeyondSegment() {
        let (p, c) = decodeFrame(B.ipv4(proto: IPProto.tcp, B.tcp(dataOffsetWords: 15, B.pattern(8))), .ipv4)
        XCTAssertEqual(p.error, .tcpTruncated)
        XCTAssertEqual(c.malformed[Int(DecodeError.tcpTruncated.rawValue)], 1)
        let (q, _) = decodeFrame(B.ipv4(proto: IPProto.tcp, Array(B.tcp()[0..<19])), .ipv4)
        XCTAssertEqual(q.error, .tcpTruncated)
    }

    func testUDPFields() {
        let (p, c) = decodeFrame(B.ipv4(proto: IPProto.udp, B.udp(srcPort: 40000, dstPort: 53, B.pattern(33))), .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.srcPort, 40000)
        XCTAssertEqual(p.dstPort, 53)
        XCTAssertEqual(p.l4Offset, 20)
        XCTAssertEqual(p.payloadOffset, 28)
        XCTAssertEqual(p.payloadLength, 33)
        XCTAssertEqual(c.udp, 1)
    }

    func testUDPLengthShorterThanDatagramLimitsPayload() {
        let (p, _) = decodeFrame(B.ipv4(proto: IPProto.udp, B.udp(length: 10, B.pattern(6))), .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.payloadLength, 2)
    }

    func testUDPBadLength() {
        for length: UInt16 in [1, 7, 100] {
            let (p, c) = decodeFrame(B.ipv4(proto: IPProto.udp, B.udp(length: length, B.pattern(6))), .ipv4)
            XCTAssertEqual(p.kind, .malformed, "length \(length)")
            XCTAssertEqual(p.error, .udpBadLength, "length \(length)")
            XCTAssertEqual(c.malformed[Int(DecodeError.udpBadLength.rawValue)], 1)
            XCTAssertEqual(c.udp, 0)
        }
    }

    func testUDPZeroLengthMeansWholeDatagram() {
        let (p, _) = decodeFrame(B.ipv6(next: IPProto.udp, B.udp(length: 0, B.pattern(64))), .ipv6)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.payloadLength, 64)
    }

    func testUDPTruncatedHeader() {
        let (p, _) = decodeFrame(B.ipv4(proto: IPProto.udp, [0, 53, 0]), .ipv4)
        XCTAssertEqual(p.error, .udpTruncated)
    }

    func testICMPEchoRequestAndReplyShareIdentifier() {
        for type: UInt8 in [8, 0] {
            let (p, c) = decodeFrame(B.ipv4(proto: IPProto.icmp, B.icmp(type: type, id: 0x4242, seq: 3, B.pattern(56))), .ipv4)
            XCTAssertEqual(p.kind, .ip)
            XCTAssertEqual(p.icmpType, type)
            XCTAssertEqual(p.icmpCode, 0)
            XCTAssertEqual(p.srcPort, 0x4242)
            XCTAssertEqual(p.dstPort, 0x4242)
            XCTAssertEqual(p.payloadOffset, 28)
            XCTAssertEqual(p.payloadLength, 56)
            XCTAssertEqual(c.icmp, 1)
        }
    }

    func testICMPv6EchoShareIdentifier() {
        for type: UInt8 in [128, 129] {
            let (p, _) = decodeFrame(B.ipv6(next: IPProto.icmpv6, B.icmp(type: type, id: 0x0102, seq: 1, [1, 2])), .ipv6)
            XCTAssertEqual(p.kind, .ip)
            XCTAssertEqual(p.ipProto, IPProto.icmpv6)
            XCTAssertEqual(p.srcPort, 0x0102)
            XCTAssertEqual(p.dstPort, 0x0102)
            XCTAssertEqual(p.payloadLength, 2)
        }
    }

    func testNonEchoICMPHasNoPorts() {
        // Destination unreachable (3/3); ICMPv4 type 128 is not an echo.
        let (p, _) = decodeFrame(B.ipv4(proto: IPProto.icmp, B.icmp(type: 3, code: 3, id: 0x1111, B.pattern(28))), .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.icmpType, 3)
        XCTAssertEqual(p.icmpCode, 3)
        XCTAssertEqual(p.srcPort, 0)
        XCTAssertEqual(p.dstPort, 0)
        let (q, _) = decodeFrame(B.ipv4(proto: IPProto.icmp, B.icmp(type: 128, id: 0x1111)), .ipv4)
        XCTAssertEqual(q.srcPort, 0)
        let (r, _) = decodeFrame(B.ipv6(next: IPProto.icmpv6, B.icmp(type: 8, id: 0x1111)), .ipv6)
        XCTAssertEqual(r.srcPort, 0, "ICMPv6 type 8 is not an echo")
    }

    func testShortICMPEcho() {
        // Only the 4-byte ICMP header: no identifier to read, still a valid packet.
        let (p, _) = decodeFrame(B.ipv4(proto: IPProto.icmp, [8, 0, 0, 0]), .ipv4)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.srcPort, 0)
        XCTAssertEqual(p.payloadOffset, 24)
        XCTAssertEqual(p.payloadLength, 0)
        let (q, c) = decodeFrame(B.ipv4(proto: IPProto.icmp, [8, 0, 0]), .ipv4)
        XCTAssertEqual(q.error, .icmpTruncated)
        XCTAssertEqual(c.malformed[Int(DecodeError.icmpTruncated.rawValue)], 1)
    }
}
