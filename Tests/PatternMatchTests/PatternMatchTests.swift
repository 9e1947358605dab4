import Foundation
import PatternMatch
import XCTest

/// One reported match, for comparing scans.
struct Hit: Equatable { var id: UInt32; var from: UInt64; var to: UInt64 }

func blockHits(_ db: HyperscanDatabase, _ text: String, _ scratch: HyperscanScratch) throws -> [Hit] {
    var hits: [Hit] = []
    _ = try Array(text.utf8).withUnsafeBytes { buf in
        try db.scan(buf, scratch: scratch) { id, from, to in hits.append(Hit(id: id, from: from, to: to)); return true }
    }
    return hits
}

final class PatternMatchTests: XCTestCase {
    let patterns = [
        Pattern(id: 7, expression: "union\\s+select", flags: [.caseless, .leftmostStart]),
        Pattern(id: 9, expression: "\\.\\./\\.\\./", flags: [.singleMatch]),
    ]

    func testBlockMatchesWithIdsOffsetsAndCaseless() throws {
        let db = try HyperscanDatabase.compile(patterns, mode: .block)
        let scratch = try HyperscanScratch(for: db)
        let hits = try blockHits(db, "id=1 UNION  SeLeCt x ../../../etc", scratch)
        // "UNION  SeLeCt" starts at 5, ends at 18; "../../" starts at 21 and ends at 27 (once: singleMatch).
        XCTAssertEqual(hits, [Hit(id: 7, from: 5, to: 18), Hit(id: 9, from: 0, to: 27)])
        XCTAssertEqual(try blockHits(db, "nothing here", scratch), [])
        XCTAssertNil(db.streamSize)
    }

    func testCompileErrorNamesPattern() {
        let bad = [Pattern(id: 1, expression: "ok"), Pattern(id: 42, expression: "a(b")]
        XCTAssertThrowsError(try HyperscanDatabase.compile(bad, mode: .block)) { error in
            guard case let HyperscanError.compile(id, expression, message) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(id, 42)
            XCTAssertEqual(expression, "a(b")
            XCTAssertFalse(message.isEmpty)
            XCTAssertTrue("\(error)".contains("42") && "\(error)".contains("a(b"))
        }
        XCTAssertThrowsError(try HyperscanDatabase.compile([], mode: .block)) {
            XCTAssertEqual($0 as? HyperscanError, .emptyPatternSet)
        }
    }

    func testSerializeDeserializeSameMatches() throws {
        let db = try HyperscanDatabase.compile(patterns, mode: .block)
        let bytes = try db.serialize()
        let back = try HyperscanDatabase.deserialize(bytes, mode: .block)
        XCTAssertEqual(back.origin, .deserialized)
        let scratch = try HyperscanScratch(for: db)
        let text = "a union select b ../../"
        XCTAssertEqual(try blockHits(db, text, scratch), try blockHits(back, text, scratch))
        XCTAssertEqual(try blockHits(back, text, scratch).count, 2)
        // The wrong mode is caught at load time, not on the packet path.
        XCTAssertThrowsError(try HyperscanDatabase.deserialize(bytes, mode: .stream)) {
            XCTAssertEqual($0 as? HyperscanError, .modeMismatch(expected: .stream))
        }
        XCTAssertThrowsError(try HyperscanDatabase.deserialize([1, 2, 3, 4], mode: .block))
    }

    func testDiskCacheLoadsWithoutCompilingAndReplacesCorruptFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hs-cache-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = HyperscanDatabase.compileCount
        let first = try HyperscanDatabase.cached(patterns: patterns, mode: .stream, directory: dir)
        XCTAssertEqual(first.origin, .compiledAndCached(replacedInvalidFile: false))
        XCTAssertEqual(HyperscanDatabase.compileCount, before + 1)

        let second = try HyperscanDatabase.cached(patterns: patterns, mode: .stream, directory: dir)
        XCTAssertEqual(second.origin, .cacheHit)
        XCTAssertEqual(HyperscanDatabase.compileCount, before + 1, "a cache hit must not compile")
        XCTAssertEqual(second.mode, .stream)

        // Another flag is another key, hence another file.
        var changed = patterns
        changed[1].flags = []
        let other = try HyperscanDatabase.cached(patterns: changed, mode: .stream, directory: dir)
        XCTAssertEqual(other.origin, .compiledAndCached(replacedInvalidFile: false))

