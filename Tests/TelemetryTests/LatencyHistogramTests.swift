import Foundation
import Telemetry
import XCTest

final class LatencyHistogramTests: XCTestCase {
    func testBucketPlacement() {
        // Bucket k holds (64·2^(k-1), 64·2^k] ns.
        XCTAssertEqual(LatencyHistogram.bucket(for: 0), 0)
        XCTAssertEqual(LatencyHistogram.bucket(for: 1), 0)
        XCTAssertEqual(LatencyHistogram.bucket(for: 64), 0)
        XCTAssertEqual(LatencyHistogram.bucket(for: 65), 1)
        XCTAssertEqual(LatencyHistogram.bucket(for: 128), 1)
        XCTAssertEqual(LatencyHistogram.bucket(for: 129), 2)
        XCTAssertEqual(LatencyHistogram.bucket(for: 1000), 4)        // (512, 1024]
        XCTAssertEqual(LatencyHistogram.bucket(for: 1024), 4)
        XCTAssertEqual(LatencyHistogram.bucket(for: 1025), 5)
        XCTAssertEqual(LatencyHistogram.bucket(for: 1 << 30), 24)    // the last finite bound, ~1.07 s
        XCTAssertEqual(LatencyHistogram.bucket(for: (1 << 30) + 1), 25)
        XCTAssertEqual(LatencyHistogram.bucket(for: UInt64.max), 25)
        for k in 0..<LatencyHistogram.finiteBuckets {
            let bound = LatencyHistogram.upperBoundNanos(k)
            XCTAssertEqual(LatencyHistogram.bucket(for: bound), k, "upper bound of \(k) is in it")
            XCTAssertEqual(LatencyHistogram.bucket(for: bound + 1), k + 1, "one past it is in the next")
        }
        XCTAssertEqual(LatencyHistogram.upperBoundNanos(0), 64)
        XCTAssertEqual(LatencyHistogram.upperBoundNanos(24), 1 << 30)
    }

    func testRecordSumCountAndCumulative() {
        var h = LatencyHistogram()
        for ns: UInt64 in [10, 64, 100, 100, 5000, 2_000_000_000] { h.record(nanos: ns) }
        XCTAssertEqual(h.count, 6)
        XCTAssertEqual(h.sumNanos, 10 + 64 + 100 + 100 + 5000 + 2_000_000_000)
        XCTAssertEqual(h.buckets[0], 2)
        XCTAssertEqual(h.buckets[1], 2)
        XCTAssertEqual(h.buckets[7], 1)           // 5000 in (4096, 8192]
        XCTAssertEqual(h.buckets[25], 1)          // beyond ~1.07 s
        XCTAssertEqual(h.cumulative(through: 0), 2)
        XCTAssertEqual(h.cumulative(through: 6), 4)
        XCTAssertEqual(h.cumulative(through: 24), 5)
        XCTAssertEqual(h.cumulative(through: 25), 6)
    }

    func testMergeAddsBucketsSumsAndCounts() {
        var a = LatencyHistogram(), b = LatencyHistogram(), both = LatencyHistogram()
        for ns: UInt64 in [1, 300, 70_000] { a.record(nanos: ns); both.record(nanos: ns) }
        for ns: UInt64 in [300, 9_000_000, 3] { b.record(nanos: ns); both.record(nanos: ns) }
        a.add(b)
        XCTAssertEqual(a.count, both.count)
        XCTAssertEqual(a.sumNanos, both.sumNanos)
        for k in 0..<32 { XCTAssertEqual(a.buckets[k], both.buckets[k], "bucket \(k)") }
    }

    /// The cost of the per-packet record and of the clock read that times a packet.
    func testRecordAndClockCost() {
        var h = LatencyHistogram()
        let n = 1_000_000
        let t0 = MonotonicClock.nanos()
        var x: UInt64 = 12345
        for _ in 0..<n {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            h.record(nanos: x >> 44)
        }
        let t1 = MonotonicClock.nanos()
        var last: UInt64 = 0
        for _ in 0..<n { last = MonotonicClock.nanos() }
        let t2 = MonotonicClock.nanos()
        XCTAssertEqual(h.count, UInt64(n))
        XCTAssertGreaterThanOrEqual(last, t1)
        print(String(format: "histogram record: %.1f ns; MonotonicClock.nanos(): %.1f ns",
                     Double(t1 - t0) / Double(n), Double(t2 - t1) / Double(n)))
    }
}

final class PacketTimerTests: XCTestCase {
    func testLapsRecordConsecutiveIntervals() {
        var h = LatencyHistogram()
        var timer = PacketTimer()
        let t0 = timer.start()
        usleep(2000)
        timer.lap(into: &h)
        let t2 = timer.lap(into: &h)
        XCTAssertEqual(h.count, 2)
        XCTAssertEqual(h.sumNanos, t2 - t0)
        XCTAssertGreaterThanOrEqual(h.sumNanos, 2_000_000)
        // The lap across the 2 ms sleep is above 1 ms; the lap right after it is far below.
        XCTAssertEqual(h.cumulative(through: LatencyHistogram.bucket(for: 1_000_000) - 1), 1)
        XCTAssertEqual(h.cumulative(through: LatencyHistogram.finiteBuckets), 2)
    }
}
