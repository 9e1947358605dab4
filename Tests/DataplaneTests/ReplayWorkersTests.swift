#if os(Linux)
import Foundation
import XCTest

/// `sluice replay --workers N` splits flows among N pipelines; the output must not depend on
/// N: the same flow, application and alert records (in another order, with other flow ids,
/// which number flows per worker) and the same totals in the summary.
final class ReplayWorkersTests: XCTestCase {
    static let captures = CommandLineTests.root.appendingPathComponent("Tests/Captures/real")

    func testWorkersGiveTheSameRecordsAndTotals() throws {
        let binary = try SluiceBinary.require()
        let dir = NSTemporaryDirectory() + "sluice-workers-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["sensors-leaks.pcap", "mixed.pcap"] {
            let capture = Self.captures.appendingPathComponent(name).path
            var records: [Int: [String]] = [:], summaries: [Int: [String: Any]] = [:]
            for workers in [1, 2, 3] {
                let eve = "\(dir)/\(name)-\(workers).json"
                let r = sh("'\(binary)' replay '\(capture)' --workers \(workers) --eve '\(eve)' --json")
                XCTAssertEqual(r.status, 0, r.output)
                summaries[workers] = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any], r.output)
                let lines = try String(contentsOfFile: eve, encoding: .utf8).split(separator: "\n")
                records[workers] = try lines.map { try Self.normalized(String($0)) }.sorted()
            }
            XCTAssertGreaterThan(records[1]!.count, 0, name)
            for workers in [2, 3] {
                XCTAssertEqual(records[workers]!.count, records[1]!.count, "\(name): \(workers) workers, record count")
                XCTAssertEqual(records[workers]!, records[1]!, "\(name): \(workers) workers, records")
                for key in ["packets", "bytes"] {
                    XCTAssertEqual(summaries[workers]![key] as? Int, summaries[1]![key] as? Int, "\(name): \(key)")
                }
                let flows = { (w: Int) in (summaries[w]!["flows"] as? [String: Any])?["created"] as? Int }
                XCTAssertEqual(flows(workers), flows(1), "\(name): flows")
                let alerts = { (w: Int) in (summaries[w]!["sensors"] as? [String: Any])?["alerts"] as? Int }
                XCTAssertEqual(alerts(workers), alerts(1), "\(name): alerts")
            }
        }
    }

    /// The record without its flow id (each worker numbers its own flows), keys sorted.
    static func normalized(_ line: String) throws -> String {
        func strip(_ v: Any) -> Any {
            if let d = v as? [String: Any] { return d.filter { $0.key != "flow_id" }.mapValues(strip) }
            if let a = v as? [Any] { return a.map(strip) }
            return v
        }
        let o = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return String(decoding: try JSONSerialization.data(withJSONObject: strip(o), options: [.sortedKeys]), as: UTF8.self)
    }
}
#endif