        // Flip one payload byte: the checksum rejects it, the wrapper recompiles and rewrites.
        let url = HyperscanDatabase.cacheFileURL(patterns: patterns, mode: .stream, directory: dir)
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: url)
        let third = try HyperscanDatabase.cached(patterns: patterns, mode: .stream, directory: dir)
        XCTAssertEqual(third.origin, .compiledAndCached(replacedInvalidFile: true))
        // Garbage and a truncated file, too.
        try Data("not a database".utf8).write(to: url)
        XCTAssertEqual(try HyperscanDatabase.cached(patterns: patterns, mode: .stream, directory: dir).origin,
                       .compiledAndCached(replacedInvalidFile: true))
        XCTAssertEqual(try HyperscanDatabase.cached(patterns: patterns, mode: .stream, directory: dir).origin, .cacheHit)
        let scratch = try HyperscanScratch(for: third)
        let s = try HyperscanStream.open(third)
        var n = 0
        try Array("x union select y".utf8).withUnsafeBytes { _ = try s.scan($0, scratch: scratch) { _, _, _ in n += 1; return true } }
        s.close()
        XCTAssertEqual(n, 1)
    }

    func testCallbackCanStopScan() throws {
        let db = try HyperscanDatabase.compile([Pattern(id: 1, expression: "ab")], mode: .block)
        let scratch = try HyperscanScratch(for: db)
        var seen = 0
        let result = try Array("ab ab ab ab".utf8).withUnsafeBytes { buf in
            try db.scan(buf, scratch: scratch) { _, _, _ in seen += 1; return seen < 2 }
        }
        XCTAssertEqual(result, .stopped)
        XCTAssertEqual(seen, 2)
    }

    func testStreamFindsPatternSplitAtEveryBoundaryExactlyOnce() throws {
        let needle = "Log4Shell-${jndi:ldap://x}"
        let pats = [Pattern(id: 3, expression: "\\$\\{jndi:ldap://", flags: [.leftmostStart])]
        let db = try HyperscanDatabase.compile(pats, mode: .stream)
        XCTAssertGreaterThan(db.streamSize ?? 0, 0)
        let scratch = try HyperscanScratch(for: db)
        let data = Array("GET /?q=\(needle) HTTP/1.1".utf8)
        let start = UInt64(8 + 10), end = start + 14
        for i in 0...data.count {
            for j in i...data.count where j == i || j == data.count || (j - i) % 3 == 0 {
                let s = try HyperscanStream.open(db)
                var hits: [Hit] = []
                for chunk in [data[0..<i], data[i..<j], data[j...]] {
                    _ = try Array(chunk).withUnsafeBytes { buf in
                        try s.scan(buf, scratch: scratch) { id, f, t in hits.append(Hit(id: id, from: f, to: t)); return true }
                    }
                }
                try s.close(scratch: scratch) { _, _, _ in XCTFail("no end-of-data match expected"); return true }
                XCTAssertEqual(hits, [Hit(id: 3, from: start, to: end)], "split at \(i), \(j)")
            }
        }
    }

    func testStreamCloseReportsEndAnchoredMatchAndResetRestarts() throws {
        let db = try HyperscanDatabase.compile([Pattern(id: 5, expression: "END$")], mode: .stream)
        let scratch = try HyperscanScratch(for: db)
        let s = try HyperscanStream.open(db)
        var hits: [Hit] = []
        try Array("xxEN".utf8).withUnsafeBytes { _ = try s.scan($0, scratch: scratch) { _, _, _ in true } }
        try Array("D".utf8).withUnsafeBytes { _ = try s.scan($0, scratch: scratch) { _, _, _ in true } }
        // Reset reports the pending end-of-data match, then offsets start at 0 again.
        try s.reset(scratch: scratch) { id, f, t in hits.append(Hit(id: id, from: f, to: t)); return true }
        XCTAssertEqual(hits, [Hit(id: 5, from: 0, to: 5)])
        try Array("END".utf8).withUnsafeBytes { _ = try s.scan($0, scratch: scratch) { _, _, _ in true } }
        try s.close(scratch: scratch) { id, f, t in hits.append(Hit(id: id, from: f, to: t)); return true }
        XCTAssertEqual(hits.last, Hit(id: 5, from: 0, to: 3))
    }

    func testScratchGrowsForSeveralDatabasesAndModeErrors() throws {
        let block = try HyperscanDatabase.compile(patterns, mode: .block)
        let stream = try HyperscanDatabase.compile(patterns, mode: .stream)
        let scratch = try HyperscanScratch(for: block)
        try scratch.grow(for: stream)
        let s = try HyperscanStream.open(stream)
        defer { s.close() }
        try Array("union select".utf8).withUnsafeBytes { buf in
            XCTAssertEqual(try s.scan(buf, scratch: scratch) { _, _, _ in true }, .completed)
            XCTAssertEqual(try block.scan(buf, scratch: scratch) { _, _, _ in true }, .completed)
            XCTAssertThrowsError(try stream.scan(buf, scratch: scratch) { _, _, _ in true }) {
                XCTAssertEqual($0 as? HyperscanError, .call(function: "hs_scan", status: .databaseModeError))
            }
        }
        XCTAssertThrowsError(try HyperscanStream.open(block))
        XCTAssertGreaterThan(try scratch.clone().sizeInBytes, 0)
    }

    func testStreamPoolReusesStreams() throws {
        let db = try HyperscanDatabase.compile([Pattern(id: 1, expression: "abc")], mode: .stream)
        let scratch = try HyperscanScratch(for: db)
        let pool = try HyperscanStreamPool(database: db, capacity: 2)
        let a = try XCTUnwrap(pool.acquire())
        let b = try XCTUnwrap(pool.acquire())
        XCTAssertNil(pool.acquire(), "a full pool says so instead of allocating")
        var hits = 0
        try Array("ab".utf8).withUnsafeBytes { _ = try a.scan($0, scratch: scratch) { _, _, _ in hits += 1; return true } }
        try pool.release(a)
        _ = b
        let c = try XCTUnwrap(pool.acquire())
        // The reused stream forgot "ab": "c" alone does not complete the match.
        try Array("c".utf8).withUnsafeBytes { _ = try c.scan($0, scratch: scratch) { _, _, _ in hits += 1; return true } }
        XCTAssertEqual(hits, 0)
        try pool.release(c)
        try pool.release(b)
        XCTAssertEqual(pool.available, 2)
    }
}

