import SluiceTestSupport
import XCTest
@testable import Defrag

final class IPv6ReassemblyTests: XCTestCase {
    typealias B = FragmentBuilder

    func testFragmentHeaderRightAfterIPv6Header() {
        var d = Defragmenter(config: DefragConfig())
        let payload = B.pattern(200)
        let fho = B.v6FragmentHeaderOffset(hopByHop: false)
        XCTAssertEqual(d.feed(B.ipv6(nextHeader: 6, offset: 104, more: false, payload: Array(payload[104...])),
                              fragmentHeaderOffset: fho), .incomplete)
        let out = d.feed(B.ipv6(nextHeader: 6, offset: 0, more: true, payload: Array(payload[0..<104])),
                         fragmentHeaderOffset: fho)
        guard case .reassembled(let bytes) = out else { return XCTFail("not reassembled") }
        XCTAssertEqual(bytes[6], 6, "IPv6 Next Header now names TCP")
        XCTAssertEqual(Int(bytes[4]) << 8 | Int(bytes[5]), 200, "payload length")
        XCTAssertEqual(bytes, B.ipv6Whole(nextHeader: 6, payload: payload))
    }

    func testHopByHopBeforeFragmentHeader() {
        var d = Defragmenter(config: DefragConfig())
        let payload = B.pattern(1500)
        let fho = B.v6FragmentHeaderOffset(hopByHop: true)
        let frags = stride(from: 0, to: 1500, by: 512).map { off in
            B.ipv6(nextHeader: 58, hopByHop: true, offset: off, more: off + 512 < 1500,
                   payload: Array(payload[off..<min(off + 512, 1500)]))
        }
        XCTAssertEqual(d.feed(frags[1], fragmentHeaderOffset: fho), .incomplete)
        XCTAssertEqual(d.feed(frags[2], fragmentHeaderOffset: fho), .incomplete)
        guard case .reassembled(let bytes) = d.feed(frags[0], fragmentHeaderOffset: fho) else {
            return XCTFail("not reassembled")
        }
        XCTAssertEqual(bytes[6], 0, "IPv6 header still points at Hop-by-Hop")
        XCTAssertEqual(bytes[40], 58, "Hop-by-Hop Next Header now names ICMPv6")
        XCTAssertEqual(Int(bytes[4]) << 8 | Int(bytes[5]), 8 + 1500)
        XCTAssertEqual(bytes.count, 48 + 1500)
        XCTAssertEqual(bytes, B.ipv6Whole(nextHeader: 58, hopByHop: true, payload: payload))
    }

    func testShuffledIPv6() {
        var rng = SplitMix(state: 99)
        var d = Defragmenter(config: DefragConfig())
        for round in 0..<100 {
            let hbh = round % 2 == 0
            let len = Int.random(in: 1...3000, using: &rng)
            let payload = B.pattern(len, salt: round)
            let size = 8 * Int.random(in: 6...100, using: &rng)
            let id = UInt32(round) << 16
            let frags = stride(from: 0, to: len, by: size).map { off in
                B.ipv6(id: id, hopByHop: hbh, offset: off, more: off + size < len, payload: Array(payload[off..<min(off + size, len)]))
            }.shuffled(using: &rng)
            var last = Outcome.incomplete
            for f in frags { last = d.feed(f, fragmentHeaderOffset: B.v6FragmentHeaderOffset(hopByHop: hbh)) }
            XCTAssertEqual(last, .reassembled(B.ipv6Whole(hopByHop: hbh, payload: payload)), "round \(round)")
        }
        XCTAssertEqual(d.inFlight, 0)
    }

    func testAtomicFragmentNeedsNoSlot() {
        var d = Defragmenter(config: .with { $0.maxDatagrams = 1 })
        XCTAssertEqual(d.feed(B.ipv6(id: 1, offset: 0, more: true, payload: B.pattern(8)), fragmentHeaderOffset: 40), .incomplete)
        let payload = B.pattern(30)
        XCTAssertEqual(d.feed(B.ipv6(id: 2, offset: 0, more: false, payload: payload), fragmentHeaderOffset: 40),
                       .reassembled(B.ipv6Whole(payload: payload)))
        XCTAssertEqual(d.inFlight, 1, "the datagram in flight was not evicted")
        XCTAssertEqual(d.counters.tableFull, 0)
    }

    func testLengthNotMultipleOf8WithMoreIsInvalid() {
        var d = Defragmenter(config: DefragConfig())
        XCTAssertEqual(d.feed(B.ipv6(offset: 0, more: true, payload: B.pattern(12)), fragmentHeaderOffset: 40), .dropped)
        XCTAssertEqual(d.counters.invalid, 1)
        XCTAssertEqual(d.inFlight, 0)
    }

    func testWrongFragmentHeaderOffsetIsInvalid() {
        var d = Defragmenter(config: DefragConfig())
        let hbh = B.ipv6(hopByHop: true, offset: 0, more: true, payload: B.pattern(16))
        for fho in [-8, 0, 8, 39, 40, 44, 56, hbh.count - 8, hbh.count, 10_000] {
            XCTAssertEqual(d.feed(hbh, fragmentHeaderOffset: fho), .dropped, "offset \(fho)")
        }
        XCTAssertEqual(d.counters.invalid, 10)
        XCTAssertEqual(d.feed(hbh, fragmentHeaderOffset: 48), .incomplete)
    }

    func testUnfragmentablePartOver512BytesIsInvalid() {
        var d = Defragmenter(config: DefragConfig())
        // Destination options headers of 256 bytes each (length field 31), chained.
        func chain(_ count: Int) -> [UInt8] {
            var p: [UInt8] = [0x60, 0, 0, 0, 0, 0, 60, 64] + B.v6Src + B.v6Dst
            for i in 0..<count {
                p += [i == count - 1 ? 44 : 60, 31, 1, 252] + [UInt8](repeating: 0, count: 252)
            }
            p += [17, 0, 0, 1, 0, 0, 0, 7] + B.pattern(8)
            let len = p.count - 40
            p[4] = UInt8(len >> 8); p[5] = UInt8(len & 0xff)
            return p
        }
        XCTAssertEqual(d.feed(chain(1), fragmentHeaderOffset: 40 + 256), .incomplete)
        XCTAssertEqual(d.feed(chain(2), fragmentHeaderOffset: 40 + 512), .dropped)
        XCTAssertEqual(d.counters.invalid, 1)
    }
}
