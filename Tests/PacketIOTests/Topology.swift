#if os(Linux)
import Foundation
import Glibc
import Synchronization
import XCTest

/// Runs `/bin/sh -c command` and returns its exit status and output (stdout and stderr).
@discardableResult
func sh(_ command: String) -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    do { try p.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Starts `/bin/sh -c command` in the background, output to a pipe.
func spawn(_ command: String) throws -> (process: Process, output: Pipe) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    // exec: the Process is the program itself, so terminate() reaches it.
    p.arguments = ["-c", "exec " + command]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    return (p, pipe)
}

/// Accumulates a background program's output, so a marker already read stays found.
final class OutputReader: @unchecked Sendable {  // read by one thread at a time
    let pipe: Pipe
    private(set) var text = ""

    init(_ pipe: Pipe) { self.pipe = pipe }

    /// Reads until the output holds `marker` and the rest of its line (or the pipe closes);
    /// returns all of it. A marker alone is not enough: the line after it ("got 300 ...") can
    /// arrive in a later read, and parsing it half-read failed the test now and then.
    func wait(for marker: String) -> String {
        let fd = pipe.fileHandleForReading.fileDescriptor
        var buffer = [UInt8](repeating: 0, count: 65536)
        func complete() -> Bool {
            guard let r = text.range(of: marker) else { return false }
            return text[r.upperBound...].contains("\n")
        }
        while !complete() {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        return text
    }
}

/// Network namespaces and veth pairs built for one test and removed by `tearDown()`:
///
///     cli ns: c0 ──veth── ma :mid ns: mb ──veth── s0 : srv ns
///
/// The middle namespace has no addresses and no IP forwarding; the test process opens its
/// AF_PACKET sockets there by switching its own thread into it (`inMiddle`). Names carry the
/// pid and a counter, so reruns and parallel runs do not collide.
final class Topology {
    static let counter = Atomic<Int>(0)
    let client: String
    let middle: String
    let server: String
    private var background: [Process] = []

    /// Skips when not root or when `ip netns` does not work here.
    init() throws {
        guard getuid() == 0 else { throw XCTSkip("AF_PACKET tests need root") }
        let tag = "\(getpid())-\(Topology.counter.add(1, ordering: .relaxed).newValue)"
        client = "sluice-cli-\(tag)"
        middle = "sluice-mid-\(tag)"
        server = "sluice-srv-\(tag)"
        guard sh("ip netns add \(client)").status == 0 else { throw XCTSkip("ip netns unavailable") }
        do { try build() } catch {
            tearDown()
            throw error
        }
    }

    private func build() throws {
        try run("ip netns add \(middle)")
        try run("ip netns add \(server)")
        try run("ip link add c0 netns \(client) type veth peer name ma netns \(middle)")
        try run("ip link add s0 netns \(server) type veth peer name mb netns \(middle)")
        // Nothing in the middle speaks: no IPv6 link-local chatter, no addresses.
        try run("ip netns exec \(middle) sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")
        for (ns, devs) in [(client, ["lo", "c0"]), (middle, ["lo", "ma", "mb"]), (server, ["lo", "s0"])] {
            for d in devs { try run("ip -n \(ns) link set dev \(d) up") }
        }
        try run("ip -n \(client) addr add 10.99.1.1/24 dev c0")
        try run("ip -n \(server) addr add 10.99.1.2/24 dev s0")
        try run("ip -n \(client) addr add fd99::1/64 dev c0 nodad")
        try run("ip -n \(server) addr add fd99::2/64 dev s0 nodad")
    }

    /// Runs a command that must succeed.
    func run(_ command: String) throws {
        let r = sh(command)
        if r.status != 0 { throw TopologyError("\(command): exit \(r.status): \(r.output)") }
    }

    /// Starts a program in a namespace, stopped by `tearDown()`.
    func start(in ns: String, _ command: String) throws -> OutputReader {
        let (p, pipe) = try spawn("ip netns exec \(ns) \(command)")
        background.append(p)
        return OutputReader(pipe)
    }

    /// Removes everything: background programs, then the namespaces (which takes their veths).
    func tearDown() {
        for p in background where p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        background.removeAll()
        for ns in [client, middle, server] { sh("ip netns del \(ns)") }
    }

    /// Runs `body` with the calling thread in namespace `ns`, then switches back. Sockets made
    /// in `body` stay in `ns` for life; network namespaces are per thread, so this is safe in
    /// a multithreaded process.
    func inNamespace<T: ~Copyable>(_ ns: String, _ body: () throws -> T) throws -> T {
        let target = open("/run/netns/\(ns)", O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw TopologyError("open /run/netns/\(ns): errno \(errno)") }
        defer { close(target) }
        let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { throw TopologyError("open own netns: errno \(errno)") }
        defer { close(home) }
        guard Topology.setns(target, Topology.cloneNewNet) == 0 else { throw TopologyError("setns \(ns): errno \(errno)") }
        defer { precondition(Topology.setns(home, Topology.cloneNewNet) == 0, "could not return to own netns") }
        return try body()
    }

    /// `inNamespace(middle, body)`.
    func inMiddle<T: ~Copyable>(_ body: () throws -> T) throws -> T { try inNamespace(middle, body) }

    // Glibc's Swift module does not export setns(2); look it up once.
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private static let setns: SetNS = unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns"), to: SetNS.self)
    private static let cloneNewNet: Int32 = 0x4000_0000
}

/// A topology step that failed.
struct TopologyError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
#endif
