import XCTest
@testable import Codecs

/// IPv6 decoding: addresses and hop limit, extension-header chains (hop-by-hop, destination
/// options, routing, AH), fragment headers (real and atomic), truncated and over-long chains,
/// zero payload length and snap-length truncation.
final class IPv6DecodeTests: XCTestCase {
    typealias B = FrameBuilder

    func testAddressesAndHopLimit() {
        let ip = B.ipv6(next: IPProto.udp, hopLimit: 3, B.udp(srcPort: 546, dstPort: 547, [1, 2, 3, 4]))
        let (p, c) = decodeFrame(B.ethernet(0x86dd, ip), .ethernet)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.ipVersion, 6)
        XCTAssertEqual(p.ttl, 3)
        XCTAssertEqual(p.src, IPAddress(hi: 0x2001_0db8_0000_0000, lo: 1))
        XCTAssertEqual(p.dst, IPAddress(hi: 0xfd77_0000_0000_0000, lo: 2))
        XCTAssertFalse(p.src.isV4)
        XCTAssertEqual(p.l3Length, Int32(ip.count))
        XCTAssertEqual(p.l4Offset, 54)
        XCTAssertEqual(p.payloadOffset, 62)
        XCTAssertEqual(p.payloadLength, 4)
        XCTAssertEqual(p.srcPort, 546)
        XCTAssertEqual(p.dstPort, 547)
        XCTAssertEqual(c.ipv6, 1)
        XCTAssertEqual(c.udp, 1)
    }

    func testHopByHopAndDestinationOptionsBeforeTCP() {
        let chain = B.optionsHeader(next: 60) + B.optionsHeader(next: IPProto.tcp, units: 1)
        XCTAssertEqual(chain.count, 24)
        let body = chain + B.tcp(srcPort: 33000, dstPort: 22, seq: 0xfedc_ba98, ack: 0x0102_0304,
                                 flags: TCPFlag.syn | TCPFlag.ack, options: B.synOptions, B.pattern(10))
        let (p, _) = decodeFrame(B.ipv6(next: 0, body), .ipv6)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.ipProto, IPProto.tcp)
        XCTAssertEqual(p.l4Offset, 40 + 24)
        XCTAssertEqual(p.payloadOffset, 40 + 24 + 32)
        XCTAssertEqual(p.payloadLength, 10)
        XCTAssertEqual(p.srcPort, 33000)
        XCTAssertEqual(p.dstPort, 22)
        XCTAssertEqual(p.seq, 0xfedc_ba98)
        XCTAssertEqual(p.ack, 0x0102_0304)
        XCTAssertEqual(p.tcpFlags, TCPFlag.syn | TCPFlag.ack)
        XCTAssertEqual(p.mss, 1460)
        XCTAssertEqual(p.windowScale, 7)
    }

    func testRoutingAndAuthenticationHeaders() {
        // Routing header (8 bytes), then AH with payload length 4 → (4 + 2) * 4 = 24 bytes.
        let routing = B.optionsHeader(next: 51)
        let ah: [UInt8] = [IPProto.udp, 4, 0, 0] + [UInt8](repeating: 0xaa, count: 20)
        let (p, _) = decodeFrame(B.ipv6(next: 43, routing + ah + B.udp([5])), .ipv6)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.ipProto, IPProto.udp)
        XCTAssertEqual(p.l4Offset, 40 + 8 + 24)
        XCTAssertEqual(p.payloadLength, 1)
    }

    func testFragmentHeader() {
        let body = B.optionsHeader(next: 44) + B.fragmentHeader(next: IPProto.tcp, offset: 2904, more: true, id: 0xcafe_f00d)
            + B.pattern(32)
        let (p, c) = decodeFrame(B.ethernet(0x86dd, B.ipv6(next: 0, body)), .ethernet)
        XCTAssertEqual(p.kind, .fragment)
        XCTAssertEqual(p.error, .none)
        XCTAssertEqual(p.fragmentOffset, 2904)
        XCTAssertTrue(p.moreFragments)
        XCTAssertEqual(p.fragmentID, 0xcafe_f00d)
        XCTAssertEqual(p.ipProto, IPProto.tcp)
        XCTAssertEqual(p.l3Offset, 14)
        XCTAssertEqual(p.l4Offset, 14 + 40 + 8, "l4Offset points at the fragment header itself")
        XCTAssertEqual(p.srcPort, 0)
        XCTAssertEqual(c.fragments, 1)
        XCTAssertEqual(c.tcp, 0)
    }

    func testLastFragmentWithoutMoreFlag() {
        let body = B.fragmentHeader(next: IPProto.udp, offset: 8, more: false, id: 1) + B.pattern(8)
        let (p, _) = decodeFrame(B.ipv6(next: 44, body), .ipv6)
        XCTAssertEqual(p.kind, .fragment)
        XCTAssertFalse(p.moreFragments)
        XCTAssertEqual(p.fragmentOffset, 8)
        XCTAssertEqual(p.l4Offset, 40)
    }

    func testAtomicFragmentDecodesStraightOn() {
        let body = B.fragmentHeader(next: IPProto.udp, offset: 0, more: false, id: 99) + B.udp(srcPort: 7, dstPort: 8, [1, 2])
        let (p, c) = decodeFrame(B.ipv6(next: 44, body), .ipv6)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.ipProto, IPProto.udp)
        XCTAssertEqual(p.l4Offset, 48)
        XCTAssertEqual(p.srcPort, 7)
        XCTAssertEqual(p.payloadLength, 2)
        XCTAssertEqual(c.fragments, 0)
    }

    func testExtensionHeaderRunningPastPayload() {
        // Hop-by-hop claims 16 bytes; only 8 are present.
        var hbh = B.optionsHeader(next: IPProto.udp)
        hbh[1] = 1
        let (p, c) = decodeFrame(B.ipv6(next: 0, hbh), .ipv6)
        XCTAssertEqual(p.error, .ipv6ExtensionTruncated)
        XCTAssertEqual(c.malformed[Int(DecodeError.ipv6ExtensionTruncated.rawValue)], 1)

        let (q, _) = decodeFrame(B.ipv6(next: 44, [IPProto.udp, 0, 0]), .ipv6)
        XCTAssertEqual(q.error, .ipv6ExtensionTruncated, "a fragment header needs 8 bytes")
    }

    func testTooManyExtensionHeaders() {
        var chain: [UInt8] = []
        for _ in 0..<9 { chain += B.optionsHeader(next: 60) }
        chain += B.optionsHeader(next: IPProto.udp) + B.udp([])
        let (p, c) = decodeFrame(B.ipv6(next: 60, chain), .ipv6)
        XCTAssertEqual(p.error, .ipv6TooManyExtensions)
        XCTAssertEqual(c.malformed[Int(DecodeError.ipv6TooManyExtensions.rawValue)], 1)

        var ok: [UInt8] = []
        for _ in 0..<7 { ok += B.optionsHeader(next: 60) }
        ok += B.optionsHeader(next: IPProto.udp) + B.udp([])
        let (q, _) = decodeFrame(B.ipv6(next: 60, ok), .ipv6)
        XCTAssertEqual(q.kind, .ip, "eight extension headers are within the limit")
        XCTAssertEqual(q.l4Offset, Int32(40 + 64))
    }

    func testShorterThanFixedHeader() {
        let ip = Array(B.ipv6(next: IPProto.udp, B.udp([]))[0..<39])
        let (p, c) = decodeFrame(ip, .ipv6)
        XCTAssertEqual(p.error, .ipv6Truncated)
        XCTAssertEqual(c.ipv6, 0)
    }

    func testZeroPayloadLengthTakesTheFrame() {
        let ip = B.ipv6(next: IPProto.tcp, payloadLength: 0, B.tcp(B.pattern(100)))
        let (p, c) = decodeFrame(ip, .ipv6)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertEqual(p.payloadLength, 100)
        XCTAssertFalse(p.truncated)
        XCTAssertEqual(c.truncated, 0)
    }

    func testPayloadLengthBeyondCaptureIsTruncated() {
        let ip = B.ipv6(next: IPProto.tcp, payloadLength: 1400, B.tcp(B.pattern(100)))
        let (p, c) = decodeFrame(ip, .ipv6)
        XCTAssertEqual(p.kind, .ip)
        XCTAssertTrue(p.truncated)
        XCTAssertEqual(c.truncated, 1)
        XCTAssertEqual(p.l3Length, Int32(ip.count))
        XCTAssertEqual(p.payloadLength, 100)
    }

    func testEthernetPaddingIgnored() {
        let ip = B.ipv6(next: IPProto.udp, B.udp([1]))
        let (p, _) = decodeFrame(ip + [0, 0, 0, 0], .ipv6)
        XCTAssertEqual(p.l3Length, Int32(ip.count))
        XCTAssertEqual(p.payloadLength, 1)
    }
}
