#if os(Linux)
import Foundation
import PacketIO
import XCTest

/// 60-byte IPv4/UDP frames, 10.99.1.1:(10000 + i % 256) -> 10.99.1.2:9, in one buffer.
func udpFrames(count: Int) -> UnsafeMutableRawBufferPointer {
    let size = 60
    let b = UnsafeMutableRawBufferPointer.allocate(byteCount: count * size, alignment: 8)
    b.initializeMemory(as: UInt8.self, repeating: 0)
    for i in 0..<count {
        var f: [UInt8] = [0x02, 0x99, 0, 0, 0, 0x02, 0x02, 0x99, 0, 0, 0, 0x01, 0x08, 0x00,
                          0x45, 0, 0, 46, UInt8(i >> 8 & 0xff), UInt8(i & 0xff), 0, 0, 64, 17, 0, 0,
                          10, 99, 1, 1, 10, 99, 1, 2]
        let sport = 10000 + i % 256
        f += [UInt8(sport >> 8), UInt8(sport & 0xff), 0, 9, 0, 26, 0, 0]
        var sum = 0
        for k in stride(from: 14, to: 34, by: 2) { sum += Int(f[k]) << 8 | Int(f[k + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        f[24] = UInt8(~sum >> 8 & 0xff)
        f[25] = UInt8(~sum & 0xff)
        for (k, v) in f.enumerated() { b[i * size + k] = v }
    }
    return b
}

final class InlinePairRateTests: XCTestCase {
    /// Measures the pair's forwarding rate on veth: the client fills ring A with small UDP
    /// frames while the pair is idle, then the pair forwards them all to B (read, verdict,
    /// sendmmsg, the kernel's veth delivery). Asserts every frame is accounted for; prints
    /// the rate (a debug build unless run with -c release).
    func testForwardingRateOnVeth() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        // A long block timeout, so that blocks are retired full while the client sends and
        // 60 000 small frames fit in the ring (with 1 ms, a slow sender retires a block per ms).
        var config = AFPacketConfig.inline
        config.blockTimeoutMs = 100
        var pair = try topo.inMiddle {
            try InlinePair(interfaceA: "ma", interfaceB: "mb", config: config, provider: DropTCPPort(port: 81))
        }
        var sender = try topo.inNamespace(topo.client) { try AFPacketTransmitter(interface: "c0", batchSize: 64) }
        let n = 60_000
        let frames = udpFrames(count: n)
        defer { frames.deallocate() }
        for i in 0..<n {
            sender.enqueue(bytes: UnsafeRawBufferPointer(rebasing: frames[(i * 60)..<(i * 60 + 60)]))
        }
        sender.flush()
        XCTAssertEqual(sender.sent, UInt64(n), "errno \(sender.lastErrno)")
        usleep(200_000)  // let the kernel retire the last block

        // Time only the forwarding calls, not the idle waits at the end.
        var busy = 0.0
        var idle = 0
        while idle < 3 {
            let t0 = monotonicSeconds()
            let handled = pair.forwardReady(budget: 1024)
            busy += monotonicSeconds() - t0
            if handled == 0 {
                idle += 1
                _ = try AFPacketRing.waitEither(pair.ringA, pair.ringB, timeoutMs: 150)
            } else {
                idle = 0
            }
        }
        let elapsed = busy
        try pair.refreshKernelStatistics()
        let kernel = pair.ringA.statistics
        let got = pair.aToB.received
        // The client may add a frame of its own (IPv6 neighbour discovery), hence >=.
        XCTAssertGreaterThanOrEqual(kernel.kernelPackets, UInt64(n), "the kernel saw every frame")
        // A late frame of the client's own may still sit in an unretired block.
        XCTAssertGreaterThanOrEqual(got, UInt64(n), "every frame sent was read")
        XCTAssertEqual(kernel.kernelDrops, 0, "the ring held them all")
        XCTAssertEqual(pair.txB.sent + pair.txB.failed, pair.aToB.forwarded)
        XCTAssertEqual(pair.aToB.forwarded, got)
        print(String(format: "InlinePair veth rate: %d frames of 60 bytes in %.3f s = %.0f kpps (ring drops %d, tx failed %d)",
                     Int(got), elapsed, Double(got) / elapsed / 1000, Int(kernel.kernelDrops), Int(pair.txB.failed)))
    }
}
#endif
