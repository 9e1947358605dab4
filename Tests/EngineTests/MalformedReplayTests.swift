import Codecs
import Engine
import Foundation
import PacketIO
import SluiceTestSupport
import XCTest

/// Damaged traffic through the whole pipeline: every frame of a real capture cut short and
/// bit-flipped, plus random garbage, must be counted and passed on, never crash.
final class MalformedReplayTests: XCTestCase {
    func testDamagedFramesAreCountedNotFatal() throws {
        var capture = try MemoryCapture(path: Fixtures.captures.appendingPathComponent("real/mixed.pcap").path)
        var frames: [([UInt8], UInt64)] = []
        while let p = try capture.nextPacket() { frames.append((Array(p.data), p.timestamp)) }
        var config = EngineConfig()
        config.flow.capacity = 256
        var worker = Worker(config: config, stage: CountingStage())
        var rng = SplitMix(state: 42)
        var fed: UInt64 = 0
        let links: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .ipv4, .ipv6, .ppp, .null]
        for round in 0..<30 {
            for (frame, ts) in frames {
                var bytes = frame
                let cut = Int(rng.next() % UInt64(bytes.count + 1))
                bytes = Array(bytes[..<cut])
                for _ in 0..<Int(rng.next() % 4) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
                let link = round % 3 == 0 ? links[Int(rng.next() % UInt64(links.count))] : .ethernet
                bytes.withUnsafeBytes { raw in
                    _ = worker.process(frame: raw, wireLength: frame.count, timestamp: ts &+ UInt64(round) * 10_000_000_000,
                                       linkType: link)
                }
                fed += 1
            }
            for _ in 0..<200 {
                let garbage = (0..<Int(rng.next() % 120)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                garbage.withUnsafeBytes { raw in
                    _ = worker.process(frame: raw, wireLength: garbage.count, timestamp: UInt64(round) * 10_000_000_000,
                                       linkType: links[Int(rng.next() % UInt64(links.count))])
                }
                fed += 1
            }
        }
        worker.shutdown()
        let stats = worker.stats()
        XCTAssertEqual(stats.decode.packets, fed)
        XCTAssertGreaterThan(stats.decode.malformedTotal, 0)
        // Every frame reached the stage exactly once, malformed ones included.
        let handed = (0..<4).reduce(UInt64(0)) { $0 + worker.stage.packetsByKind[$1] }
        XCTAssertEqual(handed, fed)
        XCTAssertEqual(worker.stage.packetsByKind[Int(DecodedPacket.Kind.malformed.rawValue)], stats.decode.malformedTotal)
    }
}
