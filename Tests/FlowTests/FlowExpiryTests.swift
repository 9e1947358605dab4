import XCTest
import Codecs
import Stream
@testable import Flow

/// FlowTable's per-class expiry lists: `expired(now:)` returns the oldest idle flow only once its
/// class timeout has passed, `touch` moves a flow to the tail (and to a new class list when its
/// state changed), and `oldest()` picks the eviction victim across classes.
final class FlowExpiryTests: XCTestCase {
    func makeTable(_ change: (inout FlowTimeouts) -> Void = { _ in }) -> FlowTable {
        var c = FlowConfig()
        c.capacity = 16
        change(&c.timeouts)
        return FlowTable(config: c)
    }

    func testDefaultTimeoutsInNanos() {
        let t = FlowTimeouts()
        XCTAssertEqual(t.nanos, [60, 600, 60, 30, 300, 30, 300].map { $0 * second })
        XCTAssertEqual(t.nanos.count, TimeoutClass.allCases.count)
        XCTAssertEqual(FlowConfig().capacity, 65536)
    }

    func testExpiresOnlyOnceClassTimeoutPassed() {
        var t = makeTable()
        guard let udp = t.add(.v4(1, proto: IPProto.udp), now: 0),
              let tcp = t.add(.v4(2), now: 0),
              let icmp = t.add(.v4(3, proto: IPProto.icmp), now: 10 * second) else { return XCTFail("insert failed") }
        XCTAssertEqual(t.entries[Int(udp)].timeoutClass, .udpNew)
        XCTAssertEqual(t.entries[Int(tcp)].timeoutClass, .tcpNew)
        XCTAssertEqual(t.entries[Int(icmp)].timeoutClass, .otherNew)

        XCTAssertNil(t.expired(now: 0))
        XCTAssertNil(t.expired(now: 30 * second - 1))
        XCTAssertEqual(t.expired(now: 30 * second), udp, "udpNew times out after 30 s")
        t.remove(udp)
        XCTAssertNil(t.expired(now: 40 * second - 1))
        XCTAssertEqual(t.expired(now: 40 * second), icmp, "otherNew: 30 s after its last packet at 10 s")
        XCTAssertEqual(t.expired(now: 60 * second), tcp, "both expired: the older activity goes first")
        t.remove(tcp)
        XCTAssertEqual(t.expired(now: 60 * second), icmp)
        t.remove(icmp)
        XCTAssertNil(t.expired(now: UInt64.max / 2))
    }

    func testConfiguredTimeoutsApply() {
        var t = makeTable { $0.udpNew = 2; $0.tcpNew = 1 }
        guard let udp = t.add(.v4(1, proto: IPProto.udp), now: 0),
              let tcp = t.add(.v4(2), now: 0) else { return XCTFail("insert failed") }
        XCTAssertNil(t.expired(now: second - 1))
        XCTAssertEqual(t.expired(now: second), tcp)
        t.remove(tcp)
        XCTAssertNil(t.expired(now: 2 * second - 1))
        XCTAssertEqual(t.expired(now: 2 * second), udp)
    }

    func testTouchMovesFlowToTail() {
        var t = makeTable()
        guard let a = t.add(.v4(1, proto: IPProto.udp), now: 0),
              let b = t.add(.v4(2, proto: IPProto.udp), now: 1 * second) else { return XCTFail("insert failed") }
        XCTAssertEqual(t.oldest(), a)
        t.entries[Int(a)].count(direction: .toServer, length: 60, now: 2 * second)
        t.touch(a)
        XCTAssertEqual(t.oldest(), b, "a packet on a moves it behind b")
        XCTAssertEqual(t.expired(now: 31 * second), b)
        t.remove(b)
        XCTAssertNil(t.expired(now: 32 * second - 1), "a's clock restarted at its last packet")
        XCTAssertEqual(t.expired(now: 32 * second), a)
    }

    func testTouchOfTailIsHarmless() {
        var t = makeTable()
        guard let a = t.add(.v4(1, proto: IPProto.udp), now: 0),
              let b = t.add(.v4(2, proto: IPProto.udp), now: 5) else { return XCTFail("insert failed") }
        t.touch(b)
        t.touch(b)
        XCTAssertEqual(t.oldest(), a)
        t.remove(a)
        XCTAssertEqual(t.oldest(), b)
        t.remove(b)
        XCTAssertNil(t.oldest())
    }

