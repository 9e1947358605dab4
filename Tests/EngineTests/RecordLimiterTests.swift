import Codecs
import Output
import XCTest

/// The EVE record limiter: per-key and per-worker bounds per window, and every suppressed
/// record handed back in a count.
final class RecordLimiterTests: XCTestCase {
    func drain(_ l: inout RecordLimiter) -> [RecordLimiter.Summary] {
        var out: [RecordLimiter.Summary] = []
        while let s = l.nextDue() { out.append(s) }
        return out
    }

    func testPerKeyBoundAndCountsAddUp() {
        var l = RecordLimiter(perKey: 5, perWorker: 1000, windowNanos: 1_000_000_000, capacity: 64)
        let src = IPAddress(v4: 0x0A62_0001)
        var written = 0, counted = 0
        for i in 0..<10_000 {
            // 10 000 records over 2.5 s of one key.
            if l.admit(key: 42, tag: 7, source: src, now: UInt64(i) * 250_000) { written += 1 }
            counted += drain(&l).reduce(0) { $0 + Int($1.suppressed) }
        }
        l.sweep(now: .max)
        counted += drain(&l).reduce(0) { $0 + Int($1.suppressed) }
        XCTAssertEqual(written, 15, "5 per window, 3 windows")
        XCTAssertEqual(written + counted, 10_000)
        XCTAssertEqual(Int(l.suppressedTotal), counted)
    }

    func testPerWorkerBoundCoversManyKeys() {
        var l = RecordLimiter(perKey: 5, perWorker: 100, windowNanos: 1_000_000_000, capacity: 64)
        var written = 0, counted = 0, workerWide = 0
        for i in 0..<5000 {
            // A new source per record, as a spoofed flood.
            if l.admit(key: UInt64(i) &+ 1, tag: 1, source: IPAddress(v4: UInt32(i)), now: 1000 + UInt64(i)) { written += 1 }
            for s in drain(&l) { counted += Int(s.suppressed); if s.isWorkerWide { workerWide += 1 } }
        }
        l.sweep(now: .max)
        for s in drain(&l) { counted += Int(s.suppressed); if s.isWorkerWide { workerWide += 1 } }
        XCTAssertEqual(written, 100)
        XCTAssertEqual(written + counted, 5000)
        XCTAssertEqual(workerWide, 1, "one aggregate for many sources")
    }

    func testOffAdmitsEverything() {
        var l = RecordLimiter()
        XCTAssertFalse(l.isEnabled)
        for i in 0..<100 { XCTAssertTrue(l.admit(key: 1, tag: 0, source: IPAddress(v4: 1), now: UInt64(i))) }
        XCTAssertNil(l.nextDue())
    }
}
