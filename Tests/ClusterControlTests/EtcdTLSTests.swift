@testable import ClusterControl
import Foundation
import XCTest

/// The client against an etcd that serves https and requires client certificates, with a CA
/// and certificates made by openssl for the test.
final class EtcdTLSTests: XCTestCase {
    func sh(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "( " + command + " ) >/dev/null 2>&1"]
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// ca.pem, server.pem/key (for 127.0.0.1) and client.pem/key in `dir`.
    func makeCertificates(_ dir: String) throws {
        let key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        for c in [
            "openssl req -x509 \(key) -keyout ca.key -out ca.pem -days 1 -subj /CN=sluice-test-ca",
            "openssl req \(key) -keyout server.key -out server.csr -subj /CN=127.0.0.1",
            // etcd's JSON gateway dials its own gRPC port with the server certificate: with
            // client certificates required, that certificate must allow clientAuth too.
            "printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n' > server.ext",
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext",
            "openssl req \(key) -keyout client.key -out client.csr -subj /CN=sluice-node",
            "printf 'extendedKeyUsage=clientAuth\\n' > client.ext",
            "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1 -extfile client.ext",
        ] {
            guard sh("cd '\(dir)' && \(c)") == 0 else { throw XCTSkip("openssl failed: \(c)") }
        }
    }

    func testClientCertificateAndCAReachAnHTTPSEtcd() async throws {
        _ = try EtcdProcess.requireBinary()
        guard sh("command -v openssl") == 0 else { throw XCTSkip("openssl missing") }
        let dir = NSTemporaryDirectory() + "sluice-etcd-tls-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try makeCertificates(dir)
        let etcd = try EtcdProcess(tls: dir)
        defer { etcd.stop() }

        var cfg = ClusterConfig()
        cfg.endpoints = [etcd.url]
        cfg.prefix = "/tls"
        (cfg.caFile, cfg.certFile, cfg.keyFile) = (dir + "/ca.pem", dir + "/client.pem", dir + "/client.key")
        let client = try EtcdClient(config: cfg)
        let rev = try await client.put(cfg.policyKey, Array("p".utf8))
        let read = try await client.range(prefix: cfg.desiredPrefix)
        XCTAssertEqual(read.kvs.first?.modRevision, rev)
        await client.shutdown()

        // No client certificate: refused, reported, no hang.
        (cfg.certFile, cfg.keyFile) = (nil, nil)
        let anonymous = try EtcdClient(config: cfg)
        do { _ = try await anonymous.range(prefix: cfg.desiredPrefix); XCTFail("etcd requires a client certificate") } catch {}
        await anonymous.shutdown()

        // A CA file that is not there: a start-up error naming it.
        cfg.caFile = dir + "/missing.pem"
        XCTAssertThrowsError(try EtcdClient(config: cfg)) { XCTAssertTrue("\($0)".contains("missing.pem"), "\($0)") }
    }
}
