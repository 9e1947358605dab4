import CHyperscan
import Glibc
import PatternMatch
import Synchronization
import XCTest

// Hyperscan's own allocations go through hs_set_allocator, so routing them through a
// counting forwarder shows whether a scan, reset or open allocates. Swift-side allocations
// (closure contexts, boxes) are not seen here: counting those needs CAllocCounter linked into
// this test target (a Package.swift change), and the runtime's `_swift_allocObject` hook
// crashed XCTest when tried, so it is not used.
private let hsAllocs = Atomic<Int>(0)

/// Runs `body` with Hyperscan's allocator counting and returns how many allocations it made.
private func countHyperscanAllocations(_ body: () throws -> Void) rethrows -> Int {
    hs_set_allocator({ size in hsAllocs.add(1, ordering: .relaxed); return malloc(size) }, { free($0) })
    defer { hs_set_allocator(nil, nil) }
    let h0 = hsAllocs.load(ordering: .relaxed)
    try body()
    return hsAllocs.load(ordering: .relaxed) - h0
}

final class AllocationTests: XCTestCase {
    func testBlockScanDoesNotAllocate() throws {
        let db = try HyperscanDatabase.compile([Pattern(id: 1, expression: "secret[0-9]+"),
                                                Pattern(id: 2, expression: "AKIA[0-9A-Z]{16}")], mode: .block)
        let scratch = try HyperscanScratch(for: db)
        let payload = Array("x secret123 y AKIAABCDEFGHIJKLMNOP z".utf8)
        var total = 0
        try payload.withUnsafeBytes { buf in
            try db.scan(buf, scratch: scratch) { _, _, _ in true } // warm-up
            let n = try countHyperscanAllocations {
                for _ in 0..<1000 { try db.scan(buf, scratch: scratch) { id, _, _ in total &+= Int(id); return true } }
            }
            XCTAssertEqual(n, 0)
        }
        XCTAssertEqual(total, 5000) // secret1, secret12, secret123 (every end), AKIA... = 1+1+1+2
    }

    func testStreamScanAndPoolResetDoNotAllocate() throws {
        let db = try HyperscanDatabase.compile([Pattern(id: 1, expression: "secret[0-9]+end")], mode: .stream)
        let scratch = try HyperscanScratch(for: db)
        let pool = try HyperscanStreamPool(database: db, capacity: 4)
        let a = Array("x secr".utf8), b = Array("et123end y".utf8)
        var total = 0
        let n = try countHyperscanAllocations {
            for _ in 0..<500 {
                guard let s = pool.acquire() else { return XCTFail("pool empty") }
                try a.withUnsafeBytes { _ = try s.scan($0, scratch: scratch) { _, _, _ in total += 1; return true } }
                try b.withUnsafeBytes { _ = try s.scan($0, scratch: scratch) { _, _, _ in total += 1; return true } }
                try pool.release(s, scratch: scratch) { _, _, _ in true }
            }
        }
        XCTAssertEqual(total, 500)
        XCTAssertEqual(n, 0, "hs_scan_stream or hs_reset_stream allocated")
        // hs_open_stream does allocate, which is why the pool exists.
        let opened = try countHyperscanAllocations { try HyperscanStream.open(db).close() }
        XCTAssertGreaterThan(opened, 0)
    }
}

