#if os(Linux)
import Foundation
import Glibc
import XCTest

/// Cluster policy distribution end to end: a real etcd and several `sluice run` nodes in one
/// namespace (each tapping its own veth link), `sluice control` writing the desired state.
/// Timings are printed (`CLUSTER-TIMING`), never asserted.
final class ClusterEtcdTests: XCTestCase {
    /// A desired policy that differs from the last by one port (its rule 90).
    func desired(_ port: Int) -> String {
        protectPolicy(extraRules: ["{ id: 90, from: clients, to: web, ports: [tcp/\(port)], action: allow }"])
    }

    func timing(_ what: String, _ ms: Double) {
        print("CLUSTER-TIMING \(what): \(String(format: "%.1f", ms)) ms")
    }

    func testPushReachesEveryNodeSurvivesEtcdRestartAndLateNodeConverges() throws {
        let c = try EtcdCluster()
        defer { c.tearDown() }
        try c.startEtcd()
        let names = ["node-0", "node-1", "node-2"]
        for i in 0..<3 { try c.startNode(i) }
        _ = try c.controlConfig()

        // 1. A push reaches every node; write → in force per node.
        try c.write("desired.yaml", desired(8081))
        let push = c.exec("'\(c.binary)' control --once --config '\(c.dir)/control.yaml'")
        XCTAssertEqual(push.status, 0, push.output)
        let p1 = try XCTUnwrap(pushed(push.output), push.output)
        let s1 = try XCTUnwrap(c.waitApplied(names, revision: p1.revision), "not in sync: \(c.status()) \(c.log(0))")
        for n in names {
            let applied = Int64((s1[n]?["applied_unix_ms"] as? Int) ?? 0)
            timing("write->in force \(n) (revision \(p1.revision))", Double(applied - p1.startedMs))
        }
        for i in 0..<3 {
            XCTAssertEqual(c.policyInForce(i)?.text, desired(8081), "node-\(i)")
            XCTAssertTrue(c.metrics(i).contains("sluice_control_etcd_connected 1"), "node-\(i)")
        }
        let v1 = try XCTUnwrap(c.policyInForce(0)?.version)

        // 2. An invalid document written straight to etcd (sluice control refuses to write it)
        // is rejected by every node with key and line; the running policy stays.
        let bad = desired(8081).replacingOccurrences(of: "action: allow }\n", with: "action: allow, bogus: 1 }\n")
        try c.write("bad.yaml", bad)
        let put = c.exec("sh -c \"ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:2379 put \(EtcdCluster.prefix)/desired/policy < '\(c.dir)/bad.yaml'\"")
        XCTAssertEqual(put.status, 0, put.output)
        let rejected = try XCTUnwrap(c.waitApplied(names, revision: p1.revision + 1, state: "rejected"), "\(c.status())")
        for n in names {
            let r = rejected[n]?["rejection"] as? [String: Any]
            XCTAssertEqual(r?["key"] as? String, "\(EtcdCluster.prefix)/desired/policy", n)
            XCTAssertGreaterThan(r?["line"] as? Int ?? 0, 0, "\(n): \(String(describing: r))")
            XCTAssertEqual(rejected[n]?["applied_revision"] as? Int, p1.revision, n)
        }
        print(c.exec("'\(c.binary)' control status --config '\(c.dir)/control.yaml'").output)
        for i in 0..<3 {
            XCTAssertEqual(c.policyInForce(i)?.text, desired(8081), "node-\(i) dropped its policy")
            XCTAssertTrue(c.metrics(i).contains("sluice_control_etcd_applies_total{result=\"rejected\"} 1"), c.metrics(i))
        }

        // 3. etcd stops; the nodes keep enforcing; a push is made while it is down (sluice
        // control retries); node-0 restarts meanwhile and comes back on its last good policy.
        c.stopEtcd()
        let downAt = Date()
        try c.write("desired.yaml", desired(8082))
        let control = try c.background("control-loop", "'\(c.binary)' control --config '\(c.dir)/control.yaml'")
        c.stopNode(0)
        try c.startNode(0)
        XCTAssertEqual(c.policyInForce(0)?.text, desired(8081), "node-0 did not restart on its last good policy")
        for i in 1..<3 { XCTAssertEqual(c.policyInForce(i)?.text, desired(8081), "node-\(i)") }
        XCTAssertTrue(c.metrics(1).contains("sluice_control_etcd_connected 0"), c.metrics(1))
        XCTAssertTrue(control.wait(for: "down", seconds: 10), control.text)
        print("CLUSTER-TIMING etcd down for \(String(format: "%.1f", Date().timeIntervalSince(downAt))) s before restart")

        // etcd back: the pending push is written, every node resyncs by revision.
        let restart = Date()
        try c.startEtcd()
        XCTAssertTrue(control.wait(for: "pushed", seconds: 20), control.text)
        let p2 = try XCTUnwrap(pushed(control.text), control.text)
        let s2 = try XCTUnwrap(c.waitApplied(names, revision: p2.revision), "after restart: \(c.status())")
        timing("etcd restart->pending push in force on all 3 nodes", Date().timeIntervalSince(restart) * 1000)
        for n in names {
            let applied = Int64((s2[n]?["applied_unix_ms"] as? Int) ?? 0)
            timing("write (after etcd restart)->in force \(n)", Double(applied - p2.startedMs))
        }
        for i in 0..<3 {
            XCTAssertEqual(c.policyInForce(i)?.text, desired(8082), "node-\(i)")
            XCTAssertTrue(c.metrics(i).contains("sluice_control_etcd_connected 1"), "node-\(i)")
        }
        XCTAssertGreaterThan(c.policyInForce(1)?.version ?? 0, v1)
        control.stop(SIGTERM)

        // 4. A node started late converges on its own.
        let late = Date()
        try c.startNode(3)
        let ready = Date()
        _ = try XCTUnwrap(c.waitApplied(["node-3"], revision: p2.revision), "late node: \(c.status()) \(c.log(3))")
        timing("late node start->in sync (process start included)", Date().timeIntervalSince(late) * 1000)
        timing("late node ready->in sync", Date().timeIntervalSince(ready) * 1000)
        XCTAssertEqual(c.policyInForce(3)?.text, desired(8082))

        // The table people read.
        print(c.exec("'\(c.binary)' control status --config '\(c.dir)/control.yaml'").output)
    }

