#if os(Linux)
import Foundation
import XCTest

/// `sluice replay` on a capture cut short: everything before the cut is processed, EVE and
/// the summary are written, a warning names the problem, and the exit status is 3 (not 64,
/// which would mean the command line was wrong).
final class ReplayDamageTests: XCTestCase {
    func testTruncatedCaptureStillWritesEveAndSummary() throws {
        let binary = try SluiceBinary.require()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent("Tests/Captures/real/mixed.pcap")))
        bytes.removeLast(30)
        let dir = NSTemporaryDirectory() + "sluice-damage-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/cut.pcap"))

        let r = sh("'\(binary)' replay '\(dir)/cut.pcap' --eve '\(dir)/eve.json'")
        XCTAssertEqual(r.status, 3, r.output)
        XCTAssertTrue(r.output.contains("warning:") && r.output.contains("truncated"), r.output)
        XCTAssertTrue(r.output.contains("packets      427"), r.output)
        XCTAssertFalse(r.output.contains("Usage:"), r.output)
        let eve = (try? String(contentsOfFile: dir + "/eve.json", encoding: .utf8)) ?? ""
        let whole = sh("'\(binary)' replay '\(root.path)/Tests/Captures/real/mixed.pcap' --eve '\(dir)/whole.json'")
        XCTAssertEqual(whole.status, 0, whole.output)
        let full = (try? String(contentsOfFile: dir + "/whole.json", encoding: .utf8)) ?? ""
        // The cut removes part of the last frame only: the same flows and app records.
        XCTAssertEqual(eve.split(separator: "\n").count, full.split(separator: "\n").count)
    }
}
#endif
