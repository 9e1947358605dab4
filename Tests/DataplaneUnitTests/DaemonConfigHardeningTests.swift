import Dataplane
import Foundation
import XCTest

/// The daemon config under attack (issue #12): numbers that overflow, alias bombs and device
/// files are errors naming the file and line, never a trap.
final class DaemonConfigHardeningTests: XCTestCase {
    static let tap = "interfaces:\n  - { name: a, mode: tap, interface: x }\n"

    func error(_ text: String) -> String {
        do { _ = try DaemonConfig.parse(text, file: "d.yaml"); return "no error" } catch { return error.description }
    }

    func testOverflowingNumbersAreLocatedErrors() {
        let budget = error(Self.tap + "captures:\n  disk_budget: 99999999999999999999TiB\n")
        XCTAssertTrue(budget.hasPrefix("d.yaml:4:16: captures.disk_budget: must be between"), budget)
        let big = error(Self.tap + "captures:\n  disk_budget: 9223372036854775807GiB\n")
        XCTAssertTrue(big.hasPrefix("d.yaml:4:16: captures.disk_budget: must be between"), big)
        let workers = error(Self.tap + "workers: 18446744073709551617\n")
        XCTAssertTrue(workers.hasPrefix("d.yaml:3:10: workers: must be between 1 and 64"), workers)
        let late = error(Self.tap + "fail_after_ms: -99999999999999999999\n")
        XCTAssertTrue(late.hasPrefix("d.yaml:3:16: fail_after_ms: must be between 1 and 60000"), late)
        let alerts = error(Self.tap + "captures:\n  on_alert: -1\n")
        XCTAssertTrue(alerts.hasPrefix("d.yaml:4:13: captures.on_alert: must be between 0 and 100000"), alerts)
    }

    func testAliasBombIsRejected() {
        var lines = ["a0: &a0 \"lol\""]
        for i in 1..<9 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
        lines.append("interfaces: { ? *a8 : *a8 }")
        let e = error(lines.joined(separator: "\n"))
        XCTAssertTrue(e.hasPrefix("d.yaml:") && e.contains("too many aliases"), e)
    }

    func testDeviceIsNotReadAsAConfig() {
        XCTAssertThrowsError(try DaemonConfig.load(path: "/dev/zero")) {
            XCTAssertEqual("\($0)", "/dev/zero: cannot read: not a regular file")
        }
    }
}

extension DaemonConfigHardeningTests {
    func testSensorListsAreBounded() {
        let twice = error(Self.tap + "sensors: [waf-core, dlp-pii, waf-core]\n")
        XCTAssertTrue(twice.hasPrefix("d.yaml:3:") && twice.contains("\"waf-core\" is listed twice"), twice)
        let many = error(Self.tap + "sensor_files: [" + (0..<100).map { "f\($0).yaml" }.joined(separator: ", ") + "]\n")
        XCTAssertTrue(many.hasPrefix("d.yaml:3:") && many.contains("100 files; at most 64"), many)
    }
}

extension DaemonConfigHardeningTests {
    func testListenPortsMustFitSixteenBits() {
        let api = error(Self.tap + "api: { socket: a.sock, listen: 127.0.0.1:99999, token_file: t }\n")
        XCTAssertTrue(api.hasPrefix("d.yaml:3:") && api.contains("api.listen: port must be between 0 and 65535"), api)
        let metrics = error(Self.tap + "metrics: { listen: \"[::1]:18446744073709551617\" }\n")
        XCTAssertTrue(metrics.hasPrefix("d.yaml:3:") && metrics.contains("metrics.listen: port must be between 0 and 65535"), metrics)
        XCTAssertTrue(error(Self.tap + "metrics: { listen: nocolon }\n").contains("expected host:port"))
        XCTAssertEqual(error(Self.tap + "metrics: { listen: \"[::1]:9100\" }\n"), "no error")
    }
}
