@testable import ClusterControl
import Foundation
import Synchronization
import XCTest

/// The client against an etcd with authentication on: the token is fetched with the
/// configured user and password file and sent with every request, watches included.
final class EtcdAuthTests: XCTestCase {
    func etcdctl(_ url: String, _ args: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ETCDCTL_API=3 etcdctl --endpoints=\(url) \(args) >/dev/null 2>&1"]
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    func testUserAndPasswordFileAuthenticate() async throws {
        _ = try EtcdProcess.requireBinary()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/etcdctl") else { throw XCTSkip("etcdctl missing (etcd-client)") }
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        XCTAssertEqual(etcdctl(etcd.url, "user add root:s3cret"), 0)
        XCTAssertEqual(etcdctl(etcd.url, "auth enable"), 0)
        let pw = etcd.dir + "/password"
        try Data("s3cret\n".utf8).write(to: URL(fileURLWithPath: pw))

        var cfg = ClusterConfig()
        cfg.endpoints = [etcd.url]
        cfg.prefix = "/auth"
        (cfg.user, cfg.passwordFile) = ("root", pw)
        let client = try EtcdClient(config: cfg)
        let rev = try await client.put(cfg.policyKey, Array("p".utf8))
        let (_, kvs) = try await client.range(prefix: cfg.desiredPrefix)
        XCTAssertEqual(kvs.first?.modRevision, rev)
        // A watch carries the token too: it sees the put made before it.
        let seen = Mutex<Int64>(0)
        let prefix = cfg.desiredPrefix
        let watch = Task {
            try await client.watch(prefix: prefix, from: rev) { events, _ in
                seen.withLock { $0 = events.first?.kv.modRevision ?? -1 }
            }
        }
        for _ in 0..<500 where seen.withLock({ $0 }) == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        watch.cancel()
        let got = seen.withLock { $0 }
        XCTAssertEqual(got, rev)
        await client.shutdown()

        // Without credentials, or with the wrong password: an error, not a hang or a trap.
        cfg.user = nil
        cfg.passwordFile = nil
        let anonymous = try EtcdClient(config: cfg)
        do { _ = try await anonymous.range(prefix: cfg.desiredPrefix); XCTFail("auth is on") } catch EtcdError.failed {}
        await anonymous.shutdown()
        try Data("wrong\n".utf8).write(to: URL(fileURLWithPath: pw))
        (cfg.user, cfg.passwordFile) = ("root", pw)
        let wrong = try EtcdClient(config: cfg)
        do { _ = try await wrong.put(cfg.policyKey, []); XCTFail("wrong password") } catch EtcdError.failed {}
        await wrong.shutdown()
    }
}
