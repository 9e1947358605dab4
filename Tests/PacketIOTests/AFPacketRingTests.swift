#if os(Linux)
import Dispatch
import Foundation
import PacketIO
import XCTest

/// The sequence number of a `send_frames.py` frame whose ethertype sits at `etherOffset`.
func markerSequence(_ d: UnsafeRawBufferPointer, etherOffset: Int = 12) -> Int? {
    let o = etherOffset
    guard d.count >= o + 12, d[o] == 0x88, d[o + 1] == 0xB5,
          Array(d[(o + 2)..<(o + 8)]) == Array("SLUICE".utf8) else { return nil }
    return Int(d[o + 8]) << 24 | Int(d[o + 9]) << 16 | Int(d[o + 10]) << 8 | Int(d[o + 11])
}

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func wallNanos() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// A small ring (64 KiB blocks) for tests that send little.
func smallRing() -> AFPacketConfig {
    var c = AFPacketConfig()
    c.blockSize = 1 << 16
    c.blockCount = 32
    c.blockTimeoutMs = 5
    return c
}

final class AFPacketRingTests: XCTestCase {
    /// Frames sent by python on the client side arrive in the ring exactly: each once, in order,
    /// with its length, a current timestamp, and the kernel reporting no drops. Then the
    /// blocking `nextPacket()` waits for traffic and returns nil once stopped.
    func testRingReceivesExactlyTheFramesSent() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        let stop = AFPacketStopSignal()
        var source = try topo.inMiddle { try AFPacketSource(interface: "ma", config: smallRing(), stop: stop) }
        XCTAssertEqual(source.linkType, .ethernet)

        let n = 600
        let sent = sh("ip netns exec \(topo.client) \(Scripts.python("send_frames.py")) c0 \(n)")
        XCTAssertEqual(sent.status, 0, sent.output)
        let sentBytes = sent.output.split(separator: " ").dropFirst().first.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }

        var order: [Int] = []
        var bytes = 0
        let start = wallNanos()
        let deadline = monotonicSeconds() + 10
        while order.count < n, monotonicSeconds() < deadline {
            guard let p = source.nextPacketIfReady() else {
                _ = try source.ring.wait(timeoutMs: 20)
                continue
            }
            guard let seq = markerSequence(p.data) else { continue }  // e.g. IPv6 chatter
            XCTAssertEqual(p.data.count, Scripts.frameLength(seq))
            XCTAssertEqual(p.wireLength, Scripts.frameLength(seq))
            XCTAssertLessThan(start > p.timestamp ? start - p.timestamp : p.timestamp - start, 30_000_000_000)
            order.append(seq)
            bytes += p.data.count
        }
        XCTAssertEqual(order, Array(0..<n), "every frame once, in order")
        XCTAssertEqual(bytes, sentBytes)
        try source.ring.refreshKernelStatistics()
        XCTAssertEqual(source.ring.statistics.kernelDrops, 0)
        XCTAssertGreaterThanOrEqual(source.ring.statistics.kernelPackets, UInt64(n))
        XCTAssertGreaterThanOrEqual(source.ring.statistics.received, UInt64(n))
        XCTAssertEqual(source.ring.statistics.truncated, 0)

        // Nothing more is sent: nextPacket() waits until the stop signal, then returns nil.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { stop.stop() }
        let t0 = monotonicSeconds()
        while let p = try source.nextPacket() { XCTAssertNil(markerSequence(p.data)) }
        XCTAssertGreaterThan(monotonicSeconds() - t0, 0.25)
    }

    /// Two sockets in one fanout group: together they see every frame exactly once, each flow
    /// (both directions, the hash is symmetric) stays on one socket, and both get flows.
    func testFanoutSplitsFlowsAndSeesEverything() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        var config = smallRing()
        config.fanoutGroup = UInt16(truncatingIfNeeded: getpid())
        var one = try topo.inMiddle { try AFPacketRing(interface: "ma", config: config) }
        var two = try topo.inMiddle { try AFPacketRing(interface: "ma", config: config) }

        let flows = 32, perFlow = 8, total = flows * perFlow * 2
        let sent = sh("ip netns exec \(topo.client) \(Scripts.python("send_flows.py")) c0 \(flows) \(perFlow)")
        XCTAssertEqual(sent.status, 0, sent.output)

        // (flow, packet) -> which socket saw it.
        var seenBy: [Int: Set<Int>] = [:]
        var packets: [Int: Int] = [:]
        func drain(_ ring: inout AFPacketRing, _ which: Int) {
            while let f = ring.nextFrame() {
                let d = f.packet.data
                // Ethernet, IPv4 (20 bytes), UDP (8): the payload starts at 42.
                guard d.count >= 52, d[12] == 0x08, d[13] == 0x00, d[23] == 17,
                      Array(d[42..<48]) == Array("SLUICE".utf8) else { continue }
                let flow = Int(d[48]) << 8 | Int(d[49])
                let k = Int(d[50]) << 8 | Int(d[51])
                seenBy[flow, default: []].insert(which)
                packets[flow * 1000 + k, default: 0] += 1
            }
            ring.releaseConsumed()
        }
        let deadline = monotonicSeconds() + 10
        while packets.values.reduce(0, +) < total, monotonicSeconds() < deadline {
            drain(&one, 0)
            drain(&two, 1)
            _ = try AFPacketRing.waitEither(one, two, timeoutMs: 20)
        }
        XCTAssertEqual(packets.count, total, "every frame seen")
        XCTAssertEqual(Set(packets.values), [1], "and seen once")
        XCTAssertEqual(seenBy.count, flows)
        XCTAssertTrue(seenBy.values.allSatisfy { $0.count == 1 }, "a flow, both directions, on one socket: \(seenBy)")
        let perSocket = (0...1).map { s in seenBy.values.filter { $0.contains(s) }.count }
        XCTAssertGreaterThan(perSocket[0], 0, "socket 0 got flows")
        XCTAssertGreaterThan(perSocket[1], 0, "socket 1 got flows")
        XCTAssertEqual(one.statistics.received + two.statistics.received >= UInt64(total), true)
    }

    /// The interface going down is reported (ENETDOWN, with its name) instead of leaving the
    /// caller spinning on POLLERR, and the same source receives again once it is back up.
    func testInterfaceDownIsReportedAndRecoverable() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        let stop = AFPacketStopSignal()
        var source = try topo.inMiddle { try AFPacketSource(interface: "ma", config: smallRing(), stop: stop) }
        try topo.run("ip -n \(topo.middle) link set dev ma down")
        do {
            _ = try source.nextPacket()
            XCTFail("no error reported")
        } catch {
            XCTAssertTrue(error.description.hasPrefix("ma: poll:"), error.description)
            XCTAssertTrue(error.description.contains("errno \(ENETDOWN)"), error.description)
        }
        try topo.run("ip -n \(topo.middle) link set dev ma up")
        usleep(200_000)  // veth carrier
        let sent = sh("ip netns exec \(topo.client) \(Scripts.python("send_frames.py")) c0 5")
        XCTAssertEqual(sent.status, 0, sent.output)
        var seqs: [Int] = []
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { stop.stop() }
        while let p = try source.nextPacket() {
            if let s = markerSequence(p.data) { seqs.append(s) }
        }
        XCTAssertEqual(seqs, Array(0..<5))
    }
}
#endif
