import XCTest
@testable import HTTP2

/// Numbers in header blocks that do not fit (issue #12): HPACK integers past 2^28, indices
/// past the tables, size updates past the limits, and decimal fields of any length are
/// counted with their reason, never a trap; the other direction and the next flow go on.
final class HPACKLossTests: XCTestCase {
    /// One request header block on stream 1, then whatever `server` sends.
    func flow(request block: [UInt8], server: [UInt8] = []) -> (RecordingSink, HTTP2Parser) {
        let client = H2.preface + H2.frame(1, 0x5, 1, block)
        return runFlow([(true, client), (false, server)], piece: { $0 })
    }

    func testIntegerPastTwoToThe28IsMalformed() {
        // Index with a 7-bit prefix full and continuation bytes without end, then a sane block.
        for tail: [UInt8] in [[0xff, 0xff, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
                              [0x80, 0x80, 0x80, 0x80, 0x10]] {
            let (_, p) = flow(request: [0x82, 0xff] + tail)
            XCTAssertEqual(p.counters.hpackLost, 1, "\(tail)")
            XCTAssertEqual(p.counters.hpackMalformed, 1, "\(tail)")
            // A literal's length the same way.
            let (_, q) = flow(request: [0x00, 0x7f] + tail)
            XCTAssertEqual(q.counters.hpackMalformed, 1, "\(tail)")
        }
    }

    func testReasonsAreCounted() {
        let (_, badIndex) = flow(request: [0x82, 0xbf])               // 63: past an empty dynamic table
        XCTAssertEqual(badIndex.counters.hpackBadIndex, 1)
        let (_, badHuffman) = flow(request: [0x40, 0x81, 0xff, 0x00])  // 8 bits of padding
        XCTAssertEqual(badHuffman.counters.hpackBadHuffman, 1)
        let (_, update) = flow(request: H2.integer(1 << 27, prefix: 5, first: 0x20))
        XCTAssertEqual(update.counters.hpackBadSizeUpdates, 1)
        for p in [badIndex, badHuffman, update] { XCTAssertEqual(p.counters.hpackLost, 1) }
        let (_, fine) = flow(request: [0x82, 0x86, 0x84])
        XCTAssertEqual(fine.counters.hpackLost, 0)
        XCTAssertEqual(fine.counters.hpackMalformed + fine.counters.hpackBadIndex + fine.counters.hpackBadHuffman
                       + fine.counters.hpackBadSizeUpdates, 0)
    }

    func testDecimalFieldsOfAnyLength() {
        let request: [UInt8] = [0x82, 0x86, 0x84]
        for (status, length) in [("99999999999", "99999999999999999999999"), ("-1", "-1"), ("200", "18446744073709551616"),
                                 ("2000000000000000000", "9223372036854775807")] {
            let block = H2.literal(":status", status) + H2.literal("content-length", length)
                + H2.literal("grpc-status", length)
            let (sink, p) = flow(request: request, server: H2.frame(1, 0x5, 1, block))
            XCTAssertEqual(sink.finished.count, 1, status)
            XCTAssertEqual(p.counters.hpackLost, 0, status)
        }
    }
}