/// Compiles bounded by ``CompileLimits`` (issue #12): done in a child process that is killed
/// when it runs too long or uses too much memory; its answers match an in-process compile.
final class BoundedCompileTests: XCTestCase {
    let patterns = [Pattern(id: 3, expression: "union\\s+select", flags: [.caseless, .leftmostStart]),
                    Pattern(id: 5, expression: "passw(or)?d=", flags: [.singleMatch])]

    func testBoundedCompileGivesTheSameDatabase() throws {
        for mode in [ScanMode.block, .stream] {
            let bounded = try HyperscanDatabase.compile(patterns, mode: mode, limits: CompileLimits(timeoutSeconds: 30))
            let plain = try HyperscanDatabase.compile(patterns, mode: mode)
            XCTAssertEqual(try bounded.serialize(), try plain.serialize())
            XCTAssertEqual(bounded.mode, mode)
        }
    }

    func testRejectedPatternIsNamedThroughTheChild() {
        let bad = [Pattern(id: 1, expression: "ok"), Pattern(id: 42, expression: "a(b")]
        XCTAssertThrowsError(try HyperscanDatabase.compile(bad, mode: .block, limits: CompileLimits())) { error in
            guard case let HyperscanError.compile(id, expression, message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(id, 42)
            XCTAssertEqual(expression, "a(b")
            XCTAssertFalse(message.isEmpty)
        }
    }

    func testSlowCompileIsKilledAtTheTimeout() {
        let slow = (0..<200).map { Pattern(id: UInt32($0), expression: "[a-z\($0 % 10)]{\(900 + $0)}q\($0)[^x]{0,\(600 + $0)}z") }
        XCTAssertThrowsError(try HyperscanDatabase.compile(slow, mode: .stream, limits: CompileLimits(timeoutSeconds: 0.3))) {
            XCTAssertEqual($0 as? HyperscanError, .compileTimeout(seconds: 0.3))
            XCTAssertEqual("\($0)", "compile exceeded 0.3 s")
        }
    }

    func testMemoryLimitEndsTheCompileWithAnError() throws {
        // The limit is on address space beyond what the process maps when it forks, and a test
        // process that has run hundreds of tests holds free heap that a compile can reuse
        // without mapping more: so the check runs in a fresh copy of this test binary.
        if ProcessInfo.processInfo.environment["SLUICE_FRESH_PROCESS"] == nil {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            p.arguments = ["PatternMatchTests.BoundedCompileTests/testMemoryLimitEndsTheCompileWithAnError"]
            var env = ProcessInfo.processInfo.environment
            env["SLUICE_FRESH_PROCESS"] = "1"
            p.environment = env
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, text)
            XCTAssertTrue(text.contains("Executed 1 test, with 0 failures"), text)
            return
        }
        // A set that needs hundreds of MiB, allowed 1 MiB more than the process maps.
        let big = (0..<200).map { Pattern(id: UInt32($0), expression: "[a-z\($0 % 10)]{\(900 + $0)}q\($0)[^x]{0,\(600 + $0)}z") }
        XCTAssertThrowsError(try HyperscanDatabase.compile(big, mode: .stream, limits: CompileLimits(timeoutSeconds: 60, memoryBytes: 1 << 20))) {
            switch $0 as? HyperscanError {
            case .compile?, .compileProcess?: break
            default: XCTFail("\($0)")
            }
        }
    }

    func testExpressionInfoMeasuresWidths() throws {
        XCTAssertEqual(try ExpressionInfo(Pattern(id: 0, expression: ".{3000}")), ExpressionInfo(minWidth: 3000, maxWidth: 3000))
        XCTAssertEqual(try ExpressionInfo(Pattern(id: 0, expression: "ab.*c")).maxWidth, nil)
        XCTAssertThrowsError(try ExpressionInfo(Pattern(id: 9, expression: "a(b")))
    }
}
