@testable import Dataplane
import Foundation
import Logging
import XCTest

/// Daemon log lines: levels, the two formats, `log:` in the config.
final class DaemonLogTests: XCTestCase {
    static let base = "interfaces:\n  - { name: web, mode: tap, interface: veth-x }\n"

    func testJournaldLinesCarryTheSyslogPriorityAndKeepTheText() {
        let h = StderrLogHandler(label: "sluice run", level: .info, format: .journald)
        let at = Date(timeIntervalSince1970: 0)
        XCTAssertEqual(h.line(level: .info, message: "ready: 1 worker", metadata: nil, at: at), "<6>sluice run: ready: 1 worker\n")
        XCTAssertEqual(h.line(level: .warning, message: "reload rejected: x", metadata: nil, at: at), "<4>sluice run: reload rejected: x\n")
        XCTAssertEqual(h.line(level: .error, message: "a\nb", metadata: ["k": "v"], at: at), "<3>sluice run: a b k=v\n",
                       "one record per line, metadata after the message")
    }

    func testTextLinesStartWithAnISOTimestampAndTheLevel() {
        let h = StderrLogHandler(label: "sluice run", level: .info, format: .text)
        let at = Date(timeIntervalSince1970: 1_796_000_000.042)
        XCTAssertEqual(h.line(level: .info, message: "reloaded: policy p.yaml, version 2", metadata: nil, at: at),
                       "2026-11-30T00:53:20.042Z info sluice run: reloaded: policy p.yaml, version 2\n")
    }

    func testAutoFollowsJournalStream() {
        XCTAssertEqual(LogFormat.auto.resolved(environment: ["JOURNAL_STREAM": "8:12345"]), .journald)
        XCTAssertEqual(LogFormat.auto.resolved(environment: [:]), .text)
        XCTAssertEqual(LogFormat.text.resolved(environment: ["JOURNAL_STREAM": "8:12345"]), .text)
    }

    func testLevelBelowTheThresholdIsNotWritten() {
        let lines = LockedLines()
        var logger = Logger(label: "sluice run") { StderrLogHandler(label: $0, level: .warning, format: .journald, write: lines.append) }
        logger.logLevel = .warning
        logger.info("not written")
        logger.warning("written")
        XCTAssertEqual(lines.all, ["<4>sluice run: written\n"])
    }

    func testConfigSetsLevelAndFormat() throws {
        let c = try DaemonConfig.parse(Self.base + "log: { level: debug, format: journald }\n", file: "d.yaml")
        XCTAssertEqual(c.logLevel, .debug)
        XCTAssertEqual(c.logFormat, .journald)
        let d = try DaemonConfig.parse(Self.base, file: "d.yaml")
        XCTAssertEqual(d.logLevel, .info)
        XCTAssertEqual(d.logFormat, .auto)
    }

    func testBadLogSettingsAreLocated() {
        for (yaml, expected) in [("log: { level: loud }\n", "d.yaml:3:15: log.level: unknown level \"loud\""),
                                 ("log: { format: xml }\n", "d.yaml:3:16: log.format: unknown format \"xml\""),
                                 ("log: { colour: red }\n", "d.yaml:3:8: log.colour: unknown key")] {
            XCTAssertThrowsError(try DaemonConfig.parse(Self.base + yaml, file: "d.yaml")) {
                XCTAssertTrue("\($0)".hasPrefix(expected), "\($0)")
            }
        }
    }
}

/// Lines a handler wrote, from any thread.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    var append: @Sendable (String) -> Void { { [self] line in lock.withLock { lines.append(line) } } }
}
