import Codecs
import Engine
import Enforce
import Foundation
import L7
import PacketIO
import Policy
import XCTest

/// Every policy verdict that blocks or would block a flow is also a Suricata `alert` record,
/// so tools that count `.alert.action == "blocked"` see policy denies.
final class PolicyAlertTests: XCTestCase {
    func records(_ mode: String) throws -> [[String: Any]] {
        let compiled = try CompiledPolicy(parsing: PolicyReplayTests.policy(mode: mode), file: "t.yaml")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-policy-alert-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let fd = open(out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var source = try PcapFile(path: PolicyReplayTests.captures.appendingPathComponent("mixed.pcap").path)
        var worker = Worker(config: EngineConfig(), stage: PolicyStage(l7: L7Stage(eveFD: fd), policy: compiled), eveFD: fd)
        _ = try Replay.run(&source, through: &worker)
        worker.shutdown()
        close(fd)
        return try String(contentsOf: out, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func check(mode: String, policyAction: String, alertAction: String) throws {
        let all = try records(mode)
        let verdicts = all.filter { $0["event_type"] as? String == "policy" }
        let alerts = all.filter { $0["event_type"] as? String == "alert" && ($0["alert"] as? [String: Any])?["gid"] as? Int == 2 }
        XCTAssertFalse(verdicts.isEmpty)
        XCTAssertEqual(alerts.count, verdicts.count, "one alert per \(policyAction) record")
        for v in verdicts {
            let p = policyObject(v) ?? [:]
            XCTAssertEqual(p["action"] as? String, policyAction)
            guard let a = alerts.first(where: { ($0["flow_id"] as? Int) == (v["flow_id"] as? Int) }),
                  let alert = a["alert"] as? [String: Any] else { XCTFail("no alert for \(v)"); continue }
            XCTAssertEqual(alert["action"] as? String, alertAction)
            XCTAssertEqual(alert["signature_id"] as? Int, (p["rule_id"] as? Int) ?? 0)
            XCTAssertEqual(alert["category"] as? String, "policy")
            XCTAssertNotNil(alert["signature"] as? String)
            for k in ["src_ip", "src_port", "dest_ip", "dest_port", "proto"] {
                XCTAssertEqual("\(a[k] ?? "-")", "\(v[k] ?? "-")", k)
            }
        }
    }

    /// A flow record says `alerted: true` exactly for the flows an alert record names (before,
    /// it always said false).
    func testFlowRecordsSayWhetherTheFlowAlerted() throws {
        let all = try records("monitor")
        let alerted = Set(all.filter { $0["event_type"] as? String == "alert" }.compactMap { $0["flow_id"] as? Int })
        let flows = all.filter { $0["event_type"] as? String == "flow" }
        XCTAssertFalse(alerted.isEmpty)
        for f in flows {
            let id = f["flow_id"] as? Int ?? -1
            XCTAssertEqual((f["flow"] as? [String: Any])?["alerted"] as? Bool, alerted.contains(id), "flow \(id)")
        }
        XCTAssertEqual(flows.filter { ($0["flow"] as? [String: Any])?["alerted"] as? Bool == true }.count, alerted.count)
    }

    func testProtectDeniesAreBlockedAlerts() throws {
        try check(mode: "protect", policyAction: "deny", alertAction: "blocked")
    }

    func testMonitorViolationsAreAllowedAlerts() throws {
        try check(mode: "monitor", policyAction: "violate", alertAction: "allowed")
    }
}
