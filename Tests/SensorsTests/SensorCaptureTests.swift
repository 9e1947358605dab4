import Foundation
import Sensors
import SluiceConfig
import XCTest

/// Real curl traffic recorded by Tests/Captures/record-sensors.sh: attacks of every waf-core
/// class in URLs (plain, encoded once and twice), headers, form, JSON, chunked and gzip
/// bodies; responses leaking cards, keys and SSNs; and ordinary browsing that must stay
/// quiet. Each transaction carries its case id in the path, and the .expected file lists the
/// exact signature ids the built-in sensors must raise on it.
final class SensorCaptureTests: XCTestCase {
    func testAttacks() throws { try check("sensors-attacks") }
    func testLeaks() throws { try check("sensors-leaks") }
    func testBenignTrafficRaisesNothing() throws { try check("sensors-benign") }

    func check(_ name: String) throws {
        let pcap = SensorReplay.captures.appendingPathComponent("real/\(name).pcap").path
        let expectedPath = SensorReplay.captures.appendingPathComponent("real/\(name).expected").path
        guard FileManager.default.fileExists(atPath: pcap) else { throw XCTSkip("\(pcap) not recorded") }
        var expected: [String: Set<Int>] = [:]
        var order: [String] = []
        for line in try String(contentsOfFile: expectedPath, encoding: .utf8).split(separator: "\n")
        where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(separator: " ")
            let id = String(parts[0])
            order.append(id)
            expected[id] = parts.count > 1 && parts[1] != "-" ? Set(parts[1].split(separator: ",").map { Int($0)! }) : []
        }
        let result = try SensorReplay.run(pcap, sensors: try SensorFile.allBuiltIn())
        var got: [String: Set<Int>] = [:]
        for a in result.alerts {
            let sid = (a["alert"] as! [String: Any])["signature_id"] as! Int
            let url = (a["http"] as? [String: Any])?["url"] as? String ?? ""
            guard let r = url.range(of: "/case/") else {
                XCTFail("\(name): alert \(sid) on a transaction without a case id: \(a)")
                continue
            }
            let id = String(url[r.upperBound...].prefix { $0 != "/" && $0 != "?" })
            got[id, default: []].insert(sid)
        }
        var wrong: [String] = []
        for id in order where (got[id] ?? []) != expected[id]! {
            wrong.append("\(id): expected \(expected[id]!.sorted()) got \((got[id] ?? []).sorted())")
        }
        for id in got.keys where expected[id] == nil { wrong.append("\(id): not in \(name).expected, got \(got[id]!.sorted())") }
        print("\(name.uppercased()): \(order.count - wrong.count)/\(order.count) cases exact, \(result.alerts.count) alerts, \(result.counters)")
        for w in wrong { print("  \(w)") }
        XCTAssertTrue(wrong.isEmpty, "\(name): \(wrong.count) cases differ")
        XCTAssertEqual(result.counters.scanErrors, 0)
        // Each flow record says whether an alert fired on its flow.
        let alertedIDs = Set(result.alerts.compactMap { $0["flow_id"] as? Int })
        let flowRecords = result.records.filter { $0["event_type"] as? String == "flow" }
        XCTAssertFalse(flowRecords.isEmpty)
        XCTAssertEqual(flowRecords.filter { ($0["flow"] as? [String: Any])?["alerted"] as? Bool == true }.count, alertedIDs.count)
        for f in flowRecords {
            let id = f["flow_id"] as? Int ?? -1
            XCTAssertEqual((f["flow"] as? [String: Any])?["alerted"] as? Bool, alertedIDs.contains(id), "\(name): flow \(id)")
        }
    }
}
