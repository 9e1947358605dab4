import SluiceTestSupport
import XCTest
import Codecs
@testable import Flow

/// FlowHash: symmetric in its two endpoints, and sensitive to ports, addresses, protocol,
/// VLAN and interface.
final class FlowHashTests: XCTestCase {
    let a = IPAddress(v4: 0x0a00_0001), b = IPAddress(v4: 0xc0a8_0101)
    let a6 = IPAddress("2001:db8::1")!, b6 = IPAddress("fd77::2")!

    func h(_ x: IPAddress, _ xp: UInt16, _ y: IPAddress, _ yp: UInt16,
           proto: UInt8 = IPProto.tcp, vlan: UInt16 = 0, iface: UInt16 = 0) -> UInt32 {
        FlowHash.hash(x, xp, y, yp, proto: proto, vlan: vlan, iface: iface)
    }

    func testSymmetric() {
        XCTAssertEqual(h(a, 1234, b, 80), h(b, 80, a, 1234))
        XCTAssertEqual(h(a6, 5353, b6, 53, proto: IPProto.udp, vlan: 7, iface: 2),
                       h(b6, 53, a6, 5353, proto: IPProto.udp, vlan: 7, iface: 2))
        var rng = SplitMix(state: 99)
        for _ in 0..<1000 {
            let x = IPAddress(hi: UInt64.random(in: 0...UInt64.max, using: &rng), lo: UInt64.random(in: 0...UInt64.max, using: &rng))
            let y = IPAddress(v4: UInt32.random(in: 0...UInt32.max, using: &rng))
            let xp = UInt16.random(in: 0...UInt16.max, using: &rng), yp = UInt16.random(in: 0...UInt16.max, using: &rng)
            XCTAssertEqual(h(x, xp, y, yp, vlan: 3), h(y, yp, x, xp, vlan: 3))
        }
    }

    func testDiffersWhenPortsDiffer() {
        let base = h(a, 1234, b, 80)
        XCTAssertNotEqual(base, h(a, 1235, b, 80))
        XCTAssertNotEqual(base, h(a, 1234, b, 81))
        XCTAssertNotEqual(base, h(a, 80, b, 1234), "ports swapped between endpoints is another flow")
        XCTAssertNotEqual(h(a6, 1, b6, 2), h(a6, 2, b6, 2))
    }

    func testDiffersWithOtherKeyFields() {
        let base = h(a, 1234, b, 80)
        XCTAssertNotEqual(base, h(a, 1234, b, 80, proto: IPProto.udp))
        XCTAssertNotEqual(base, h(a, 1234, b, 80, vlan: 1))
        XCTAssertNotEqual(base, h(a, 1234, b, 80, iface: 1))
        XCTAssertNotEqual(base, h(IPAddress(v4: 0x0a00_0002), 1234, b, 80))
        XCTAssertNotEqual(base, h(IPAddress(hi: 0, lo: 0x0a00_0001), 1234, b, 80), "mapped vs compatible form")
    }

    func testSpreadsSequentialKeys() {
        // Sequential client ports must not pile onto a few index slots.
        var buckets = Set<UInt32>()
        for port in 0..<4096 { buckets.insert(h(a, UInt16(port), b, 80) & 4095) }
        XCTAssertGreaterThan(buckets.count, 2000)
    }
}
