import ConfigYAML
import Foundation
import PatternMatch
import Sensors
import SluiceConfig
import XCTest

/// Attacks on the loaders (issue #12): each ends in an error that names the file and line,
/// or in a bounded cost, never in a trap or a hang.
final class LoaderHardeningTests: XCTestCase {
    /// The 406-byte bomb: nine levels of nine aliases, used as keys and values.
    static let aliasBomb: String = {
        var lines = ["a0: &a0 \"lol\""]
        for i in 1..<9 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
        lines.append("top: { ? *a8 : *a8 }")
        return lines.joined(separator: "\n") + "\n"
    }()

    func testAliasBombIsRejectedQuickly() {
        XCTAssertLessThan(Self.aliasBomb.utf8.count, 500)
        let started = Date()
        XCTAssertThrowsError(try SluiceSettings.parse(Self.aliasBomb, file: "bomb.yaml")) {
            let e = "\($0)"
            XCTAssertTrue(e.hasPrefix("bomb.yaml:") && e.contains("too many aliases") && e.contains("\(YAMLLimits.maxNodes)"), e)
        }
        XCTAssertThrowsError(try SensorFile.parse(Self.aliasBomb, file: "bomb.yaml"))
        // Not a timing assert on the result: a hang would never get here at all.
        print("alias bomb rejected in \(Date().timeIntervalSince(started)) s")
    }

    func testAliasesWithinTheBudgetStillWork() throws {
        let t = try SluiceSettings.parse("flow: &f { capacity: 2048 }\nstream: { pool: &p 1MiB, per_flow: *p }\n", file: "t.yaml")
        XCTAssertEqual(t.engine.stream.perFlowBytes, 1 << 20)
    }

