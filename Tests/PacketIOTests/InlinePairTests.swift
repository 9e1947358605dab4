#if os(Linux)
import Dispatch
import Foundation
import PacketIO
import XCTest

/// Drops TCP segments to or from one port (IPv4 or IPv6, behind any 802.1Q tags).
struct DropTCPPort: InlineVerdictProvider {
    let port: UInt16
    var dropped = 0
    var seen = 0

    mutating func verdict(frame: CapturedPacket, fromA: Bool) -> InlineVerdict {
        seen += 1
        let d = frame.data
        var o = 12
        while d.count >= o + 4, d[o] == 0x81, d[o + 1] == 0x00 { o += 4 }
        guard d.count >= o + 2 else { return .pass }
        let type = UInt16(d[o]) << 8 | UInt16(d[o + 1])
        let l3 = o + 2
        var l4 = 0
        if type == 0x0800, d.count >= l3 + 20, d[l3 + 9] == 6 {
            l4 = l3 + Int(d[l3] & 0x0f) * 4
        } else if type == 0x86DD, d.count >= l3 + 40, d[l3 + 6] == 6 {
            l4 = l3 + 40
        } else {
            return .pass
        }
        guard d.count >= l4 + 4 else { return .pass }
        let src = UInt16(d[l4]) << 8 | UInt16(d[l4 + 1])
        let dst = UInt16(d[l4 + 2]) << 8 | UInt16(d[l4 + 3])
        if src == port || dst == port {
            dropped += 1
            return .drop
        }
        return .pass
    }
}

/// Runs `command` while the pair forwards on this thread; returns its status and output.
func forwarding<P: InlineVerdictProvider & ~Copyable>(_ pair: inout InlinePair<AFPacketInlinePort, P>, while command: String,
                                                      limit: Double = 60) throws -> (status: Int32, output: String) {
    let (p, pipe) = try spawn(command)
    let reader = OutputReader(pipe)
    // Output is read on another thread so a chatty program never blocks on a full pipe.
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        _ = reader.wait(for: "\u{0}never")
        done.signal()
    }
    let deadline = monotonicSeconds() + limit
    while p.isRunning {
        if monotonicSeconds() > deadline { p.terminate() }
        if pair.forwardReady() == 0 { _ = try pair.waitEither(timeoutMs: 2) }
    }
    p.waitUntilExit()
    done.wait()
    return (p.terminationStatus, reader.text)
}

