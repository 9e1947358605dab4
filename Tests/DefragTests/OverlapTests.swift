import SluiceTestSupport
import XCTest
@testable import Defrag

/// The overlap policy is FIRST WINS: bytes already held are kept, later fragments only fill holes.
final class OverlapTests: XCTestCase {
    typealias B = FragmentBuilder

    func testOverlapKeepsFirstBytesAndFillsHoles() {
        var d = Defragmenter(config: DefragConfig())
        let b = [UInt8](repeating: 0xBB, count: 8)
        let c = [UInt8](repeating: 0xCC, count: 24)
        XCTAssertEqual(d.feed(B.ipv4(offset: 8, more: true, payload: b)), .incomplete)
        XCTAssertEqual(d.feed(B.ipv4(offset: 32, more: false, payload: [1, 2, 3])), .incomplete)
        // Covers [0, 24) with different bytes: only [0, 8) and [16, 24) are holes.
        XCTAssertEqual(d.feed(B.ipv4(offset: 0, more: true, payload: c)), .incomplete)
        let out = d.feed(B.ipv4(offset: 24, more: true, payload: [UInt8](repeating: 0xDD, count: 8)))
        let expected = [UInt8](repeating: 0xCC, count: 8) + b + [UInt8](repeating: 0xCC, count: 8)
            + [UInt8](repeating: 0xDD, count: 8) + [1, 2, 3]
        XCTAssertEqual(out, .reassembled(B.ipv4(offset: 0, more: false, payload: expected)))
        XCTAssertEqual(d.counters.overlaps, 1)
    }

    func testLaterOverlapOnBothSidesIsIgnored() {
        var d = Defragmenter(config: DefragConfig())
        let a = [UInt8](repeating: 0xAA, count: 16)
        let x = [UInt8](repeating: 0xEE, count: 16)
        let z = [UInt8](repeating: 0x11, count: 8)
        XCTAssertEqual(d.feed(B.ipv4(offset: 0, more: true, payload: a)), .incomplete)
        XCTAssertEqual(d.feed(B.ipv4(offset: 8, more: true, payload: x)), .incomplete)   // [8,24): only [16,24) new
        let out = d.feed(B.ipv4(offset: 16, more: false, payload: z))                    // [16,24): nothing new
        XCTAssertEqual(out, .reassembled(B.ipv4(offset: 0, more: false, payload: a + [UInt8](repeating: 0xEE, count: 8))))
        XCTAssertEqual(d.counters.overlaps, 2)
    }

    func testFragmentBridgingTwoRangesFillsOnlyTheGap() {
        var d = Defragmenter(config: DefragConfig())
        XCTAssertEqual(d.feed(B.ipv4(offset: 0, more: true, payload: [UInt8](repeating: 1, count: 8))), .incomplete)
        XCTAssertEqual(d.feed(B.ipv4(offset: 16, more: false, payload: [UInt8](repeating: 3, count: 8))), .incomplete)
        let out = d.feed(B.ipv4(offset: 0, more: true, payload: [UInt8](repeating: 2, count: 24)))
        let expected = [UInt8](repeating: 1, count: 8) + [UInt8](repeating: 2, count: 8) + [UInt8](repeating: 3, count: 8)
        XCTAssertEqual(out, .reassembled(B.ipv4(offset: 0, more: false, payload: expected)))
        XCTAssertEqual(d.counters.overlaps, 1)
    }

    func testExactDuplicate() {
        var d = Defragmenter(config: DefragConfig())
        let payload = B.pattern(32)
        let frags = B.ipv4Fragments(size: 16, payload: payload)
        XCTAssertEqual(d.feed(frags[0]), .incomplete)
        XCTAssertEqual(d.feed(frags[0]), .incomplete)
        XCTAssertEqual(d.feed(frags[1]), .reassembled(B.ipv4(offset: 0, more: false, payload: payload)))
        XCTAssertEqual(d.counters.overlaps, 1)
        XCTAssertEqual(d.counters.reassembled, 1)
        XCTAssertEqual(d.inFlight, 0)
    }

    func testDuplicateFirstFragmentKeepsFirstHeader() {
        var d = Defragmenter(config: DefragConfig())
        XCTAssertEqual(d.feed(B.ipv4(ttl: 1, offset: 0, more: true, payload: B.pattern(8))), .incomplete)
        XCTAssertEqual(d.feed(B.ipv4(ttl: 2, offset: 0, more: true, payload: B.pattern(8))), .incomplete)
        guard case .reassembled(let out) = d.feed(B.ipv4(ttl: 3, offset: 8, more: false, payload: B.pattern(8))) else {
            return XCTFail("not reassembled")
        }
        XCTAssertEqual(out[8], 1, "header of the first offset-0 fragment")
    }

    func testTouchingFragmentsAreNotOverlaps() {
        var d = Defragmenter(config: DefragConfig())
        var rng = SplitMix(state: 3)
        let payload = B.pattern(64)
        for f in B.ipv4Fragments(size: 8, payload: payload).shuffled(using: &rng) { _ = d.feed(f) }
        XCTAssertEqual(d.counters.overlaps, 0)
        XCTAssertEqual(d.counters.reassembled, 1)
    }
}
