import XCTest
@testable import Stream

/// Out-of-order paths of StreamReassembler: buffering and release when the hole fills,
/// first-wins overlaps against buffered bytes, gaps from acknowledgements and from `flush`,
/// sequence-number wraparound, segments larger than a pool node, and `release`.
final class OutOfOrderTests: XCTestCase {
    func testOutOfOrderBufferedAndReleasedWhenHoleFills() {
        var r = StreamReassembler(config: .with { _ in })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 11, Array("KLMNO".utf8), sink: &sink)
        r.feed(&st, seq: 6, Array("FGHIJ".utf8), sink: &sink)
        XCTAssertEqual(sink.events(), [])
        XCTAssertEqual(r.counters.outOfOrder, 2)
        XCTAssertEqual(st.oooBytes, 10)
        XCTAssertEqual(r.freeNodes, initialFree - 2)
        r.feed(&st, seq: 1, Array("ABCDE".utf8), sink: &sink)
        XCTAssertEqual(sink.bytes(), Array("ABCDEFGHIJKLMNO".utf8))
        XCTAssertEqual(sink.gaps(), [])
        XCTAssertEqual(st.nextSeq, 16)
        XCTAssertEqual(st.oooBytes, 0)
        XCTAssertEqual(st.oooHead, 0)
        XCTAssertEqual(st.delivered, 15)
        XCTAssertEqual(r.freeNodes, initialFree)
    }

    func testRetransmittedOutOfOrderSegmentKeptOnce() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 6, Array("world".utf8), sink: &sink)
        r.feed(&st, seq: 6, Array("world".utf8), sink: &sink)
        XCTAssertEqual(st.oooBytes, 5)
        XCTAssertEqual(r.counters.overlapBytes, 5)
        r.feed(&st, seq: 1, Array("hello".utf8), sink: &sink)
        XCTAssertEqual(sink.bytes(), Array("helloworld".utf8))
    }

    func testOverlapWithBufferedBytesFirstWins() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 6, Array("XXXXX".utf8), sink: &sink)          // [6, 11) buffered first
        r.feed(&st, seq: 9, Array("YYYYYY".utf8), sink: &sink)         // [9, 15): only [11, 15) is new
        XCTAssertEqual(st.oooBytes, 9)
        XCTAssertEqual(r.counters.overlaps, 1)
        XCTAssertEqual(r.counters.overlapBytes, 2)
        // An in-order segment covering the buffered range: its copy of [6, 15) loses.
        r.feed(&st, seq: 1, Array("aaaaaaaaaaaaaaaa".utf8), sink: &sink)  // [1, 17)
        XCTAssertEqual(sink.bytes(), Array("aaaaaXXXXXYYYYaa".utf8))
        XCTAssertEqual(st.nextSeq, 17)
        XCTAssertEqual(st.oooBytes, 0)
    }

    func testLaterSegmentFillsOnlyHolesBetweenBufferedNodes() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 5, Array("BB".utf8), sink: &sink)      // [5, 7)
        r.feed(&st, seq: 9, Array("DD".utf8), sink: &sink)      // [9, 11)
        r.feed(&st, seq: 3, Array("zzzzzzzzzz".utf8), sink: &sink)  // [3, 13) spans both and the holes
        r.feed(&st, seq: 1, Array("AA".utf8), sink: &sink)
        XCTAssertEqual(sink.bytes(), Array("AAzzBBzzDDzz".utf8))
        XCTAssertEqual(sink.gaps(), [])
    }

    func testAcknowledgementPastMissingDataReportsGap() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 11, Array("later".utf8), sink: &sink)
        r.ack(&st, 11, sink: &sink)
        XCTAssertEqual(sink.events(), [.gap(10), .data(Array("later".utf8))])
        XCTAssertEqual(st.nextSeq, 16)
        XCTAssertEqual(st.gapBytes, 10)
        XCTAssertEqual(r.counters.gaps, 1)
        XCTAssertEqual(r.counters.gapBytes, 10)
        // Acknowledging what was delivered, or less, changes nothing.
        r.ack(&st, 16, sink: &sink)
        r.ack(&st, 3, sink: &sink)
        XCTAssertEqual(sink.events().count, 2)
        // Acknowledged bytes never seen at all become a gap too.
        r.ack(&st, 40, sink: &sink)
        XCTAssertEqual(sink.events().last, .gap(24))
        XCTAssertEqual(st.nextSeq, 40)
    }

    func testAcknowledgementStopsAtBufferedData() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 11, Array("later".utf8), sink: &sink)
        r.ack(&st, 8, sink: &sink)
        XCTAssertEqual(sink.events(), [.gap(7)], "only the acknowledged part of the hole is given up")
        r.feed(&st, seq: 8, Array("abc".utf8), sink: &sink)
        XCTAssertEqual(sink.events(), [.gap(7), .data(Array("abc".utf8)), .data(Array("later".utf8))])
    }

    func testAcknowledgementPastSeveralHolesReportsThemAll() {
        // Buffered [11, 21) and [31, 41); the peer acknowledges 51, so every byte below 51 was
        // received by it: the three holes [1, 11), [21, 31) and [41, 51) are all capture loss.
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 11, [UInt8](repeating: 1, count: 10), sink: &sink)
        r.feed(&st, seq: 31, [UInt8](repeating: 3, count: 10), sink: &sink)
        r.ack(&st, 51, sink: &sink)
        XCTAssertEqual(sink.events(), [.gap(10), .data([UInt8](repeating: 1, count: 10)),
                                       .gap(10), .data([UInt8](repeating: 3, count: 10)), .gap(10)])
        XCTAssertEqual(st.nextSeq, 51)
        XCTAssertEqual(st.oooHead, 0)
    }

    func testAcknowledgementLimitedByFin() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 11, flags: Flags.fin | Flags.ack, sink: &sink)
        r.ack(&st, 12, sink: &sink)   // the FIN itself is acknowledged
        XCTAssertEqual(sink.events(), [.gap(10)])
        XCTAssertTrue(st.finConsumed)
        XCTAssertEqual(st.nextSeq, 12)
        r.ack(&st, 100, sink: &sink)
        XCTAssertEqual(sink.events(), [.gap(10)], "nothing follows a consumed FIN")
    }

    func testAcknowledgementBeforeStartIsIgnored() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.ack(&st, 12345, sink: &sink)
        XCTAssertEqual(sink.events(), [])
        XCTAssertFalse(st.started)
    }

    func testFlushReportsHolesThenDelivers() {
        var r = StreamReassembler(config: .with { _ in })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 21, Array("CCCCC".utf8), sink: &sink)
        r.feed(&st, seq: 11, Array("BBBBB".utf8), sink: &sink)
        r.feed(&st, seq: 26, flags: Flags.fin | Flags.ack, sink: &sink)
        r.flush(&st, sink: &sink)
        XCTAssertEqual(sink.events(), [.gap(10), .data(Array("BBBBB".utf8)), .gap(5), .data(Array("CCCCC".utf8))])
        XCTAssertEqual(st.nextSeq, 27)
        XCTAssertTrue(st.finConsumed)
        XCTAssertEqual(st.gapBytes, 15)
        XCTAssertEqual(r.counters.gaps, 2)
        XCTAssertEqual(r.freeNodes, initialFree)
        XCTAssertEqual(st.oooHead, 0)
        // Flushing again finds nothing to do.
        r.flush(&st, sink: &sink)
        XCTAssertEqual(sink.events().count, 4)
    }

    func testSequenceWraparoundWithOutOfOrder() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        let isn: UInt32 = 0xffff_fff0
        let data = (0..<64).map { UInt8($0) }
        let start = isn &+ 1               // byte 15 has sequence number 0
        r.feed(&st, seq: isn, flags: Flags.syn, sink: &sink)
        r.feed(&st, data, 30..<50, start: start, sink: &sink)
        r.feed(&st, data, 10..<30, start: start, sink: &sink)     // straddles the wrap
        r.feed(&st, data, 50..<64, start: start, sink: &sink)
        r.feed(&st, data, 12..<20, start: start, sink: &sink)     // duplicate across the wrap
        XCTAssertEqual(sink.events(), [])
        XCTAssertEqual(st.oooBytes, 54)
        r.feed(&st, data, 0..<10, start: start, sink: &sink)
        XCTAssertEqual(sink.bytes(), data)
        XCTAssertEqual(st.nextSeq, start &+ 64)
        XCTAssertEqual(st.nextSeq, 0x31)
        XCTAssertEqual(st.oooBytes, 0)
        // A gap across the wrap from an acknowledgement.
        var st2 = StreamDirectionState()
        var sink2 = TestSink()
        r.feed(&st2, seq: 0xffff_fffa, flags: Flags.syn, sink: &sink2)
        r.feed(&st2, seq: 5, [9, 9], sink: &sink2)
        r.ack(&st2, 7, sink: &sink2)
        XCTAssertEqual(sink2.events(), [.gap(10), .data([9, 9])])
    }

    func testSegmentLargerThanChunkBufferedAndDrained() {
        var r = StreamReassembler(config: .with { $0.chunkSize = 2048 })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        let data = randomBytes(1000 + 65536 + 3000, seed: 64)
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        // A 64 KB GRO aggregate ahead of the stream spans 32 nodes.
        r.feed(&st, data, 1000..<(1000 + 65536), start: 1, sink: &sink)
        XCTAssertEqual(r.freeNodes, initialFree - 32)
        XCTAssertEqual(st.oooBytes, 65536)
        // Another large segment overlapping its tail and beyond.
        r.feed(&st, data, 60000..<data.count, start: 1, sink: &sink)
        XCTAssertEqual(st.oooBytes, UInt32(data.count - 1000))
        r.feed(&st, data, 0..<1000, start: 1, sink: &sink)
        XCTAssertEqual(sink.bytes(), data)
        XCTAssertEqual(r.freeNodes, initialFree)
        // An in-order aggregate goes straight through.
        let more = randomBytes(70000, seed: 65)
        r.feed(&st, seq: st.nextSeq, more, sink: &sink)
        XCTAssertEqual(sink.bytes(), data + more)
        XCTAssertEqual(r.freeNodes, initialFree)
    }

    func testReleaseReturnsNodes() {
        var r = StreamReassembler(config: .with { $0.chunkSize = 256 })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 101, randomBytes(1000, seed: 1), sink: &sink)
        r.feed(&st, seq: 2001, randomBytes(300, seed: 2), sink: &sink)
        XCTAssertEqual(r.freeNodes, initialFree - 4 - 2)
        r.release(&st)
        XCTAssertEqual(r.freeNodes, initialFree)
        XCTAssertEqual(st.oooHead, 0)
        XCTAssertEqual(st.oooBytes, 0)
        XCTAssertEqual(sink.events(), [], "released bytes are not delivered")
        // The freed nodes serve the next flow.
        var other = StreamDirectionState()
        r.feed(&other, seq: 0, flags: Flags.syn, sink: &sink, flow: 2)
        r.feed(&other, seq: 50, [1, 2, 3], sink: &sink, flow: 2)
        r.feed(&other, seq: 1, [UInt8](repeating: 0, count: 49), sink: &sink, flow: 2)
        XCTAssertEqual(sink.bytes(2), [UInt8](repeating: 0, count: 49) + [1, 2, 3])
        XCTAssertEqual(r.freeNodes, initialFree)
    }
}
