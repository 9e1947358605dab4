import Codecs
import Engine
import SluiceTestSupport
import XCTest

/// A capture's timestamps are whatever its file says: near the end of the 64-bit nanosecond
/// clock, timeouts must neither trap nor wrap (a wrapped `lastSeen + timeout` made every flow
/// look expired on its next packet, and a wrapped next-expiry time ran expiry on every packet).
final class ClockEndTests: XCTestCase {
    /// A raw IPv4/UDP frame 10.0.0.1:1000 → 10.0.0.2:2000 with four payload bytes.
    let frame: [UInt8] = [0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                          0x03, 0xe8, 0x07, 0xd0, 0, 12, 0, 0, 1, 2, 3, 4]

    func testFlowsNearTheEndOfTheClockLiveOutTheirTimeout() {
        var worker = Worker(config: EngineConfig(), stage: CollectingStage(), eveFD: -1)
        let start = UInt64.max - 20_000_000_000
        for i in 0..<5 {
            frame.withUnsafeBytes { b in
                _ = worker.process(frame: b, wireLength: b.count, timestamp: start + UInt64(i) * 1_000_000_000, linkType: .raw)
            }
        }
        let stats = worker.stats()
        XCTAssertEqual(stats.flows.created, 1)
        XCTAssertEqual(stats.flows.timedOut, 0)
        XCTAssertEqual(stats.activeFlows, 1)
        worker.shutdown()
    }
}
