import Sensors
import XCTest

/// What a fired rule does on a flow, from its workloads' bindings: the binding's action beats
/// the rule's, protect enforces and monitor only reports, a disabled rule is off for that
/// workload only, and a flow between two workloads takes the stronger outcome.
final class SensorBindingOutcomeTests: XCTestCase {
    func engine(_ plans: [WorkloadSensorPlan]) throws -> SensorEngine {
        let set = try SensorSet(sensors: [
            Sensor(name: "waf", rules: [SensorRule(id: 1, name: "sqli", patterns: ["union select"], context: .packet),
                                        SensorRule(id: 2, name: "rce", patterns: ["wget http"], context: .packet, action: .block)]),
            Sensor(name: "dlp", rules: [SensorRule(id: 3, name: "secret", patterns: ["SECRET-[0-9]{4}"], context: .packet)]),
        ])
        var e = try SensorEngine(set: set)
        e.attach(capacity: 8)
        e.bind(SensorBindings(plans: plans, set: set))
        return e
    }

    /// Streams `text` to the server of flow `flow` bound to (server, client) workloads; the
    /// fired sids with their outcome.
    func fire(_ e: inout SensorEngine, _ text: String, flow: UInt32, server: Int32, client: Int32 = -1) -> [String] {
        let id = UInt64(100 + flow)
        e.setSensors(flow: flow, flowID: id, serverWorkload: server, clientWorkload: client)
        Array(text.utf8).withUnsafeBytes { e.scanStream(flow: flow, flowID: id, bytes: $0, toServer: true) }
        e.flowEnded(flow: flow, flowID: id)
        var out: [String] = []
        for i in 0..<e.firedCount {
            let a = e.fired(i)
            out.append("\(e.set!.rules[Int(a.rule)].id):\(a.blocks ? "block" : a.wouldBlock ? "would" : "alert")")
        }
        e.clearFired()
        return out.sorted()
    }

    func testBindingActionModeAndDisabledRules() throws {
        let waf: UInt64 = 1, dlp: UInt64 = 2
        var e = try engine([
            WorkloadSensorPlan(sensors: waf | dlp, blocking: waf, enforces: true),                       // 0: protect, waf blocks
            WorkloadSensorPlan(sensors: waf | dlp, blocking: waf, enforces: false),                      // 1: monitor, waf blocks
            WorkloadSensorPlan(sensors: waf, alerting: waf, enforces: true),                             // 2: protect, waf alerts only
            WorkloadSensorPlan(sensors: waf | dlp, blocking: waf, enforces: true, disabledRuleIDs: [1]),  // 3: rule 1 trusted
            WorkloadSensorPlan(sensors: waf, enforces: true),                                            // 4: rules' own actions
        ])
        let text = "GET /?q=union select wget http SECRET-1234"
        XCTAssertEqual(fire(&e, text, flow: 0, server: 0), ["1:block", "2:block", "3:alert"])
        XCTAssertEqual(fire(&e, text, flow: 1, server: 1), ["1:would", "2:would", "3:alert"])
        XCTAssertEqual(fire(&e, text, flow: 2, server: 2), ["1:alert", "2:alert"])
        XCTAssertEqual(fire(&e, text, flow: 3, server: 3), ["2:block", "3:alert"])
        XCTAssertEqual(e.counters.disabledMatches, 1)
        XCTAssertEqual(fire(&e, text, flow: 4, server: 4), ["1:alert", "2:block"])
        // Between the trusting workload 3 and the alert-only workload 2: rule 1 still alerts
        // (2 runs it), rule 2 blocks (3 binds waf with block in protect).
        XCTAssertEqual(fire(&e, text, flow: 5, server: 3, client: 2), ["1:alert", "2:block", "3:alert"])
        XCTAssertEqual(e.counters.wouldBlock, 2)
    }
}
