import Enforce
import Engine
import Foundation
import L7
import PacketIO
import Policy
import Sensors
import SluiceConfig
import XCTest

/// What a firing rule does to traffic: `block` drops the flow's packets and resets TCP, and a
/// policy decides which workloads' traffic each sensor inspects.
final class SensorEnforcementTests: XCTestCase {
    let attacks = SensorReplay.captures.appendingPathComponent("real/sensors-attacks.pcap").path

    func testBlockRuleDropsFlowAndRecordsResets() throws {
        let rule = SensorRule(id: 9000002, name: "block log4shell in headers", patterns: [#"\$\{jndi:"#], context: .header,
                              action: .block, nocase: true)
        let r = try SensorReplay.run(attacks, sensors: [Sensor(name: "blockers", rules: [rule])])
        let alerts = r.alerts
        XCTAssertFalse(alerts.isEmpty)
        for a in alerts {
            let alert = a["alert"] as! [String: Any]
            XCTAssertEqual(alert["action"] as? String, "blocked")
            XCTAssertEqual(alert["signature_id"] as? Int, 9000002)
        }
        let flows = Set(alerts.map { $0["flow_id"] as! Int })
        XCTAssertEqual(r.counters.blockedFlows, UInt64(flows.count))
        XCTAssertEqual(r.resets, 2 * UInt64(flows.count), "two resets per blocked TCP flow")
        XCTAssertGreaterThan(r.drops, 0, "the blocked flows' later packets are dropped")
    }

    /// With a policy, a sensor runs only on traffic of the workloads that name it.
    func testPolicyBindsSensorsToWorkloads() throws {
        func alerts(workloadCIDR: String) throws -> Int {
            let policy = try CompiledPolicy(PolicyDocument.parse("""
                version: 1
                mode: monitor
                default: deny
                groups:
                  web: { cidrs: [\(workloadCIDR)] }
                workloads:
                  web: { group: web, sensors: [waf-core] }
                rules: []
                """, file: "bind.yaml"))
            let set = try SensorSet(sensors: try SensorFile.allBuiltIn())
            let engine = try SensorEngine(set: set, config: SensorReplay.smallSensors)
            let l7 = L7Stage(config: SensorReplay.smallL7, eveFD: -1, sensors: engine)
            var worker = Worker(config: SensorReplay.smallEngine, stage: PolicyStage(l7: l7, policy: policy), eveFD: -1)
            var source = try PcapFile(path: attacks)
            _ = try Replay.run(&source, through: &worker)
            worker.shutdown()
            return Int(worker.stage.l7.sensors.counters.alerts)
        }
        let bound = try alerts(workloadCIDR: "10.78.0.2/32")
        XCTAssertGreaterThan(bound, 60, "the server is the workload: waf-core inspects its traffic")
        XCTAssertEqual(try alerts(workloadCIDR: "10.99.0.0/24"), 0, "no workload in the capture: no sensor runs")
    }
}
