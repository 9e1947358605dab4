import Telemetry
import XCTest

final class HitTableTests: XCTestCase {
    func testCountsPerID() {
        var t = HitTable()
        t.record(0)
        t.record(7)
        t.record(7)
        t.record(-3, count: 5)
        t.record(1 << 40)
        t.record(9, count: 0)
        XCTAssertEqual(t.count(of: 0), 1)
        XCTAssertEqual(t.count(of: 7), 2)
        XCTAssertEqual(t.count(of: -3), 5)
        XCTAssertEqual(t.count(of: 1 << 40), 1)
        XCTAssertEqual(t.count(of: 9), 0)
        XCTAssertEqual(t.used, 4)
        var seen: [Int: UInt64] = [:]
        t.forEach { seen[$0] = $1 }
        XCTAssertEqual(seen, [0: 1, 7: 2, -3: 5, 1 << 40: 1])
    }

    func testFullTableCountsOverflowAndKeepsCountingHeldIDs() {
        var t = HitTable()
        for id in 0..<HitTable.capacity { t.record(id * 1000) }
        XCTAssertEqual(t.used, HitTable.capacity)
        XCTAssertEqual(t.overflow, 0)
        t.record(-1, count: 3)
        t.record(5000)
        XCTAssertEqual(t.overflow, 3)
        XCTAssertEqual(t.count(of: -1), 0)
        XCTAssertEqual(t.count(of: 5000), 2)
        for id in 0..<HitTable.capacity { XCTAssertEqual(t.count(of: id * 1000), id == 5 ? 2 : 1) }
    }

    func testMerge() {
        var a = HitTable(), b = HitTable()
        a.record(1); a.record(2, count: 2)
        b.record(2); b.record(3, count: 4)
        a.add(b)
        XCTAssertEqual(a.count(of: 1), 1)
        XCTAssertEqual(a.count(of: 2), 3)
        XCTAssertEqual(a.count(of: 3), 4)
        XCTAssertEqual(a.used, 3)
    }
}
