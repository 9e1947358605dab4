import XCTest
@testable import Defrag

final class LimitTests: XCTestCase {
    typealias B = FragmentBuilder

    func testMissingMiddleNeverCompletesAndTimesOut() {
        let timeout: UInt64 = 1_000_000_000
        var d = Defragmenter(config: .with { $0.timeoutNanos = timeout })
        let payload = B.pattern(48)
        let frags = B.ipv4Fragments(size: 16, payload: payload)
        XCTAssertEqual(d.feed(frags[0], now: 100), .incomplete)
        XCTAssertEqual(d.feed(frags[2], now: 200), .incomplete)
        XCTAssertEqual(d.feed(frags[2], now: 300), .incomplete)
        XCTAssertEqual(d.inFlight, 1)
        d.expire(now: 100 + timeout)
        XCTAssertEqual(d.inFlight, 1, "exactly the timeout is not older than it")
        d.expire(now: 101 + timeout)
        XCTAssertEqual(d.inFlight, 0)
        XCTAssertEqual(d.counters.timeouts, 1)
        XCTAssertEqual(d.counters.reassembled, 0)
        // The late middle fragment starts a new datagram instead of completing the expired one.
        XCTAssertEqual(d.feed(frags[1], now: 102 + timeout), .incomplete)
        XCTAssertEqual(d.inFlight, 1)
    }

    func testInsertExpiresStaleDatagramsToo() {
        var d = Defragmenter(config: .with { $0.timeoutNanos = 10 })
        let frags = B.ipv4Fragments(size: 8, payload: B.pattern(16))
        XCTAssertEqual(d.feed(frags[0], now: 0), .incomplete)
        XCTAssertEqual(d.feed(frags[1], now: 11), .incomplete, "the stale first half is gone")
        XCTAssertEqual(d.counters.timeouts, 1)
        XCTAssertEqual(d.inFlight, 1)
    }

    func testTableFullEvictsOldest() {
        var d = Defragmenter(config: .with { $0.maxDatagrams = 4 })
        let payloads = (0..<5).map { B.pattern(16, salt: $0) }
        for id in 0..<5 {
            XCTAssertEqual(d.feed(B.ipv4(id: UInt16(id), offset: 0, more: true, payload: Array(payloads[id][0..<8])), now: UInt64(id)),
                           .incomplete)
        }
        XCTAssertEqual(d.counters.tableFull, 1)
        XCTAssertEqual(d.inFlight, 4)
        // Datagrams 1...4 survive; 0 was the oldest.
        for id in 1..<5 {
            XCTAssertEqual(d.feed(B.ipv4(id: UInt16(id), offset: 8, more: false, payload: Array(payloads[id][8...])), now: 10),
                           .reassembled(B.ipv4(id: UInt16(id), offset: 0, more: false, payload: payloads[id])))
        }
        XCTAssertEqual(d.feed(B.ipv4(id: 0, offset: 8, more: false, payload: Array(payloads[0][8...])), now: 10), .incomplete)
        XCTAssertEqual(d.inFlight, 1)
    }

    func testTooManyFragments() {
        var d = Defragmenter(config: .with { $0.maxFragmentsPerDatagram = 4 })
        let payload = B.pattern(80)
        let frags = B.ipv4Fragments(size: 8, payload: payload)
        for f in frags[0..<4] { XCTAssertEqual(d.feed(f), .incomplete) }
        XCTAssertEqual(d.feed(frags[4]), .dropped)
        XCTAssertEqual(d.counters.tooManyFragments, 1)
        XCTAssertEqual(d.inFlight, 0)
    }

    func testDuplicatesCountTowardsTheFragmentLimit() {
        var d = Defragmenter(config: .with { $0.maxFragmentsPerDatagram = 3 })
        let f = B.ipv4(offset: 0, more: true, payload: B.pattern(8))
        for _ in 0..<3 { XCTAssertEqual(d.feed(f), .incomplete) }
        XCTAssertEqual(d.feed(f), .dropped)
        XCTAssertEqual(d.counters.tooManyFragments, 1)
    }

