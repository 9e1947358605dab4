import XCTest
@testable import HTTP2

/// Issue 18: every stream whose response HEADERS went by keeps its `:status`, whatever shape
/// the response block takes (the suspected ways of losing it, each on its own stream).
final class ResponseStatusTests: XCTestCase {
    func run(_ flow: [(Bool, [UInt8])], piece: Int) -> [String] {
        var p = HTTP2Parser()
        var s = RecordingSink()
        for (d, b) in flow {
            var at = 0
            while at < b.count {
                let end = min(b.count, at + piece)
                b[at..<end].withUnsafeBytes { p.feed($0, toServer: d, sink: &s) }
                at = end
            }
        }
        p.finish(sink: &s)
        return s.events.filter { $0.hasPrefix("end ") }.map { $0.split(separator: " ").prefix(5).joined(separator: " ") }
    }

    func testStatusSurvivesEveryResponseBlockShape() {
        let request: (UInt32) -> [UInt8] = { H2.frame(1, 0x5, $0, [0x82, 0x86, 0x84] + H2.literal(":authority", "x")) }
        let client = H2.preface + H2.settings([]) + [1, 3, 5, 7, 9, 11, 13].flatMap(request)
        var server = H2.settings([])
        // 1: the status in a CONTINUATION after a HEADERS without END_HEADERS, then a body.
        server += H2.frame(1, 0x0, 1, H2.literal("server", "a")) + H2.frame(9, 0x4, 1, [0x88]) + H2.frame(0, 1, 1, [1])
        // 3: a trailers-only response (status and grpc-status in one END_STREAM block).
        server += H2.frame(1, 0x5, 3, [0x88] + H2.literal("grpc-status", "0"))
        // 5: an informational 103 before the final 204 (the final one is reported).
        server += H2.frame(1, 0x4, 5, H2.literal(":status", "103")) + H2.frame(1, 0x5, 5, [0x89])
        // 7 and 9: a status put in the dynamic table, then sent by index.
        server += H2.frame(1, 0x5, 7, H2.indexed(":status", "202")) + H2.frame(1, 0x5, 9, [0xbe])
        // 11: PADDED and PRIORITY on the response HEADERS.
        server += H2.frame(1, 0x5 | 0x8 | 0x20, 11, [2, 0, 0, 0, 0, 15, 0x8d, 0, 0])
        // 13: answered out of order, after the others, the request having ended long before.
        server += H2.frame(1, 0x5, 13, [0x8c])
        let want = ["end 1 GET / 200", "end 3 GET / 200", "end 5 GET / 204", "end 7 GET / 202", "end 9 GET / 202",
                    "end 11 GET / 404", "end 13 GET / 400"]
        XCTAssertEqual(run([(true, client), (false, server)], piece: Int.max), want)
        XCTAssertEqual(run([(true, client), (false, server)], piece: 1), want)
        XCTAssertEqual(run([(true, client), (false, server)], piece: 7), want)
    }

    /// The client allows a 64 KiB table and the server's encoder moves to 16 KiB: statuses it
    /// then indexes keep coming (the storage is 4 KiB; the bigger maximum used to lose the
    /// server's HPACK for good, and every later stream its status).
    func testStatusesAfterTheServerGrowsItsTable() {
        let request: (UInt32) -> [UInt8] = { H2.frame(1, 0x5, $0, [0x82, 0x86, 0x84] + H2.literal(":authority", "x")) }
        let client = H2.preface + H2.settings([(1, 65536)]) + [1, 3, 5].flatMap(request)
        var server = H2.settings([]) + H2.frame(4, 1, 0, [])
        server += H2.frame(1, 0x5, 1, H2.integer(16384, prefix: 5, first: 0x20) + H2.indexed(":status", "202"))
        server += H2.frame(1, 0x5, 3, [0xbe]) + H2.frame(1, 0x5, 5, [0xbe])
        let want = ["end 1 GET / 202", "end 3 GET / 202", "end 5 GET / 202"]
        XCTAssertEqual(run([(true, client), (false, server)], piece: Int.max), want)
        XCTAssertEqual(run([(true, client), (false, server)], piece: 1), want)
    }
}
