import Foundation
@testable import Telemetry
import XCTest

final class MetricsSlotTests: XCTestCase {
    static let words = MemoryLayout<WorkerMetrics>.size / 8

    /// Every 8-byte word of `m` set to `v`: a snapshot whose words must all stay equal.
    static func fill(_ m: inout WorkerMetrics, _ v: UInt64) {
        withUnsafeMutableBytes(of: &m) { b in
            for i in 0..<words { b.storeBytes(of: v, toByteOffset: i * 8, as: UInt64.self) }
        }
    }

    /// Whether every word of `m` equals its first; returns that word.
    static func uniform(_ m: inout WorkerMetrics) -> UInt64? {
        withUnsafeBytes(of: &m) { b in
            let first = b.load(as: UInt64.self)
            for i in 1..<words where b.load(fromByteOffset: i * 8, as: UInt64.self) != first { return nil }
            return first
        }
    }

    func testEmptySlotReadsZero() {
        let slot = MetricsSlot()
        var m = slot.read()
        XCTAssertEqual(Self.uniform(&m), 0)
        XCTAssertEqual(slot.publications, 0)
    }

    func testPublishThenRead() {
        let slot = MetricsSlot()
        var m = WorkerMetrics()
        m.flowsCreated = 42
        m[drops: .policyDeny] = 7
        m.interfaces[3, .bToA] = DirectionTraffic(packets: 5, bytes: 500, forwarded: 4, dropped: 1)
        m.latency.record(nanos: 1500)
        slot.publish(m)
        let r = slot.read()
        XCTAssertEqual(r.flowsCreated, 42)
        XCTAssertEqual(r[drops: .policyDeny], 7)
        XCTAssertEqual(r.interfaces[3, .bToA], DirectionTraffic(packets: 5, bytes: 500, forwarded: 4, dropped: 1))
        XCTAssertEqual(r.latency.count, 1)
        XCTAssertEqual(slot.publications, 1)
    }

    /// A writer thread publishes snapshots whose every word is the same value while reader
    /// threads read: no read may see two values in one snapshot, and values never go back.
    /// As a control, reads that skip the sequence check do see torn snapshots.
    func testConcurrentReadersNeverSeeTornSnapshots() {
        let slot = MetricsSlot()
        let stop = ManagedFlag()
        let publishes: UInt64 = 20_000
        let readers = 2
        let results = ResultBox()
        let group = DispatchGroup()
        for r in 0..<readers {
            group.enter()
            Thread {
                var m = WorkerMetrics()
                var reads = 0, torn = 0, backwards = 0, retries = 0
                var last: UInt64 = 0
                var rawReads = 0, rawTorn = 0
                while !stop.isSet {
                    retries += slot.readInto(&m)
                    reads += 1
                    if let v = Self.uniform(&m) {
                        if v < last { backwards += 1 }
                        last = v
                    } else {
                        torn += 1
                    }
                    if r == 0 {
                        // Control: the same copy without the sequence check.
                        withUnsafeMutablePointer(to: &m) {
                            UnsafeMutableRawPointer($0).copyMemory(from: slot.storage, byteCount: MemoryLayout<WorkerMetrics>.size)
                        }
                        rawReads += 1
                        if Self.uniform(&m) == nil { rawTorn += 1 }
                    }
                }
                results.add(reads: reads, torn: torn, backwards: backwards, retries: retries, rawReads: rawReads, rawTorn: rawTorn)
                group.leave()
            }.start()
        }
        var m = WorkerMetrics()
        for v in 1...publishes {
            Self.fill(&m, v)
            slot.publish(m)
        }
        stop.set()
        group.wait()
        var last = slot.read()
        XCTAssertEqual(Self.uniform(&last), publishes)
        let r = results.snapshot()
        print("seqlock: \(publishes) publications of \(MemoryLayout<WorkerMetrics>.size) bytes; \(r.reads) checked reads by \(readers) readers, "
              + "\(r.torn) torn, \(r.backwards) backwards, \(r.retries) retries; control without the check: \(r.rawTorn) torn of \(r.rawReads)")
        XCTAssertGreaterThan(r.reads, 0)
        XCTAssertEqual(r.torn, 0)
        XCTAssertEqual(r.backwards, 0)
    }

    /// The cost of a publication (the worker's side) and of a read (the scraper's).
    func testPublishCost() {
        let slot = MetricsSlot()
        var m = WorkerMetrics()
        m.flowsCreated = 1
        let n = 100_000
        for _ in 0..<1000 { slot.publish(m) }
        let t0 = MonotonicClock.nanos()
        for i in 0..<n {
            m.flowsActive = UInt64(i)
            slot.publish(m)
        }
        let t1 = MonotonicClock.nanos()
        var out = WorkerMetrics()
        for _ in 0..<n { slot.readInto(&out) }
        let t2 = MonotonicClock.nanos()
        XCTAssertEqual(out.flowsActive, UInt64(n - 1))
        let publish = Double(t1 - t0) / Double(n), read = Double(t2 - t1) / Double(n)
        print(String(format: "publish: %.0f ns per publication of %d bytes (%.4f%% of a core at one per 100 ms); read: %.0f ns",
                     publish, MemoryLayout<WorkerMetrics>.size, publish / 1e8 * 100, read))
    }
}

/// A flag one thread sets and others poll.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

/// The readers' tallies.
final class ResultBox: @unchecked Sendable {
    struct Tally { var reads = 0, torn = 0, backwards = 0, retries = 0, rawReads = 0, rawTorn = 0 }
    private let lock = NSLock()
    private var t = Tally()
    func add(reads: Int, torn: Int, backwards: Int, retries: Int, rawReads: Int, rawTorn: Int) {
        lock.lock()
        t.reads += reads; t.torn += torn; t.backwards += backwards; t.retries += retries
        t.rawReads += rawReads; t.rawTorn += rawTorn
        lock.unlock()
    }
    func snapshot() -> Tally { lock.lock(); defer { lock.unlock() }; return t }
}
