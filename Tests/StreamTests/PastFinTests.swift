import XCTest
@testable import Stream

/// Nothing follows a FIN: bytes a sender puts past it are discarded and counted, whether they
/// arrive after the FIN or were buffered before it (the stream fuzzer found them delivered in
/// place of the FIN's sequence number, with no gap reported).
final class PastFinTests: XCTestCase {
    func testBytesAfterAConsumedFinAreDiscarded() {
        var r = StreamReassembler(config: .with { _ in })
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 100, flags: Flags.fin | Flags.ack, Array("abcd".utf8), sink: &sink)
        XCTAssertTrue(st.finConsumed)
        // A second copy of the FIN segment, longer: the first four bytes are old, the rest lie past the FIN.
        r.feed(&st, seq: 100, flags: Flags.fin | Flags.ack, Array("abcdefgh".utf8), sink: &sink)
        XCTAssertEqual(sink.events(), [.data(Array("abcd".utf8))])
        XCTAssertEqual(r.counters.pastFinBytes, 4)
        XCTAssertEqual(st.nextSeq, 105)
    }

    func testBufferedBytesPastALaterFinAreDropped() {
        var r = StreamReassembler(config: .with { $0.chunkSize = 64 })
        let initialFree = r.freeNodes
        var st = StreamDirectionState()
        var sink = TestSink()
        r.feed(&st, seq: 99, flags: Flags.syn, sink: &sink)
        // Bytes 110..<120 arrive ahead, then a FIN at 104 says the stream ended before them.
        r.feed(&st, seq: 110, Array("0123456789".utf8), sink: &sink)
        r.feed(&st, seq: 104, flags: Flags.fin | Flags.ack, sink: &sink)
        XCTAssertEqual(r.counters.pastFinBytes, 10)
        XCTAssertEqual(st.oooBytes, 0)
        r.feed(&st, seq: 100, Array("wxyz".utf8), sink: &sink)
        XCTAssertEqual(sink.events(), [.data(Array("wxyz".utf8))])
        XCTAssertTrue(st.finConsumed)
        XCTAssertEqual(r.freeNodes, initialFree)
    }
}