    func testSensorsAndOverridesReachNodesAndLocalDriftIsPutRight() throws {
        let c = try EtcdCluster()
        defer { c.tearDown() }
        try c.startEtcd()
        try c.startNode(0)
        try c.startNode(1)
        _ = try c.controlConfig(sensors: true, overrides: true)
        try c.write("sensors.yaml", """
        sensors:
          - name: cluster-test
            rules:
              - { id: 9100001, name: marker, context: url, patterns: ['^/cluster-marker'], action: alert, severity: 2 }

        """)
        try c.write("desired.yaml", protectPolicy(sensors: ["waf-core", "cluster-test"]))
        try c.write("overrides.yaml", "modes: { web: monitor }\n")
        let push = c.exec("'\(c.binary)' control --once --config '\(c.dir)/control.yaml'")
        XCTAssertEqual(push.status, 0, push.output)
        let p = try XCTUnwrap(pushed(push.output), push.output)
        _ = try XCTUnwrap(c.waitApplied(["node-0", "node-1"], revision: p.revision), "\(c.status()) \(c.log(0))")
        for i in 0..<2 {
            let w = c.exec("curl -s --unix-socket '\(c.dir)/node-\(i)/api.sock' -H 'Authorization: Bearer cluster-test-token' http://x/v1/workloads").output
            XCTAssertTrue(w.contains("\"monitor\""), "node-\(i): \(w)")
            let s = c.exec("curl -s --unix-socket '\(c.dir)/node-\(i)/api.sock' -H 'Authorization: Bearer cluster-test-token' http://x/v1/sensors").output
            XCTAssertTrue(s.contains("cluster-test"), "node-\(i): \(s)")
        }
        // A local push on node-1 is drift: reported, then put right by the heartbeat.
        let local = sh("curl -s -X PUT --unix-socket '\(c.dir)/node-1/api.sock' -H 'Authorization: Bearer cluster-test-token' "
                       + "--data-binary @'\(c.dir)/policy.yaml' 'http://x/v1/policy?name=local.yaml'")
        XCTAssertTrue(local.output.contains("version"), local.output)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, c.policyInForce(1)?.text != protectPolicy(sensors: ["waf-core", "cluster-test"]) { usleep(100_000) }
        XCTAssertEqual(c.policyInForce(1)?.text, protectPolicy(sensors: ["waf-core", "cluster-test"]), c.log(1))
        XCTAssertTrue(c.log(1).contains("drift"), c.log(1))
    }
}
#endif