    func testTooLargeForIPv4LengthField() {
        var d = Defragmenter(config: DefragConfig())
        // Offset 65520 + 16 bytes + 20-byte header > 65535: the classic ping of death.
        XCTAssertEqual(d.feed(B.ipv4(offset: 65520, more: false, payload: B.pattern(16))), .dropped)
        XCTAssertEqual(d.counters.tooLarge, 1)
        XCTAssertEqual(d.inFlight, 0)
        XCTAssertEqual(d.feed(B.ipv4(offset: 65512, more: false, payload: B.pattern(3))), .incomplete, "65535 exactly fits")
    }

    func testTooLargeDropsTheWholeDatagram() {
        var d = Defragmenter(config: .with { $0.maxDatagramSize = 1000 })
        XCTAssertEqual(d.feed(B.ipv4(offset: 0, more: true, payload: B.pattern(800))), .incomplete)
        XCTAssertEqual(d.inFlight, 1)
        XCTAssertEqual(d.feed(B.ipv4(offset: 800, more: false, payload: B.pattern(200))), .dropped)
        XCTAssertEqual(d.counters.tooLarge, 1)
        XCTAssertEqual(d.inFlight, 0)
    }

    func testLargerFirstHeaderIsRecheckedAgainstTheLimit() {
        var d = Defragmenter(config: .with { $0.maxDatagramSize = 100 })
        XCTAssertEqual(d.feed(B.ipv4(offset: 72, more: false, payload: B.pattern(8))), .incomplete)   // 20 + 80 fits
        let withOptions = B.ipv4(offset: 0, more: true, options: [1, 1, 1, 0], payload: B.pattern(72))
        XCTAssertEqual(d.feed(withOptions), .dropped)   // 24 + 80 does not
        XCTAssertEqual(d.counters.tooLarge, 1)
    }

    func testIPv6MaximumSize() {
        var d = Defragmenter(config: DefragConfig())
        // The rebuilt Payload Length (offset + bytes, fragment header gone) must fit 16 bits.
        XCTAssertEqual(d.feed(B.ipv6(offset: 65528, more: false, payload: B.pattern(7)), fragmentHeaderOffset: 40), .incomplete)
        XCTAssertEqual(d.feed(B.ipv6(id: 2, offset: 65528, more: false, payload: B.pattern(8)), fragmentHeaderOffset: 40), .dropped)
        XCTAssertEqual(d.counters.tooLarge, 1)
    }

    func testConflictingLastFragmentIsInvalid() {
        var d = Defragmenter(config: DefragConfig())
        XCTAssertEqual(d.feed(B.ipv4(offset: 16, more: false, payload: B.pattern(8))), .incomplete)
        XCTAssertEqual(d.feed(B.ipv4(offset: 32, more: false, payload: B.pattern(8))), .dropped)
        XCTAssertEqual(d.counters.invalid, 1)
        XCTAssertEqual(d.inFlight, 0)
        // Data beyond a known end is just as contradictory.
        XCTAssertEqual(d.feed(B.ipv4(offset: 16, more: false, payload: B.pattern(8))), .incomplete)
        XCTAssertEqual(d.feed(B.ipv4(offset: 24, more: true, payload: B.pattern(8))), .dropped)
        XCTAssertEqual(d.counters.invalid, 2)
    }

    func testManyDatagramsThroughASmallTable() {
        var d = Defragmenter(config: .with { $0.maxDatagrams = 8 })
        for id in 0..<20_000 {
            let payload = B.pattern(24, salt: id)
            let frags = B.ipv4Fragments(id: UInt16(truncatingIfNeeded: id), size: 8, payload: payload)
            _ = d.feed(frags[2]); _ = d.feed(frags[0])
            XCTAssertEqual(d.feed(frags[1]), .reassembled(B.ipv4(id: UInt16(truncatingIfNeeded: id), offset: 0, more: false, payload: payload)))
        }
        XCTAssertEqual(d.inFlight, 0)
        XCTAssertEqual(d.counters.reassembled, 20_000)
        XCTAssertEqual(d.counters.dropped, 0)
    }
}