    func testDeepNestingIsRejected() {
        let deep = "flow: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        XCTAssertThrowsError(try SluiceSettings.parse(deep, file: "deep.yaml")) {
            let e = "\($0)"
            XCTAssertTrue(e.hasPrefix("deep.yaml:1:") && e.contains("nested more than \(YAMLLimits.maxDepth) levels"), e)
        }
        // Far deeper: libyaml's own nesting limit may speak first; either way a located error.
        let deeper = "flow: " + String(repeating: "[", count: 100_000) + "\n"
        XCTAssertThrowsError(try SluiceSettings.parse(deeper, file: "deep.yaml")) {
            XCTAssertTrue("\($0)".hasPrefix("deep.yaml:1:") && "\($0)".contains("nest"), "\($0)")
        }
    }

    func testHugeFlatDocumentIsRejected() {
        let big = "flow: [" + String(repeating: "1,", count: YAMLLimits.maxNodes) + "1]\n"
        XCTAssertThrowsError(try SluiceSettings.parse(big, file: "big.yaml")) {
            XCTAssertTrue("\($0)".contains("more than \(YAMLLimits.maxNodes) nodes"), "\($0)")
        }
    }

    func testOverflowingNumbersAreLocatedErrors() {
        let cases: [(String, String, String)] = [
            ("flow:\n  capacity: 99999999999999999999999\n", "flow.capacity", "t.yaml:2:13"),
            ("flow:\n  timeouts:\n    tcp_new: 9223372036854775807h\n", "flow.timeouts.tcp_new", "t.yaml:3:14"),
            ("flow:\n  timeouts:\n    tcp_new: 99999999999999999999999s\n", "flow.timeouts.tcp_new", "t.yaml:3:14"),
            ("flow:\n  timeouts:\n    udp_new: -5\n", "flow.timeouts.udp_new", "t.yaml:3:14"),
            ("stream:\n  pool: 9223372036854775807GiB\n", "stream.pool", "t.yaml:2:9"),
            ("stream:\n  pool: 18446744073709551616\n", "stream.pool", "t.yaml:2:9"),
            ("defrag:\n  timeout: 4000000000000000000m\n", "defrag.timeout", "t.yaml:2:12"),
            ("sensors:\n  stream_depth: -1\n", "sensors.stream_depth", "t.yaml:2:17"),
            ("sensors:\n  compile_timeout: 999999999999h\n", "sensors.compile_timeout", "t.yaml:2:20"),
        ]
        for (text, key, at) in cases {
            XCTAssertThrowsError(try SluiceSettings.parse(text, file: "t.yaml"), text) {
                let e = "\($0)"
                XCTAssertTrue(e.hasPrefix(at + ": " + key + ": must be between"), e)
            }
        }
    }

    func testCompileLimitsAreConfigurable() throws {
        let s = try SluiceSettings.parse("sensors:\n  compile_timeout: 2m\n  compile_memory: 1GiB\n", file: "t.yaml")
        XCTAssertEqual(s.sensorCompileLimits, CompileLimits(timeoutSeconds: 120, memoryBytes: 1 << 30))
    }

    func testDevZeroAndFoldersAreRefused() {
        for path in ["/dev/zero", "/tmp"] {
            XCTAssertThrowsError(try SluiceSettings.load(path: path)) {
                XCTAssertEqual("\($0)", "\(path): cannot read: not a regular file")
            }
        }
        var s = SluiceSettings()
        s.builtInSensors = []
        s.sensorFiles = ["/dev/zero"]
        XCTAssertThrowsError(try s.compileSensors()) { XCTAssertTrue("\($0)".contains("/dev/zero: cannot read: not a regular file"), "\($0)") }
    }

    func testOversizedFileIsRefused() throws {
        let path = NSTemporaryDirectory() + "sluice-cfgtest-big-\(getpid()).yaml"
        defer { unlink(path) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try h.truncate(atOffset: UInt64(maxReadFileBytes) + 1)
        try h.close()
        XCTAssertThrowsError(try SluiceSettings.load(path: path)) {
            XCTAssertTrue("\($0)".contains("larger than \(maxReadFileBytes) bytes"), "\($0)")
        }
    }

    /// 20 000 rules: refused while parsing, at the first rule past the limit.
    func testTwentyThousandRulesAreRefused() {
        var text = "sensors:\n  - name: many\n    rules:\n"
        for i in 1...20_000 { text += "      - {id: \(i), name: r\(i), context: url, pattern: 'x\(i)y'}\n" }
        XCTAssertThrowsError(try SensorFile.parse(text, file: "many.yaml")) {
            let e = "\($0)"
            XCTAssertTrue(e.hasPrefix("many.yaml:\(4 + SensorSet.maxRules):") && e.contains("at most \(SensorSet.maxRules)"), e)
        }
    }

    func testWideRepeatIsRefusedBeforeCompiling() throws {
        let sensors = try SensorFile.parse("""
        sensors:
          - name: wide
            rules:
              - {id: 1, name: ok, context: body, pattern: 'abc'}
              - {id: 2, name: wide, context: body, pattern: '.{3000}'}
        """, file: "wide.yaml")
        let before = HyperscanDatabase.compileCount
        XCTAssertThrowsError(try SensorSet(sensors: sensors)) {
            let e = "\($0)"
            XCTAssertTrue(e.hasPrefix("wide.yaml:5: rule 2 pattern 1 /.{3000}/ needs at least 3000 bytes"), e)
        }
        XCTAssertEqual(HyperscanDatabase.compileCount, before, "refused before any compile")
    }

    /// A set that takes longer than the compile timeout: the child is killed and the error
    /// names the file, the likeliest rule and the setting to raise.
    func testCompileTimeoutIsALocatedError() throws {
        var text = "sensors:\n  - name: slow\n    rules:\n"
        for i in 1...300 {
            text += "      - {id: \(i), name: r\(i), context: body, pattern: '[a-z\(i % 10)]{\(900 + i % 100)}q\(i)[^x]{0,\(500 + i)}z'}\n"
        }
        let sensors = try SensorFile.parse(text, file: "slow.yaml")
        XCTAssertThrowsError(try SensorSet(sensors: sensors, limits: CompileLimits(timeoutSeconds: 0.5))) {
            let e = "\($0)"
            XCTAssertTrue(e.hasPrefix("slow.yaml:") && e.contains("compile exceeded 0.5 s; simplify rule")
                          && e.contains("raise sensors.compile_timeout"), e)
        }
    }

    func testBoundedCompileMatchesInProcessCompile() throws {
        let all = try SensorFile.allBuiltIn()
        let bounded = try SensorSet(sensors: all, limits: CompileLimits(timeoutSeconds: 120))
        let plain = try SensorSet(sensors: all, limits: nil)
        XCTAssertEqual(bounded.rules.count, plain.rules.count)
        XCTAssertEqual(try bounded.body?.serialize(), try plain.body?.serialize())
    }

    func testRejectedPatternThroughTheChildNamesTheRule() throws {
        let sensors = try SensorFile.parse("""
        sensors:
          - name: bad
            rules:
              - {id: 7, name: lookbehind, context: url, pattern: '(?<=a)b'}
        """, file: "bad.yaml")
        XCTAssertThrowsError(try SensorSet(sensors: sensors)) {
            XCTAssertTrue("\($0)".hasPrefix("bad.yaml:4: rule 7 pattern 1"), "\($0)")
        }
    }
}
