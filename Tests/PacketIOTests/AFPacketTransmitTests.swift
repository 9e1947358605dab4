#if os(Linux)
import Foundation
import PacketIO
import XCTest

final class AFPacketTransmitTests: XCTestCase {
    /// Frames built here and sent by transmitters in the middle namespace arrive on the client
    /// side (counted by python's own AF_PACKET socket), each once with its bytes; one
    /// transmitter uses vnet headers (a zero header is prepended), one does not.
    func testTransmittedFramesArrive() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        let n = 300
        let rx = try topo.start(in: topo.client, "\(Scripts.python("recv_frames.py")) c0 \(n) 20")
        let ready = rx.wait(for: "ready")
        XCTAssertTrue(ready.contains("ready"), ready)

        // All frames in one buffer: queued bytes must stay valid until flush().
        let lengths = (0..<n).map(Scripts.frameLength)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: lengths.reduce(0, +), alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        var offsets: [Int] = []
        var at = 0
        for i in 0..<n {
            let header: [UInt8] = [0x02, 0x99, 0, 0, 0, 0x01, 0x02, 0x99, 0, 0, 0, 0x02, 0x88, 0xB5]
                + Array("SLUICE".utf8) + [UInt8(i >> 24 & 0xff), UInt8(i >> 16 & 0xff), UInt8(i >> 8 & 0xff), UInt8(i & 0xff)]
            for (k, b) in header.enumerated() { buffer[at + k] = b }
            offsets.append(at)
            at += lengths[i]
        }
        func frame(_ i: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: buffer[offsets[i]..<(offsets[i] + lengths[i])])
        }

        var plain = try topo.inMiddle { try AFPacketTransmitter(interface: "ma", batchSize: 32) }
        var vnet = try topo.inMiddle { try AFPacketTransmitter(interface: "ma", batchSize: 16, vnetHeader: true) }
        for i in 0..<(n / 2) { plain.enqueue(bytes: frame(i)) }
        plain.flush()
        for i in (n / 2)..<n { vnet.enqueue(bytes: frame(i)) }
        XCTAssertLessThan(vnet.pending, 16, "a full batch is sent as it fills")
        vnet.flush()
        XCTAssertEqual(vnet.pending, 0)
        XCTAssertEqual(plain.sent, UInt64(n / 2))
        XCTAssertEqual(vnet.sent, UInt64(n - n / 2))
        XCTAssertEqual(plain.failed + vnet.failed, 0)

        let out = rx.wait(for: "got")
        guard let at = out.range(of: "got") else { return XCTFail("receiver said: \(out)") }
        let fields = out[at.lowerBound...].split(whereSeparator: \.isWhitespace)
        let got = 0
        guard fields.count > 3 else { return XCTFail("receiver said: \(out)") }
        XCTAssertEqual(Int(fields[got + 1]), n)
        XCTAssertEqual(Int(fields[got + 2]), lengths.reduce(0, +))
        XCTAssertEqual(fields[got + 3].split(separator: ",").compactMap { Int($0) }, Array(0..<n))
    }

    /// A frame sent with an 802.1Q tag reaches the ring with its tag stripped by the kernel into
    /// tp_vlan_tci; the source hands it over with the tag back in place.
    func testVLANTagIsBackInTheFrame() throws {
        let topo = try Topology()
        defer { topo.tearDown() }
        let stop = AFPacketStopSignal()
        var source = try topo.inMiddle { try AFPacketSource(interface: "ma", config: smallRing(), stop: stop) }

        let n = 50
        let sent = sh("ip netns exec \(topo.client) \(Scripts.python("send_frames.py")) c0 \(n) 100")
        XCTAssertEqual(sent.status, 0, sent.output)
        var order: [Int] = []
        let deadline = monotonicSeconds() + 10
        while order.count < n, monotonicSeconds() < deadline {
            guard let p = source.nextPacketIfReady() else {
                _ = try source.ring.wait(timeoutMs: 20)
                continue
            }
            let d = p.data
            guard d.count >= 18, d[12] == 0x81, d[13] == 0x00 else { continue }
            XCTAssertEqual(Int(d[14] & 0x0f) << 8 | Int(d[15]), 100, "VLAN id")
            XCTAssertEqual(d[14] >> 5, 5, "priority")
            guard let seq = markerSequence(d, etherOffset: 16) else { continue }
            XCTAssertEqual(p.data.count, Scripts.frameLength(seq) + 4)
            XCTAssertEqual(p.wireLength, Scripts.frameLength(seq) + 4)
            XCTAssertEqual(Array(d[0..<6]), [0x02, 0x99, 0, 0, 0, 0x02], "addresses untouched")
            order.append(seq)
        }
        XCTAssertEqual(order, Array(0..<n))
        XCTAssertGreaterThanOrEqual(source.ring.statistics.vlanReinserted, UInt64(n))
    }
}
#endif
