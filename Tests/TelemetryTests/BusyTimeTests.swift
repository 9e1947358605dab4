import Telemetry
import XCTest

final class BusyTimeTests: XCTestCase {
    func testBusyTimeRatioOverWindows() {
        var b = BusyTime()
        XCTAssertEqual(b.ratio, 0)
        b.add(busy: 100_000_000)
        b.add(idle: 300_000_000)
        XCTAssertEqual(b.windows, 0)
        XCTAssertEqual(b.ratio, 0.25, accuracy: 1e-12)        // so far
        b.add(idle: 600_000_000)                               // 1 s accounted: 10% busy
        XCTAssertEqual(b.windows, 1)
        XCTAssertEqual(b.ratio, 0.1, accuracy: 1e-12)
        b.add(busy: 900_000_000)
        XCTAssertEqual(b.ratio, 0.1, accuracy: 1e-12)          // window not complete yet
        b.add(idle: 100_000_000)
        XCTAssertEqual(b.ratio, 0.9, accuracy: 1e-12)
        XCTAssertEqual(b.busyNanos, 1_000_000_000)
        XCTAssertEqual(b.idleNanos, 1_000_000_000)
    }
}
