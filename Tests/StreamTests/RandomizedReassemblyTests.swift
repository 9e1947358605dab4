import SluiceTestSupport
import XCTest
@testable import Stream

/// A 100 KB stream cut into random segments, shuffled, with duplicates and overlapping re-sends
/// of the same bytes, must come out exactly as sent, with no gaps, whatever the order, the
/// node size or where the sequence numbers wrap. Under tight memory limits the stream may have
/// gaps, but every delivered byte must sit at its original position.
final class RandomizedReassemblyTests: XCTestCase {
    func run(seed: UInt64, isn: UInt32, chunkSize: Int, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SplitMix(state: seed)
        let data = randomBytes(100_000, seed: seed ^ 0xabcdef)
        var segments: [Range<Int>] = []
        var at = 0
        while at < data.count {
            let n = min(Int.random(in: 1...3000, using: &rng), data.count - at)
            segments.append(at..<at + n)
            at += n
        }
        // Duplicates, and re-sends spanning segment boundaries (same bytes, different cuts).
        var sends = segments
        for s in segments where Int.random(in: 0..<10, using: &rng) == 0 { sends.append(s) }
        for _ in 0..<(segments.count / 4) {
            let lo = Int.random(in: 0..<data.count, using: &rng)
            sends.append(lo..<min(data.count, lo + Int.random(in: 1...4000, using: &rng)))
        }
        sends.shuffle(using: &rng)

        var r = StreamReassembler(config: .with { $0.chunkSize = chunkSize; $0.poolBytes = 4 << 20 })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        let start = isn &+ 1
        r.feed(&st, seq: isn, flags: Flags.syn, sink: &sink)
        let finAt = Int.random(in: 0...sends.count, using: &rng)
        for (i, s) in sends.enumerated() {
            if i == finAt { r.feed(&st, seq: start &+ UInt32(data.count), flags: Flags.fin | Flags.ack, sink: &sink) }
            r.feed(&st, data, s, start: start, sink: &sink)
        }
        if finAt == sends.count { r.feed(&st, seq: start &+ UInt32(data.count), flags: Flags.fin | Flags.ack, sink: &sink) }
        XCTAssertTrue(st.finConsumed, "every byte before the FIN arrived", file: file, line: line)
        r.flush(&st, sink: &sink)

        XCTAssertEqual(sink.gaps(), [], file: file, line: line)
        XCTAssertTrue(sink.bytes() == data, "delivered stream differs from the original", file: file, line: line)
        XCTAssertEqual(st.delivered, UInt64(data.count), file: file, line: line)
        XCTAssertEqual(st.nextSeq, start &+ UInt32(data.count) &+ 1, file: file, line: line)
        XCTAssertEqual(r.counters.gaps, 0, file: file, line: line)
        XCTAssertEqual(r.counters.flowCapDrops + r.counters.poolDrops, 0, file: file, line: line)
        XCTAssertEqual(r.counters.segments, UInt64(sends.count), file: file, line: line)
        XCTAssertGreaterThan(r.counters.outOfOrder, 0, file: file, line: line)
        XCTAssertEqual(r.freeNodes, initialFree, file: file, line: line)
        XCTAssertEqual(st.oooBytes, 0, file: file, line: line)
    }

    func testShuffledSegmentsReassembleExactly() {
        run(seed: 1, isn: 1000, chunkSize: 2048)
        run(seed: 2, isn: 0x8000_0000, chunkSize: 2048)
    }

    func testShuffledSegmentsAcrossSequenceWrap() {
        run(seed: 3, isn: 0xffff_fff0, chunkSize: 2048)
        run(seed: 4, isn: 0xffff_0000, chunkSize: 2048)
    }

    func testShuffledSegmentsWithSmallNodes() {
        run(seed: 5, isn: 77, chunkSize: 64)
        run(seed: 6, isn: 0xffff_ffff, chunkSize: 300)
    }

    func testTightLimitsKeepDeliveredBytesInPlace() {
        for (seed, perFlow, pool) in [(7, 8 << 10, 1 << 20), (8, 1 << 20, 16 << 10), (9, 3000, 6000)] as [(UInt64, Int, Int)] {
            var rng = SplitMix(state: seed)
            let data = randomBytes(100_000, seed: seed)
            var sends: [Range<Int>] = []
            var at = 0
            while at < data.count {
                let n = min(Int.random(in: 1...3000, using: &rng), data.count - at)
                sends.append(at..<at + n)
                at += n
            }
            sends += sends.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 }
            sends.shuffle(using: &rng)
            var r = StreamReassembler(config: .with { $0.chunkSize = 512; $0.perFlowBytes = perFlow; $0.poolBytes = pool })
            let initialFree = r.freeNodes
            var st = StreamDirectionState()
            var sink = TestSink()
            let start: UInt32 = 0xffff_8000
            r.feed(&st, seq: start &- 1, flags: Flags.syn, sink: &sink)
            for s in sends { r.feed(&st, data, s, start: start, sink: &sink) }
            r.flush(&st, sink: &sink)
            r.ack(&st, start &+ UInt32(data.count), sink: &sink)   // the peer saw everything

            let stream = sink.stream()
            XCTAssertEqual(stream.count, data.count, "seed \(seed): delivered + gaps cover the stream exactly")
            let misplaced = zip(stream, data).filter { $0.0 != nil && $0.0 != $0.1 }.count
            XCTAssertEqual(misplaced, 0, "seed \(seed)")
            XCTAssertEqual(st.delivered + st.gapBytes, UInt64(data.count), "seed \(seed)")
            XCTAssertEqual(r.counters.gapBytes, st.gapBytes, "seed \(seed)")
            XCTAssertGreaterThan(r.counters.flowCapDrops + r.counters.poolDrops, 0, "seed \(seed): the limits were reached")
            XCTAssertGreaterThan(st.delivered, 0, "seed \(seed)")
            XCTAssertEqual(r.freeNodes, initialFree, "seed \(seed)")
        }
    }
}
