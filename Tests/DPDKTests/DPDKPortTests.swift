#if os(Linux)
import CAllocCounter
import DPDKIO
import Glibc
import PacketIO
import XCTest

/// DPDKPort on a net_ring loopback vdev (what goes out of net_ring0 comes back in), in this
/// process: EAL starts once per process, so every test here shares one start.
final class DPDKPortTests: XCTestCase {
    /// EAL and one pool for the whole process; nil with the reason when DPDK is missing.
    nonisolated(unsafe) static var environment: Result<DPDKMempool, DPDKError>?

    static func startDPDK() throws -> DPDKMempool {
        guard DPDKEAL.isBuiltIn else { throw XCTSkip("built without libdpdk-dev") }
        if environment == nil {
            environment = Result { () throws(DPDKError) -> DPDKMempool in
                try DPDKEAL.start(DPDKEAL.defaultArguments() + ["--vdev=net_ring0", "--log-level", "lib.eal:error"])
                let pool = try DPDKMempool(name: "sluice_test", count: 8191)
                _ = try DPDKPort.start(named: "net_ring0", queues: 1, ringSize: 1024, pool: pool)
                return pool
            }
        }
        return try environment!.get()
    }

    /// A UDP-ish frame of `length` bytes whose bytes after the first 12 spell `seed`.
    func frame(_ seed: UInt8, length: Int = 128) -> [UInt8] {
        (0..<length).map { $0 < 12 ? 0xff : UInt8(truncatingIfNeeded: Int(seed) &+ $0) }
    }

    func testLoopbackSendsReceivesAndForwardsWithoutLeaking() throws {
        let pool = try Self.startDPDK()
        let id = try DPDKEAL.port(named: "net_ring0")
        var port = DPDKPort(port: id, queue: 0, pool: pool)
        let before = pool.available
        let frames = (0..<40).map { frame(UInt8($0)) }
        for f in frames { f.withUnsafeBytes { port.transmit(bytes: $0) } }
        port.flush()
        XCTAssertEqual(port.statistics.transmitted, 40)

        // Receive them and forward each back out of the same port (the mbuf, not a copy).
        var got: [[UInt8]] = []
        while let f = port.receive() {
            got.append(Array(f.packet.data))
            XCTAssertNotNil(f.buffer)
            XCTAssertEqual(f.packet.wireLength, 128)
            port.transmit(f)
        }
        XCTAssertEqual(got, frames)
        port.flush()
        XCTAssertEqual(port.release(), 40)

        // The forwarded mbufs arrive again: the receiver's free did not free them under the driver.
        var again: [[UInt8]] = []
        while let f = port.receive() { again.append(Array(f.packet.data)) }
        XCTAssertEqual(again, frames)
        port.release()
        XCTAssertEqual(pool.available, before, "every mbuf is back in the pool exactly once")
        XCTAssertEqual(port.statistics.received, 80)
        XCTAssertEqual(port.statistics.transmitted, 80)
    }

    func testForwardingAllocatesNothingPerPacket() throws {
        let pool = try Self.startDPDK()
        let id = try DPDKEAL.port(named: "net_ring0")
        var port = DPDKPort(port: id, queue: 0, pool: pool)
        let f = frame(7, length: 64)
        for _ in 0..<32 { f.withUnsafeBytes { port.transmit(bytes: $0) } }
        port.flush()
        // Warm up, then count: 32 frames circulate through receive → transmit → flush → release.
        func spin(_ rounds: Int) -> Int {
            var n = 0
            for _ in 0..<rounds {
                while let r = port.receive() { port.transmit(r); n += 1 }
                port.flush()
                port.release()
            }
            return n
        }
        _ = spin(100)
        let allocations = sluice_alloc_count()
        let n = spin(1000)
        let delta = sluice_alloc_count() - allocations
        XCTAssertGreaterThan(n, 30_000)
        XCTAssertEqual(delta, 0, "\(delta) heap allocations over \(n) forwarded frames")
        while port.receive() != nil {}
        port.release()
    }

    func testMisspeltPortListsTheProbedOnes() throws {
        _ = try Self.startDPDK()
        XCTAssertThrowsError(try DPDKEAL.port(named: "net_rnig0")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("no port named 'net_rnig0'"), text)
            XCTAssertTrue(text.contains("net_ring0"), text)
        }
        XCTAssertThrowsError(try DPDKEAL.port(named: "0000:00:1f.6")) { error in
            XCTAssertTrue("\(error)".contains("-a 0000:00:1f.6"), "\(error)")
        }
    }

    func testSecondStartAndTooFewMbufsAreClearErrors() throws {
        _ = try Self.startDPDK()
        XCTAssertThrowsError(try DPDKEAL.start(DPDKEAL.defaultArguments())) { error in
            XCTAssertTrue("\(error)".contains("already initialised"), "\(error)")
        }
        let need = DPDKMempool.minimumCount(ports: 2, queues: 2, ringSize: 1024)
        XCTAssertThrowsError(try DPDKMempool(name: "small", count: 1000, minimum: need)) { error in
            XCTAssertTrue("\(error)".contains("too few mbufs: 1000"), "\(error)")
        }
    }
}
#endif