    func testStateChangeMovesFlowToAnotherClass() {
        var t = makeTable()
        guard let a = t.add(.v4(1, proto: IPProto.udp), now: 0) else { return XCTFail("insert failed") }
        t.entries[Int(a)].count(direction: .toServer, length: 100, now: 1 * second)
        t.entries[Int(a)].count(direction: .toClient, length: 100, now: 2 * second)
        XCTAssertEqual(t.entries[Int(a)].state, .established)
        t.touch(a)
        XCTAssertEqual(t.entries[Int(a)].timeoutClass, .udpEstablished)
        XCTAssertNil(t.expired(now: 100 * second), "udpEstablished waits 300 s, not udpNew's 30")
        XCTAssertNil(t.expired(now: 302 * second - 1))
        XCTAssertEqual(t.expired(now: 302 * second), a)

        // A TCP flow that closes goes to the tcpClosed list (60 s) from tcpEstablished (600 s).
        guard let b = t.add(.v4(2), now: 0) else { return XCTFail("insert failed") }
        t.remove(a)
        t.entries[Int(b)].trackTCP(flags: TCPFlag.ack, direction: .toServer, hasPayload: true)
        t.entries[Int(b)].count(direction: .toServer, length: 60, now: 10 * second)
        t.touch(b)
        XCTAssertEqual(t.entries[Int(b)].timeoutClass, .tcpEstablished)
        XCTAssertNil(t.expired(now: 300 * second))
        t.entries[Int(b)].trackTCP(flags: TCPFlag.rst, direction: .toClient, hasPayload: false)
        t.entries[Int(b)].count(direction: .toClient, length: 60, now: 20 * second)
        t.touch(b)
        XCTAssertEqual(t.entries[Int(b)].timeoutClass, .tcpClosed)
        XCTAssertNil(t.expired(now: 80 * second - 1))
        XCTAssertEqual(t.expired(now: 80 * second), b)
    }

    func testOldestAcrossClassesForEviction() {
        var t = makeTable()
        XCTAssertNil(t.oldest())
        guard let tcp = t.add(.v4(1), now: 30),
              let udp = t.add(.v4(2, proto: IPProto.udp), now: 10),
              let other = t.add(.v4(3, proto: IPProto.icmp), now: 20) else { return XCTFail("insert failed") }
        XCTAssertEqual(t.oldest(), udp)
        t.remove(udp)
        XCTAssertEqual(t.oldest(), other)
        t.remove(other)
        XCTAssertEqual(t.oldest(), tcp)
    }

    func testListsStayConsistentThroughChurn() {
        // Many flows in one class, touched in a scrambled order: the list must follow last activity.
        var t = makeTable()
        var idx: [UInt32] = []
        for n in 0..<16 {
            guard let i = t.add(.v4(UInt32(n), proto: IPProto.udp), now: UInt64(n)) else { return XCTFail("insert failed") }
            idx.append(i)
        }
        let order = [5, 0, 15, 7, 3, 9, 1, 12]
        for (step, n) in order.enumerated() {
            t.entries[Int(idx[n])].count(direction: .toServer, length: 1, now: 100 + UInt64(step))
            t.touch(idx[n])
        }
        // Untouched flows expire first, oldest first, then the touched ones in touch order.
        let untouched = (0..<16).filter { !order.contains($0) }
        var expiredOrder: [UInt32] = []
        while let e = t.expired(now: 1000 * second) {
            expiredOrder.append(e)
            t.remove(e)
        }
        XCTAssertEqual(expiredOrder, untouched.map { idx[$0] } + order.map { idx[$0] })
        XCTAssertEqual(t.count, 0)
    }

    /// Near the end of the clock `lastSeen + timeout` wraps: a flow must still wait out its
    /// timeout rather than expire on the next packet.
    func testNoExpiryWrapNearTheEndOfTheClock() {
        var t = makeTable()
        let start = UInt64.max - 10 * second
        guard let udp = t.add(.v4(1, proto: IPProto.udp), now: start) else { return XCTFail("insert failed") }
        XCTAssertNil(t.expired(now: start))
        XCTAssertNil(t.expired(now: UInt64.max))
        XCTAssertNil(t.expired(now: 0), "a clock that went back expires nothing")
        t.remove(udp)
    }
}
