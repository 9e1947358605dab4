import XCTest
@testable import Stream

/// In-order paths of StreamReassembler: direct delivery, SYN handling (data starts at ISN+1,
/// SYN payload), midstream pickup at the first data byte, retransmissions of delivered bytes,
/// FIN consumption, and flow/direction passed through to the sink.
final class InOrderDeliveryTests: XCTestCase {
    func testInOrderSegmentsDeliveredDirectly() {
        var r = StreamReassembler(config: .with { _ in })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 1000, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 1001, Array("hello".utf8), sink: &sink)
        r.feed(&st, seq: 1006, Array(" world".utf8), sink: &sink)
        XCTAssertEqual(sink.events(), [.data(Array("hello".utf8)), .data(Array(" world".utf8))])
        XCTAssertEqual(st.delivered, 11)
        XCTAssertEqual(st.nextSeq, 1012)
        XCTAssertEqual(r.counters.segments, 2)
        XCTAssertEqual(r.counters.outOfOrder, 0)
        XCTAssertEqual(r.freeNodes, initialFree, "in-order bytes are never copied into the pool")
    }

    func testSynSetsISNAndDataStartsAfterIt() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0x1234_5678, flags: Flags.syn, sink: &sink)
        XCTAssertTrue(st.started)
        XCTAssertTrue(st.synSeen)
        XCTAssertEqual(st.isn, 0x1234_5678)
        XCTAssertEqual(st.nextSeq, 0x1234_5679)
        // A retransmitted SYN changes nothing; a byte at the ISN itself is the SYN's, not data.
        r.feed(&st, seq: 0x1234_5678, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 0x1234_5678, [0xee], sink: &sink)
        XCTAssertEqual(sink.events(), [])
        XCTAssertEqual(r.counters.retransmissions, 1)
        r.feed(&st, seq: 0x1234_5679, [1, 2, 3], sink: &sink)
        XCTAssertEqual(sink.bytes(), [1, 2, 3])
        XCTAssertEqual(r.counters.segments, 2)
    }

    func testSynCarryingData() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 500, flags: Flags.syn, [7, 8, 9], sink: &sink)
        XCTAssertEqual(st.isn, 500)
        XCTAssertEqual(sink.bytes(), [7, 8, 9])
        XCTAssertEqual(st.nextSeq, 504)
    }

    func testMidstreamStartsAtFirstData() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 777, sink: &sink)   // a bare ACK starts nothing
        XCTAssertFalse(st.started)
        r.feed(&st, seq: 90_000, Array("abc".utf8), sink: &sink)
        XCTAssertTrue(st.started)
        XCTAssertFalse(st.synSeen)
        XCTAssertEqual(st.isn, 89_999)
        XCTAssertEqual(st.nextSeq, 90_003)
        XCTAssertEqual(sink.bytes(), Array("abc".utf8))
        // Bytes before the pickup point are history, not a hole.
        r.feed(&st, seq: 89_990, Array("0123456789".utf8), sink: &sink)
        XCTAssertEqual(r.counters.retransmissions, 1)
        r.feed(&st, seq: 90_003, Array("def".utf8), sink: &sink)
        XCTAssertEqual(sink.stream().compactMap { $0 }, Array("abcdef".utf8))
        XCTAssertEqual(sink.gaps(), [])
    }

    func testMidstreamFinOnlyStartsAndCompletesStream() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 40, flags: Flags.fin | Flags.ack, sink: &sink)
        XCTAssertTrue(st.started)
        XCTAssertTrue(st.finConsumed)
        XCTAssertEqual(st.nextSeq, 41)
    }

    func testRetransmissionCountedNotDeliveredTwice() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 1, Array("abcdef".utf8), sink: &sink)
        r.feed(&st, seq: 1, Array("abcdef".utf8), sink: &sink)
        r.feed(&st, seq: 3, Array("cd".utf8), sink: &sink)
        XCTAssertEqual(sink.bytes(), Array("abcdef".utf8))
        XCTAssertEqual(r.counters.retransmissions, 2)
        XCTAssertEqual(r.counters.overlapBytes, 8)
        XCTAssertEqual(r.counters.segments, 3)
        XCTAssertEqual(st.delivered, 6)
    }

    func testOverlapWithDeliveredBytesFirstWins() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 1, Array("AAAAAAAAAA".utf8), sink: &sink)
        r.feed(&st, seq: 6, Array("BBBBBBBBBB".utf8), sink: &sink)
        XCTAssertEqual(sink.bytes(), Array("AAAAAAAAAABBBBB".utf8), "only the new tail of the later copy is used")
        XCTAssertEqual(r.counters.overlaps, 1)
        XCTAssertEqual(r.counters.overlapBytes, 5)
        XCTAssertEqual(st.nextSeq, 16)
    }

    func testFinConsumedWhenInOrder() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 1, flags: Flags.fin | Flags.ack, [1, 2, 3], sink: &sink)
        XCTAssertTrue(st.finSeen)
        XCTAssertEqual(st.finSeq, 4)
        XCTAssertTrue(st.finConsumed)
        XCTAssertEqual(st.nextSeq, 5, "the FIN takes one sequence number")
        XCTAssertEqual(sink.bytes(), [1, 2, 3])
    }

    func testFinWaitsForMissingData() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        // The FIN (with the last bytes) arrives before the middle of the stream.
        r.feed(&st, seq: 11, flags: Flags.fin | Flags.ack, Array("xyz".utf8), sink: &sink)
        XCTAssertTrue(st.finSeen)
        XCTAssertEqual(st.finSeq, 14)
        XCTAssertFalse(st.finConsumed)
        r.feed(&st, seq: 1, Array("01234".utf8), sink: &sink)
        XCTAssertFalse(st.finConsumed, "bytes 6..<11 are still missing")
        r.feed(&st, seq: 6, Array("56789".utf8), sink: &sink)
        XCTAssertTrue(st.finConsumed)
        XCTAssertEqual(st.nextSeq, 15)
        XCTAssertEqual(sink.bytes(), Array("0123456789xyz".utf8))
    }

    func testBareFinAheadOfDataWaits() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 0, flags: Flags.syn, sink: &sink)
        r.feed(&st, seq: 4, flags: Flags.fin | Flags.ack, sink: &sink)
        XCTAssertFalse(st.finConsumed)
        r.feed(&st, seq: 1, [1, 2, 3], sink: &sink)
        XCTAssertTrue(st.finConsumed)
        XCTAssertEqual(st.nextSeq, 5)
    }

    func testFlowAndDirectionReachTheSink() {
        var r = StreamReassembler(config: .with { _ in })
        var client = StreamDirectionState(), server = StreamDirectionState()
        var sink = TestSink()
        r.feed(&client, seq: 100, [1], sink: &sink, flow: 7, direction: .toServer)
        r.feed(&server, seq: 900, [2, 2], sink: &sink, flow: 7, direction: .toClient)
        XCTAssertEqual(sink.bytes(7, .toServer), [1])
        XCTAssertEqual(sink.bytes(7, .toClient), [2, 2])
        XCTAssertEqual(sink.bytes(1, .toServer), [])
    }
}
