import XCTest
@testable import Stream

/// Memory limits of StreamReassembler: the per-flow cap and an exhausted pool. Out-of-order
/// bytes that do not fit make the stream give up its oldest hole as a gap and move on; what
/// is delivered plus the gaps must always add up to the sequence space covered.
final class StreamLimitTests: XCTestCase {
    /// The delivered bytes sit at their original positions and gaps cover exactly the rest.
    func assertConsistent(_ sink: TestSink, _ st: StreamDirectionState, original: [UInt8], start: UInt32,
                          file: StaticString = #filePath, line: UInt = #line) {
        let stream = sink.stream()
        XCTAssertEqual(stream.count, Seq.diff(start, st.nextSeq), "delivered + gaps = sequence space", file: file, line: line)
        XCTAssertEqual(UInt64(stream.count), st.delivered + st.gapBytes, file: file, line: line)
        for (i, b) in stream.enumerated() where b != nil && i < original.count {
            if b != original[i] { return XCTFail("byte \(i) is \(b!) not \(original[i])", file: file, line: line) }
        }
    }

    func testPerFlowCapGivesUpOldestHoleAndContinues() {
        var r = StreamReassembler(config: .with { $0.chunkSize = 1024; $0.perFlowBytes = 4096 })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        let data = randomBytes(6100, seed: 7)
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        // Bytes 0..<100 are lost; 100..<4100 fill 4,000 of the 4,096-byte cap.
        r.feed(&st, data, 100..<2100, start: 1, sink: &sink)
        r.feed(&st, data, 2100..<4100, start: 1, sink: &sink)
        XCTAssertEqual(st.oooBytes, 4000)
        XCTAssertEqual(r.counters.flowCapDrops, 0)
        // The next segment does not fit: the hole becomes a gap and the stream moves on.
        r.feed(&st, data, 4100..<6100, start: 1, sink: &sink)
        // The cap was hit; giving up the hole made room, so nothing was finally dropped.
        XCTAssertEqual(r.counters.flowCapHits, 1)
        XCTAssertEqual(r.counters.flowCapDrops, 0)
        XCTAssertEqual(r.counters.poolDrops, 0)
        XCTAssertEqual(sink.gaps(), [100])
        XCTAssertEqual(sink.bytes(), Array(data[100...]), "once the hole is given up everything buffered and new is delivered")
        XCTAssertEqual(st.nextSeq, 6101)
        XCTAssertEqual(st.oooBytes, 0)
        XCTAssertEqual(r.freeNodes, initialFree)
        assertConsistent(sink, st, original: data, start: 1)
    }

    func testPerFlowCapDropsWhatStillDoesNotFit() {
        var r = StreamReassembler(config: .with { $0.chunkSize = 1024; $0.perFlowBytes = 4096 })
        var st = StreamDirectionState()
        var sink = TestSink()
        let data = randomBytes(5300, seed: 8)
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        // Holes at 0..<100 and 200..<300; 3,900 bytes buffered after the second one.
        r.feed(&st, data, 100..<200, start: 1, sink: &sink)
        r.feed(&st, data, 300..<4200, start: 1, sink: &sink)
        XCTAssertEqual(st.oooBytes, 4000)
        // 4300..<5300 does not fit even after the first hole is given up: those 1,000 bytes are lost.
        r.feed(&st, data, 4300..<5300, start: 1, sink: &sink)
        XCTAssertEqual(sink.events(), [.gap(100), .data(Array(data[100..<200]))])
        XCTAssertEqual(st.oooBytes, 3900)
        XCTAssertEqual(r.counters.flowCapDrops, 1000, "1,000 bytes were dropped, each counted once")
        // The rest comes out with the remaining holes as gaps; the peer's ACK covers the lost tail.
        r.flush(&st, sink: &sink)
        r.ack(&st, 5301, sink: &sink)
        XCTAssertEqual(sink.gaps(), [100, 100, 1100])
        XCTAssertEqual(sink.bytes(), Array(data[100..<200]) + Array(data[300..<4200]))
        XCTAssertEqual(st.nextSeq, 5301)
        assertConsistent(sink, st, original: data, start: 1)
    }

