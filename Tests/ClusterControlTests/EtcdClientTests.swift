@testable import ClusterControl
import Foundation
import ConfigYAML
import Synchronization
import XCTest

/// The etcd client against a real etcd, and its decoding against hostile answers.
final class EtcdClientTests: XCTestCase {
    func config(_ url: String, prefix: String = "/t") -> ClusterConfig {
        var c = ClusterConfig()
        c.endpoints = [url]
        c.prefix = prefix
        c.node = "n1"
        return c
    }

    func testPutRangeAndWatchSeeEveryChange() async throws {
        _ = try EtcdProcess.requireBinary()
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let cfg = config(etcd.url)
        let client = try EtcdClient(config: cfg)
        let r1 = try await client.putAll([(cfg.policyKey, Array("a".utf8)), (cfg.sensorsKey, Array("s".utf8))])
        let (rev, kvs) = try await client.range(prefix: cfg.desiredPrefix)
        XCTAssertEqual(rev, r1)
        XCTAssertEqual(Set(kvs.map(\.key)), [cfg.policyKey, cfg.sensorsKey])
        XCTAssertTrue(kvs.allSatisfy { $0.modRevision == r1 }, "one transaction, one revision")

        let seen = Mutex<[EtcdEvent]>([])
        let created = Mutex(false)
        let watch = Task {
            try await client.watch(prefix: cfg.desiredPrefix, from: rev + 1, created: { created.withLock { $0 = true } }) { events, _ in
                seen.withLock { $0 += events }
            }
        }
        while !created.withLock({ $0 }) { try await Task.sleep(nanoseconds: 10_000_000) }
        let r2 = try await client.put(cfg.policyKey, Array("b".utf8))
        try await client.put(cfg.nodesPrefix + "n1", Array("{}".utf8))  // outside the watched prefix
        let r3 = try await client.delete(cfg.sensorsKey)
        for _ in 0..<200 where seen.withLock({ $0.count }) < 2 { try await Task.sleep(nanoseconds: 10_000_000) }
        watch.cancel()
        let events = seen.withLock { $0 }
        XCTAssertEqual(events.count, 2, "\(events)")
        XCTAssertEqual(events.first?.kv, EtcdKeyValue(key: cfg.policyKey, value: Array("b".utf8), modRevision: r2))
        XCTAssertEqual(events.last?.kind, .delete)
        XCTAssertEqual(events.last?.kv.modRevision, r3)

        var d = DesiredState()
        for kv in kvs { d.take(EtcdEvent(kind: .put, kv: kv), config: cfg) }
        for e in events { d.take(e, config: cfg) }
        XCTAssertEqual(d.policy?.text, "b")
        XCTAssertNil(d.sensors)
        XCTAssertEqual(d.revision, r2)
        await client.shutdown()
    }

    func testWatchFromACompactedRevisionAsksForAResync() async throws {
        _ = try EtcdProcess.requireBinary()
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let cfg = config(etcd.url)
        let client = try EtcdClient(config: cfg)
        for i in 0..<5 { try await client.put(cfg.policyKey, Array("v\(i)".utf8)) }
        let last = try await client.put(cfg.policyKey, Array("last".utf8))
        try await client.compact(last)
        do {
            try await client.watch(prefix: cfg.desiredPrefix, from: 2) { _, _ in }
            XCTFail("a compacted start revision must throw")
        } catch EtcdError.compacted(let r) {
            XCTAssertEqual(r, last)
        }
        await client.shutdown()
    }

    func testUnreachableEndpointsAreAnErrorNotAHang() async throws {
        let cfg = config("http://127.0.0.1:\(try EtcdProcess.freePort())")
        let client = try EtcdClient(config: cfg)
        do {
            _ = try await client.range(prefix: "/x")
            XCTFail("nothing listens there")
        } catch EtcdError.unreachable {}
        await client.shutdown()
    }