final class InlinePairTests: XCTestCase {
    /// A pair in the middle namespace is the only path between client and server. Through it
    /// ping (v4 and v6) and HTTP with real programs work, a 5 MB download (GSO super-frames
    /// from veth's TSO) arrives intact, the verdict blocks TCP port 81 while port 80 works, and
    /// 802.1Q-tagged frames leave with their tag.
    func testPairBridgesRealTrafficAndEnforcesVerdicts() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        let root = NSTemporaryDirectory() + "sluice-www-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var big = [UInt8](repeating: 0, count: 5 << 20)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in big.indices {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            big[i] = UInt8(truncatingIfNeeded: x)
        }
        try Data(big).write(to: URL(fileURLWithPath: root + "/big.bin"))
        try Data("hello through sluice\n".utf8).write(to: URL(fileURLWithPath: root + "/hello.txt"))
        for port in [80, 81] {
            _ = try topo.start(in: topo.server, "python3 -m http.server \(port) --bind :: --directory \(root)")
        }
        // Both servers answer locally (inside the server namespace), so a failure through the
        // pair is the pair's doing.
        for port in [80, 81] {
            var code = ""
            for _ in 0..<50 where code != "200" {
                code = sh("ip netns exec \(topo.server) curl -s -o /dev/null -w '%{http_code}' http://10.99.1.2:\(port)/hello.txt").output
                if code != "200" { usleep(100_000) }
            }
            XCTAssertEqual(code, "200", "server on port \(port) is up")
        }
        let cli = "ip netns exec \(topo.client)"
        XCTAssertNotEqual(sh("\(cli) ping -c 1 -W 1 10.99.1.2").status, 0, "no path without the pair")

        var pair = try topo.inMiddle {
            try InlinePair(interfaceA: "ma", interfaceB: "mb", provider: DropTCPPort(port: 81))
        }

        var r = try forwarding(&pair, while: "\(cli) ping -c 3 -i 0.2 -W 2 10.99.1.2")
        XCTAssertEqual(r.status, 0, r.output)
        r = try forwarding(&pair, while: "\(cli) ping -6 -c 3 -i 0.2 -W 2 fd99::2")
        XCTAssertEqual(r.status, 0, r.output)

        r = try forwarding(&pair, while: "\(cli) curl -s --max-time 10 http://10.99.1.2:80/hello.txt")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.output, "hello through sluice\n")
        r = try forwarding(&pair, while: "\(cli) curl -s --max-time 10 http://[fd99::2]:80/hello.txt")
        XCTAssertEqual(r.output, "hello through sluice\n", "over IPv6")

        let download = root + "/download.bin"
        r = try forwarding(&pair, while: "\(cli) curl -s --max-time 30 -o \(download) -w '%{http_code}' http://10.99.1.2:80/big.bin")
        XCTAssertEqual(r.output, "200")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: download)), Data(big), "5 MB intact")
        XCTAssertGreaterThan(pair.bToA.superFrames, 0, "the server's TSO made GSO super-frames")
        XCTAssertGreaterThan(pair.bToA.largestFrame, 1514, "longer than the MTU, forwarded whole")

        XCTAssertEqual(pair.provider.dropped, 0)
        r = try forwarding(&pair, while: "\(cli) curl -s --max-time 3 http://10.99.1.2:81/hello.txt")
        XCTAssertNotEqual(r.status, 0, "port 81 is dropped: \(r.output)")
        XCTAssertGreaterThan(pair.provider.dropped, 0)
        XCTAssertEqual(UInt64(pair.provider.dropped), pair.aToB.dropped + pair.bToA.dropped)
        r = try forwarding(&pair, while: "\(cli) curl -s --max-time 10 http://10.99.1.2:80/hello.txt")
        XCTAssertEqual(r.output, "hello through sluice\n", "port 80 still works")

        // Tagged frames: the kernel strips the tag on receive; the pair must put it back on
        // the way out. Runs through run(until:), stopped from another thread.
        let stop = AFPacketStopSignal()
        var atServer = try topo.inNamespace(topo.server) {
            try AFPacketSource(interface: "s0", config: smallRing(), stop: AFPacketStopSignal())
        }
        let n = 40
        let (sender, _) = try spawn("\(cli) \(Scripts.python("send_frames.py")) c0 \(n) 100")
        DispatchQueue.global().async {
            sender.waitUntilExit()
            usleep(300_000)
            stop.stop()
        }
        try pair.run(until: stop)
        var order: [Int] = []
        while let p = atServer.nextPacketIfReady() {
            let d = p.data
            guard d.count >= 18, d[12] == 0x81, d[13] == 0x00, Int(d[14] & 0x0f) << 8 | Int(d[15]) == 100,
                  let seq = markerSequence(d, etherOffset: 16) else { continue }
            XCTAssertEqual(d.count, Scripts.frameLength(seq) + 4)
            order.append(seq)
        }
        XCTAssertEqual(order, Array(0..<n), "tagged frames forwarded with their tag")

        XCTAssertEqual(pair.ports.a.transmitter.failed + pair.ports.b.transmitter.failed, 0, "errno \(pair.ports.a.transmitter.lastErrno) \(pair.ports.b.transmitter.lastErrno)")
        XCTAssertEqual(pair.aToB.truncated + pair.bToA.truncated, 0)
        XCTAssertEqual(pair.ports.b.transmitter.sent, pair.aToB.forwarded)
        XCTAssertEqual(pair.ports.a.transmitter.sent, pair.bToA.forwarded)
        try pair.refreshKernelStatistics()
        let (a, b) = pair.statistics
        print("InlinePair a->b \(pair.aToB)\nInlinePair b->a \(pair.bToA)\nA \(a)\nB \(b)")
        XCTAssertGreaterThanOrEqual(a.kernelPackets, a.received)
        XCTAssertEqual(a.kernelDrops + b.kernelDrops, 0)
        XCTAssertEqual(a.received, a.forwarded + a.dropped)
        XCTAssertEqual(b.received, b.forwarded + b.dropped)
        XCTAssertEqual(b.transmitted, a.forwarded, "what A forwarded left through B")
        XCTAssertEqual(a.transmitted, b.forwarded)
        XCTAssertGreaterThanOrEqual(a.vlanReinserted, UInt64(n))
    }

    /// Two pairs on the same two interfaces in one fanout group (two workers): together they
    /// carry 16 HTTP connections, each connection, both directions, through one pair only,
    /// and both pairs get some.
    func testFanoutPairsKeepEachFlowOnOneWorker() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        _ = try topo.start(in: topo.server, "python3 -m http.server 80 --bind 10.99.1.2 --directory /")
        var up = ""
        for _ in 0..<50 where up != "200" {
            up = sh("ip netns exec \(topo.server) curl -s -o /dev/null -w '%{http_code}' http://10.99.1.2:80/").output
            if up != "200" { usleep(100_000) }
        }
        XCTAssertEqual(up, "200")
        var config = AFPacketConfig.inline
        config.fanoutGroup = UInt16(truncatingIfNeeded: getpid()) & 0xfffe
        var one = try topo.inMiddle { try InlinePair(interfaceA: "ma", interfaceB: "mb", config: config, provider: FlowRecorder()) }
        var two = try topo.inMiddle { try InlinePair(interfaceA: "ma", interfaceB: "mb", config: config, provider: FlowRecorder()) }

        let connections = 16
        let (p, pipe) = try spawn("ip netns exec \(topo.client) sh -c 'for i in $(seq \(connections)); do curl -s -o /dev/null -w \"%{http_code} \" --max-time 5 http://10.99.1.2:80/; done'")
        let deadline = monotonicSeconds() + 60
        while p.isRunning, monotonicSeconds() < deadline {
            let n = one.forwardReady() + two.forwardReady()
            if n == 0 {
                _ = try one.waitEither(timeoutMs: 1)
            }
        }
        p.waitUntilExit()
        let codes = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(codes.split(separator: " ").filter { $0 == "200" }.count, connections, codes)

        let a = one.provider.flows, b = two.provider.flows
        XCTAssertEqual(a.count + b.count, connections, "every connection seen")
        XCTAssertTrue(a.isDisjoint(with: b), "no connection on both pairs")
        XCTAssertGreaterThan(a.count, 0)
        XCTAssertGreaterThan(b.count, 0)
        for (flow, dirs) in one.provider.directions.merging(two.provider.directions, uniquingKeysWith: { $0.union($1) }) {
            XCTAssertEqual(dirs, [true, false], "both directions of \(flow) through its pair")
        }
    }
}

/// Passes everything and notes each TCP connection (by its client port) and from which
/// side its frames came.
struct FlowRecorder: InlineVerdictProvider {
    var flows: Set<Int> = []
    var directions: [Int: Set<Bool>] = [:]

    mutating func verdict(frame: CapturedPacket, fromA: Bool) -> InlineVerdict {
        let d = frame.data
        guard d.count >= 54, d[12] == 0x08, d[13] == 0x00, d[23] == 6 else { return .pass }
        let l4 = 14 + Int(d[14] & 0x0f) * 4
        let src = Int(d[l4]) << 8 | Int(d[l4 + 1]), dst = Int(d[l4 + 2]) << 8 | Int(d[l4 + 3])
        let client = src == 80 ? dst : src
        flows.insert(client)
        directions[client, default: []].insert(fromA)
        return .pass
    }
}
#endif
