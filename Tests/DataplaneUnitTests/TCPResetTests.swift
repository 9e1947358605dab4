import Dataplane
import XCTest

/// The resets a block sends: the right addresses, ports and sequence numbers, and checksums
/// that verify (checked by summing the headers again, as a receiving stack does).
final class TCPResetTests: XCTestCase {
    /// An Ethernet/IPv4/TCP segment 10.0.0.1:40000 -> 10.0.0.2:80, seq 1000, ack 5000, 10 bytes.
    func segment(flags: UInt8 = 0x18, payload: Int = 10) -> [UInt8] {
        var f: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
        let total = 20 + 20 + payload
        f += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        f += [0x9C, 0x40, 0, 80, 0, 0, 0x03, 0xE8, 0, 0, 0x13, 0x88, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
        f += [UInt8](repeating: 0x41, count: payload)
        return f
    }

    func sum(_ b: [UInt8], _ range: Range<Int>, start: UInt32 = 0) -> UInt16 {
        var s = start
        for i in stride(from: range.lowerBound, to: range.upperBound, by: 2) { s += UInt32(b[i]) << 8 | UInt32(b[i + 1]) }
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return UInt16(s)
    }

    func build(_ frame: [UInt8]) -> (back: [UInt8], on: [UInt8])? {
        var back = [UInt8](repeating: 0, count: 128), on = [UInt8](repeating: 0, count: 128)
        let r = frame.withUnsafeBytes { f in
            back.withUnsafeMutableBytes { b in on.withUnsafeMutableBytes { o in TCPReset.build(from: f, back: b, on: o) } }
        }
        guard let r else { return nil }
        return (Array(back[0..<r.back]), Array(on[0..<r.on]))
    }

    func testResetsToBothEndsOfAnIPv4Segment() throws {
        let (back, on) = try XCTUnwrap(build(segment()))
        // Back to the client, from the server: MACs, addresses and ports swapped.
        XCTAssertEqual(Array(back[0..<12]), [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2])
        XCTAssertEqual(Array(back[26..<34]), [10, 0, 0, 2, 10, 0, 0, 1])
        XCTAssertEqual(Array(back[34..<38]), [0, 80, 0x9C, 0x40])
        XCTAssertEqual(Array(back[38..<42]), [0, 0, 0x13, 0x88], "seq = what the client acknowledged")
        XCTAssertEqual(Array(back[42..<46]), [0, 0, 0x03, 0xF2], "ack = client seq + 10 payload bytes")
        XCTAssertEqual(back[47], 0x14)
        // On to the server, from the client: its seq is what the server expects next.
        XCTAssertEqual(Array(on[26..<34]), [10, 0, 0, 1, 10, 0, 0, 2])
        XCTAssertEqual(Array(on[38..<42]), [0, 0, 0x03, 0xE8])
        for r in [back, on] {
            XCTAssertEqual(r.count, 54)
            XCTAssertEqual(sum(r, 14..<34), 0xFFFF, "IPv4 header checksum verifies")
            let pseudo = UInt32(sum(r, 26..<34)) + 6 + 20
            XCTAssertEqual(sum(r, 34..<54, start: pseudo), 0xFFFF, "TCP checksum verifies")
        }
    }

    func testSynCountsOneSequenceNumberAndResetsAreNotAnswered() throws {
        let (back, _) = try XCTUnwrap(build(segment(flags: 0x02, payload: 0)))
        XCTAssertEqual(Array(back[38..<42]), [0, 0, 0, 0], "a SYN acknowledges nothing")
        XCTAssertEqual(Array(back[42..<46]), [0, 0, 0x03, 0xE9], "ack = SYN's seq + 1")
        XCTAssertNil(build(segment(flags: 0x14, payload: 0)), "never answer a reset")
        var udp = segment()
        udp[23] = 17
        XCTAssertNil(build(udp))
    }
}