    func testHostileAnswersAreRejectedWithoutTrapping() throws {
        func line(_ s: String) throws -> [EtcdEvent] { try EtcdJSON.watchLine(Array(s.utf8)).events }
        let good = #"{"result":{"header":{"revision":"7"},"events":[{"kv":{"key":"L3QvZGVzaXJlZC9wb2xpY3k=","mod_revision":"7","value":"eA=="}}]}}"#
        XCTAssertEqual(try line(good).first?.kv.modRevision, 7)
        for bad in [
            #"{"result":{"header":{"revision":"-1"}}}"#,
            #"{"result":{"header":{"revision":"99999999999999999999999"}}}"#,
            #"{"result":{"header":{"revision":1e300}}}"#,
            #"{"result":{"header":{"revision":1.5}}}"#,
            #"{"result":{"header":{"revision":"7"},"events":[{"kv":{"key":"***","mod_revision":"7"}}]}}"#,
            #"{"result":{"header":{"revision":"7"},"events":[7]}}"#,
            #"{"result":{"header":{"revision":"7"},"events":[{"kv":{"key":"eA==","mod_revision":"9223372036854775808"}}]}}"#,
            #"["not", "an", "object"]"#,
            "not json",
        ] {
            XCTAssertThrowsError(try line(bad), bad)
        }
        XCTAssertThrowsError(try line(#"{"result":{"header":{"revision":"9"},"canceled":true,"compact_revision":"5"}}"#)) {
            guard case EtcdError.compacted(5) = $0 else { return XCTFail("\($0)") }
        }
        var splitter = LineSplitter(limit: 8)
        XCTAssertEqual(try splitter.push(Array("ab\ncd".utf8)), [Array("ab".utf8)])
        XCTAssertEqual(try splitter.push(Array("e\n\n".utf8)), [Array("cde".utf8)])
        XCTAssertThrowsError(try splitter.push([UInt8](repeating: 0x41, count: 9)))
        XCTAssertEqual(EtcdJSON.rangeEnd("/a/"), Array("/a0".utf8))
        XCTAssertEqual(EtcdJSON.rangeEnd("\u{7f}"), [0x80])
        // A damaged status decodes to nil, never a trap.
        XCTAssertNil(NodeStatus.decode(Array(#"{"applied_revision": 1e400}"#.utf8)))
    }

    func testClusterConfigNamesTheLineOfAnError() throws {
        func parse(_ yaml: String) throws -> ClusterConfig {
            let top = try ConfigMap.parse(yaml, file: "sluice.yaml")
            return try ClusterConfig.parse(try XCTUnwrap(try top.map("control")), resolve: { "/etc/" + $0 }, needsNode: true)
        }
        let c = try parse("control:\n  etcd: [http://10.0.0.1:2379/, https://e2:2379]\n  prefix: /sluice/prod\n  node: web-1\n"
                          + "  tls: { ca: ca.pem, cert: c.pem, key: k.pem }\n  auth: { user: sluice, password_file: pw }\n  status_interval: 5s\n")
        XCTAssertEqual(c.endpoints, ["http://10.0.0.1:2379", "https://e2:2379"])
        XCTAssertEqual(c.statusKey, "/sluice/prod/nodes/web-1")
        XCTAssertEqual(c.policyKey, "/sluice/prod/desired/policy")
        XCTAssertEqual(c.caFile, "/etc/ca.pem")
        XCTAssertEqual(c.passwordFile, "/etc/pw")
        XCTAssertEqual(c.statusIntervalSeconds, 5)
        for (yaml, line) in [
            ("control:\n  etcd: [ftp://x]\n", 2),
            ("control:\n  etcd: [http://x:99999]\n", 2),
            ("control:\n  etcd: [http://x]\n  prefix: no-slash\n", 3),
            ("control:\n  etcd: [http://x]\n  node: \"a/b\"\n", 3),
            ("control:\n  etcd: [http://x]\n  tls: { cert: c.pem }\n", 3),
            ("control:\n  etcd: [http://x]\n  bogus: 1\n", 3),
            ("control:\n  prefix: /x\n", 2),
        ] {
            XCTAssertThrowsError(try parse(yaml), yaml) { e in
                XCTAssertEqual((e as? ConfigError)?.line, line, "\(yaml): \(e)")
            }
        }
    }
}
