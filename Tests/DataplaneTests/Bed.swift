#if os(Linux)
import Foundation
import Glibc
import XCTest

/// Three namespaces for one test, removed by `tearDown()` (also after a failure):
///
///     client: c0 10.98.0.1 fd98::1 ──veth── ma  [middle]  mb ──veth── s0 10.98.0.2 fd98::2 :server
///
/// The middle namespace has no addresses and IPv6 off: Sluice inline on (ma, mb) is the only
/// path, or with `bridge: true` a Linux bridge over ma and mb forwards (the tap setup).
/// Names carry the pid and a counter, so reruns and parallel runs do not collide.
final class Bed {
    nonisolated(unsafe) static var counter = 0
    static let lock = NSLock()
    let client: String
    let middle: String
    let server: String
    /// Temporary folder for configs, logs, certificates and EVE; removed by `tearDown()`.
    let dir: String
    private var background: [Background] = []

    /// Skips when not root or when `ip netns` does not work here. `prefix` starts every
    /// namespace name, so one test file's namespaces are told apart from the others'.
    init(bridge: Bool = false, prefix: String = "sdp") throws {
        guard getuid() == 0 else { throw XCTSkip("dataplane tests need root") }
        guard Bed.missingTools.isEmpty else { throw XCTSkip("missing: \(Bed.missingTools.joined(separator: " "))") }
        let n = Bed.lock.withLock { Bed.counter += 1; return Bed.counter }
        let tag = "\(getpid())-\(n)"
        client = "\(prefix)-cli-\(tag)"
        middle = "\(prefix)-mid-\(tag)"
        server = "\(prefix)-srv-\(tag)"
        dir = NSTemporaryDirectory() + "sluice-dataplane-\(tag)"
        guard sh("ip netns add \(client)").status == 0 else { throw XCTSkip("ip netns unavailable") }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try build(bridge: bridge)
        } catch {
            tearDown()
            throw error
        }
    }

    private func build(bridge: Bool) throws {
        try run("ip netns add \(middle)")
        try run("ip netns add \(server)")
        try run("ip link add c0 netns \(client) type veth peer name ma netns \(middle)")
        try run("ip link add s0 netns \(server) type veth peer name mb netns \(middle)")
        try run("ip netns exec \(middle) sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")
        // `dev`: a bare "ma" would be read as the keyword "master".
        for (ns, devs) in [(client, ["lo", "c0"]), (middle, ["lo", "ma", "mb"]), (server, ["lo", "s0"])] {
            for d in devs { try run("ip -n \(ns) link set dev \(d) up") }
        }
        try run("ip -n \(client) addr add 10.98.0.1/24 dev c0")
        try run("ip -n \(server) addr add 10.98.0.2/24 dev s0")
        try run("ip -n \(client) addr add fd98::1/64 dev c0 nodad")
        try run("ip -n \(server) addr add fd98::2/64 dev s0 nodad")
        if bridge {
            try run("ip -n \(middle) link add br0 type bridge forward_delay 0 stp_state 0")
            try run("ip -n \(middle) link set dev ma master br0")
            try run("ip -n \(middle) link set dev mb master br0")
            try run("ip -n \(middle) link set dev br0 up")
        }
    }

    /// The programs the tests run that are not installed.
    static let missingTools: [String] = ["ip", "ss", "curl", "dig", "dnsmasq", "openssl", "python3"].filter {
        sh("command -v \($0)").status != 0
    }

    /// Runs a command that must succeed.
    func run(_ command: String) throws {
        let r = sh(command)
        if r.status != 0 { throw BedError("\(command): exit \(r.status): \(r.output)") }
    }

    /// Runs `command` in namespace `ns` and waits for it.
    @discardableResult
    func exec(_ ns: String, _ command: String) -> (status: Int32, output: String, seconds: Double) {
        sh("ip netns exec \(ns) \(command)")
    }

    /// Starts `command` in namespace `ns`, output to `dir/name.log`; stopped by `tearDown()`.
    func start(_ ns: String, _ name: String, _ command: String) throws -> Background {
        let b = try Background("ip netns exec \(ns) \(command)", log: "\(dir)/\(name).log")
        background.append(b)
        return b
    }

    /// Waits until something in `ns` listens on `port` (`tcp` or `udp`).
    func waitListening(_ ns: String, port: Int, proto: String = "tcp", seconds: Double = 10) throws {
        let flag = proto == "udp" ? "-lun" : "-ltn"
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if exec(ns, "ss -H \(flag) sport = :\(port)").output.contains(":\(port)") { return }
            usleep(50_000)
        }
        throw BedError("nothing listens on \(proto)/\(port) in \(ns)")
    }

    /// Writes `text` to `dir/name`; returns the path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(dir)/\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Stops every background program, removes the namespaces (taking their veths) and `dir`.
    func tearDown() {
        for b in background.reversed() { b.stop(SIGKILL, seconds: 2) }
        background.removeAll()
        for ns in [client, middle, server] { sh("ip netns del \(ns)") }
        // SLUICE_TEST_KEEP=1 keeps configs, logs and EVE for a look after the run.
        if ProcessInfo.processInfo.environment["SLUICE_TEST_KEEP"] == nil { try? FileManager.default.removeItem(atPath: dir) }
    }
}

/// A setup step that failed.
struct BedError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
#endif