    func testSegmentLargerThanCapSkipsToItsOwnBufferedHead() {
        var r = StreamReassembler(config: .with { $0.chunkSize = 512; $0.perFlowBytes = 1024 })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        let data = randomBytes(3000, seed: 9)
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        // Its first 1,024 bytes fit; then the hole before them is given up and the rest follows in order.
        r.feed(&st, data, 10..<3000, start: 1, sink: &sink)
        XCTAssertEqual(r.counters.flowCapHits, 1)
        XCTAssertEqual(r.counters.flowCapDrops, 0)
        XCTAssertEqual(sink.gaps(), [10])
        XCTAssertEqual(sink.bytes(), Array(data[10...]))
        XCTAssertEqual(r.freeNodes, initialFree)
        assertConsistent(sink, st, original: data, start: 1)
    }

    func testOutOfOrderBytesOverCapWithNothingBufferedAreDropped() {
        var r = StreamReassembler(config: .with { $0.chunkSize = 512; $0.perFlowBytes = 100 })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 51, randomBytes(200, seed: 12), sink: &sink)
        XCTAssertEqual(r.counters.flowCapDrops, 200)
        XCTAssertEqual(st.oooBytes, 0)
        XCTAssertEqual(r.freeNodes, initialFree)
        XCTAssertEqual(sink.events(), [])
        XCTAssertEqual(st.nextSeq, 1, "nothing to give up: the stream waits for the hole")
    }

    func testPoolExhaustionGivesUpOldestHole() {
        // Four 256-byte nodes in the whole pool.
        var r = StreamReassembler(config: .with { $0.chunkSize = 256; $0.poolBytes = 1024 })
        XCTAssertEqual(r.freeNodes, 4)
        var st = StreamDirectionState()
        var sink = TestSink()
        let data = randomBytes(1300, seed: 10)
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, data, 100..<356, start: 1, sink: &sink)     // 1 node
        r.feed(&st, data, 400..<1168, start: 1, sink: &sink)    // 3 nodes
        XCTAssertEqual(r.freeNodes, 0)
        r.feed(&st, data, 1200..<1300, start: 1, sink: &sink)   // no node left
        XCTAssertEqual(r.counters.poolHits, 1)
        XCTAssertEqual(r.counters.poolDrops, 0)
        XCTAssertEqual(r.counters.flowCapDrops, 0)
        XCTAssertEqual(sink.events(), [.gap(100), .data(Array(data[100..<356]))])
        XCTAssertEqual(r.freeNodes, 0, "the node freed by giving up the hole now holds the new segment")
        r.flush(&st, sink: &sink)
        XCTAssertEqual(sink.gaps(), [100, 44, 32])
        XCTAssertEqual(sink.bytes(), Array(data[100..<356]) + Array(data[400..<1168]) + Array(data[1200..<1300]))
        XCTAssertEqual(r.freeNodes, 4)
        assertConsistent(sink, st, original: data, start: 1)
    }

    func testPoolExhaustedByAnotherFlow() {
        var r = StreamReassembler(config: .with { $0.chunkSize = 256; $0.poolBytes = 1024 })
        var a = StreamDirectionState(), b = StreamDirectionState()
        var sink = TestSink()
        r.feed(&a, seq: 0, flags: Flags.syn, sink: &sink, flow: 1)
        r.feed(&b, seq: 0, flags: Flags.syn, sink: &sink, flow: 2)
        r.feed(&a, seq: 11, randomBytes(1024, seed: 11), sink: &sink, flow: 1)
        XCTAssertEqual(r.freeNodes, 0)
        // Flow 2 has nothing of its own to give up: its out-of-order bytes are dropped.
        r.feed(&b, seq: 11, [1, 2, 3], sink: &sink, flow: 2)
        XCTAssertEqual(r.counters.poolDrops, 3)
        XCTAssertEqual(b.oooBytes, 0)
        XCTAssertEqual(sink.events(2), [])
        // Once flow 1 lets go, flow 2 buffers again.
        r.release(&a)
        XCTAssertEqual(r.freeNodes, 4)
        r.feed(&b, seq: 11, [1, 2, 3], sink: &sink, flow: 2)
        XCTAssertEqual(b.oooBytes, 3)
        r.feed(&b, seq: 1, [UInt8](repeating: 0, count: 10), sink: &sink, flow: 2)
        XCTAssertEqual(sink.bytes(2), [UInt8](repeating: 0, count: 10) + [1, 2, 3])
        XCTAssertEqual(r.counters.poolDrops, 3)
    }
}
