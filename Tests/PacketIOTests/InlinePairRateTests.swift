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
    /// Measures the pair's forwarding rate on veth: the client sends small UDP frames in bursts
    /// of half the V2 ring, and the pair forwards each burst to B (read, verdict, sendmmsg, the
    /// kernel's veth delivery). Asserts every frame is accounted for; prints
    /// the rate (a debug build unless run with -c release).
    func testForwardingRateOnVeth() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        // TPACKET_V2 slots (the inline path): the client sends in bursts that fit the ring,
        // and the pair drains each burst before the next.
        let config = AFPacketConfig.inline
        var pair = try topo.inMiddle {
            try InlinePair(interfaceA: "ma", interfaceB: "mb", config: config, provider: DropTCPPort(port: 81))
        }
        var sender = try topo.inNamespace(topo.client) { try AFPacketTransmitter(interface: "c0", batchSize: 64) }
        let n = 60_000, burst = Int(config.slotCount) / 2
        let frames = udpFrames(count: n)
        defer { frames.deallocate() }

        // Time only the forwarding calls, not the waits.
        var busy = 0.0
        var next = 0
        while next < n {
            let end = min(n, next + burst)
            for i in next..<end {
                sender.enqueue(bytes: UnsafeRawBufferPointer(rebasing: frames[(i * 60)..<(i * 60 + 60)]))
            }
            sender.flush()
            next = end
            var idle = 0
            while pair.aToB.received < UInt64(next) && idle < 3 {
                let t0 = monotonicSeconds()
                let handled = pair.forwardReady(budget: 1024)
                busy += monotonicSeconds() - t0
                if handled == 0 { idle += 1; _ = try pair.waitEither(timeoutMs: 150) } else { idle = 0 }
            }
        }
        XCTAssertEqual(sender.sent, UInt64(n), "errno \(sender.lastErrno)")
        // The client may add a frame of its own (IPv6 neighbour discovery): drain it too.
        var more = true
        while more {
            more = pair.forwardReady(budget: 1024) > 0
            if !more { more = try pair.waitEither(timeoutMs: 100) }
        }
        let elapsed = busy
        try pair.refreshKernelStatistics()
        let kernel = pair.ports.a.statistics
        let got = pair.aToB.received
        // The client may add a frame of its own (IPv6 neighbour discovery), hence >=.
        XCTAssertGreaterThanOrEqual(kernel.kernelPackets, UInt64(n), "the kernel saw every frame")
        XCTAssertGreaterThanOrEqual(got, UInt64(n), "every frame sent was read")
        XCTAssertEqual(kernel.kernelDrops, 0, "the ring held them all")
        XCTAssertEqual(pair.ports.b.transmitter.sent + pair.ports.b.transmitter.failed, pair.aToB.forwarded)
        XCTAssertEqual(pair.aToB.forwarded, got)
        print(String(format: "InlinePair veth rate: %d frames of 60 bytes in %.3f s = %.0f kpps (ring drops %d, tx failed %d)",
                     Int(got), elapsed, Double(got) / elapsed / 1000, Int(kernel.kernelDrops), Int(pair.ports.b.transmitter.failed)))
    }
}
#endif
