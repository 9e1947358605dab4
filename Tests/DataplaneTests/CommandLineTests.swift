#if os(Linux)
import Foundation
import XCTest

/// The command line's contract with scripts: usage text only for a wrong command line, one
/// `sluice: error:` line and a distinct status for everything else (README.md, "Exit status"),
/// `--version`, and `--json` output that parses.
final class CommandLineTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let capture = root.appendingPathComponent("Tests/Captures/real/mixed.pcap").path

    func run(_ args: String) throws -> (status: Int32, output: String) {
        let binary = try SluiceBinary.require()
        let r = sh("'\(binary)' \(args)")
        return (r.status, r.output)
    }

    func expectRuntimeError(_ args: String, _ status: Int32, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(args)
        XCTAssertEqual(r.status, status, r.output, file: file, line: line)
        XCTAssertTrue(r.output.hasPrefix("sluice: error: ") && r.output.contains(fragment), r.output, file: file, line: line)
        XCTAssertFalse(r.output.contains("Usage:"), r.output, file: file, line: line)
        XCTAssertEqual(r.output.split(separator: "\n").count, 1, "one line: \(r.output)", file: file, line: line)
    }

    func testRuntimeErrorsHaveTheirOwnStatusAndNoUsage() throws {
        let dir = NSTemporaryDirectory() + "sluice-cli-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "not a capture\n".write(toFile: dir + "/text.pcap", atomically: true, encoding: .utf8)
        try "token\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try "flow: { capacty: 1 }\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)

        try expectRuntimeError("replay '\(dir)/missing.pcap'", 66, "missing.pcap")
        try expectRuntimeError("replay '\(dir)/text.pcap'", 65, "text.pcap")
        try expectRuntimeError("replay '\(Self.capture)' --filter 'tcp port banana'", 65, "filter")
        try expectRuntimeError("replay '\(Self.capture)' --config '\(dir)/bad.yaml'", 2, "bad.yaml:1:9: flow.capacty: unknown key")
        try expectRuntimeError("replay '\(Self.capture)' --eve '\(dir)/no/such/eve.json'", 73, "eve.json")
        try expectRuntimeError("ctl status --socket '\(dir)/none.sock' --token-file '\(dir)/missing-token'", 77, "token file")
        try expectRuntimeError("ctl status --socket '\(dir)/none.sock' --token-file '\(dir)/token'", 69, "cannot reach the API")
        try expectRuntimeError("ctl policy push '\(dir)/missing.yaml' --socket '\(dir)/none.sock' --token-file '\(dir)/token'", 66, "missing.yaml")

        let usage = try run("replay")
        XCTAssertEqual(usage.status, 64, usage.output)
        XCTAssertTrue(usage.output.contains("Usage:"), usage.output)
    }

    func testVersion() throws {
        let r = try run("--version")
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.output.hasPrefix("sluice ") && r.output.split(separator: "\n").count == 1, r.output)
    }

    func testReplaySummaryAsJSON() throws {
        let r = try run("replay '\(Self.capture)' --json")
        XCTAssertEqual(r.status, 0, r.output)
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any], r.output)
        XCTAssertEqual(o["packets"] as? Int, 428)
        XCTAssertEqual(o["source"] as? String, Self.capture)
        XCTAssertNotNil((o["flows"] as? [String: Any])?["created"])
        XCTAssertNotNil((o["sensors"] as? [String: Any])?["alerts"])
        XCTAssertNil(o["policy"], "no --policy, no policy section")
    }

    func testChecksAndSensorListAsJSON() throws {
        let dir = NSTemporaryDirectory() + "sluice-cli-json-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "flow: { capacty: 1 }\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)

        let good = try run("config check '\(Self.root.path)/configs/engine.yaml' --json")
        XCTAssertEqual(good.status, 0, good.output)
        let ok = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(good.output.utf8)) as? [String: Any], good.output)
        XCTAssertEqual(ok["ok"] as? Bool, true)

        let bad = try run("config check '\(dir)/bad.yaml' --json")
        XCTAssertEqual(bad.status, 2, bad.output)
        let no = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bad.output.utf8)) as? [String: Any], bad.output)
        XCTAssertEqual(no["ok"] as? Bool, false)
        let e = try XCTUnwrap(no["error"] as? [String: Any])
        XCTAssertEqual(e["line"] as? Int, 1)
        XCTAssertEqual(e["key"] as? String, "flow.capacty")

        let policy = try run("policy check '\(Self.root.path)/configs/policy.yaml' --json")
        XCTAssertEqual(policy.status, 0, policy.output)
        let p = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(policy.output.utf8)) as? [String: Any], policy.output)
        XCTAssertNotNil((p["policy"] as? [String: Any])?["rules"])

        let list = try run("sensors list --json")
        XCTAssertEqual(list.status, 0, list.output)
        let l = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [String: Any], list.output)
        XCTAssertEqual((l["sets"] as? [[String: Any]])?.map { $0["name"] as? String ?? "" }, ["dlp-pii", "dlp-secrets", "waf-core"])
    }
}
#endif
