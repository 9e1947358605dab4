import Foundation
import Glibc
import XCTest

/// A real etcd on loopback for one test: a temporary data folder and free ports; `stop()`
/// kills it and removes the folder.
final class EtcdProcess {
    let url: String
    let dir: String
    let pid: pid_t

    /// Skips when the `etcd` binary is missing (call at the top of a test).
    static func requireBinary() throws -> String {
        for d in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(d)/etcd"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw XCTSkip("etcd is not installed (apt-get install etcd-server)")
    }

    /// With `tls` (a folder holding ca.pem, server.pem and server.key), etcd serves https and
    /// requires a client certificate signed by that CA.
    init(tls: String? = nil) throws {
        let binary = try Self.requireBinary()
        let (client, peer) = (try Self.freePort(), try Self.freePort())
        url = "\(tls == nil ? "http" : "https")://127.0.0.1:\(client)"
        dir = NSTemporaryDirectory() + "sluice-etcd-\(getpid())-\(client)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let args = [binary, "--name", "t", "--data-dir", dir + "/data",
                    "--listen-client-urls", url, "--advertise-client-urls", url,
                    "--listen-peer-urls", "http://127.0.0.1:\(peer)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peer)",
                    "--initial-cluster", "t=http://127.0.0.1:\(peer)"]
            + (tls.map { ["--cert-file", $0 + "/server.pem", "--key-file", $0 + "/server.key",
                          "--trusted-ca-file", $0 + "/ca.pem", "--client-cert-auth"] } ?? [])
        var p: pid_t = 0
        let argv = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // Its log goes to a file in the data folder, not into the test output.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, dir + "/etcd.log", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let rc = posix_spawn(&p, binary, &actions, nil, argv, environ)
        guard rc == 0 else { throw EtcdProcessError("cannot start etcd: \(String(cString: strerror(rc)))") }
        pid = p
        // Ready when the client port accepts a connection.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if Self.accepts(client) { return }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: dir + "/etcd.log", encoding: .utf8)) ?? ""
        stop()
        throw EtcdProcessError("etcd did not start within 20 s:\n\(log.suffix(2000))")
    }

    func stop() {
        kill(pid, SIGKILL)
        var s: Int32 = 0
        while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw XCTSkip("no free port") }
        return Int(UInt16(bigEndian: a.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// etcd is installed but did not start: a failure, not a skip.
struct EtcdProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
