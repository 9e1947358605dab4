import Datastore
import L7Core
import XCTest

/// Every direction a datastore parser gives up on is counted with its reason (issue #12), and
/// gap lengths of any size (up to `Int.max`) are arithmetic the parser survives.
final class DatastoreCountersTests: XCTestCase {
    func feed(_ p: inout DatastoreParser, _ b: [UInt8], toServer: Bool = true) {
        var sink = Collected()
        b.withUnsafeBytes { p.feed($0, toServer: toServer, sink: &sink) }
    }

    func testLengthsOutOfRangeAreBadFraming() {
        var pg = DatastoreParser(app: .pgsql)
        feed(&pg, [0x51, 0x7f, 0xff, 0xff, 0xff] + [UInt8]("SELECT 1"))   // 2^31: beyond the 1 GiB cap
        XCTAssertEqual(pg.counters.badFraming, 1)
        var mongo = DatastoreParser(app: .mongodb)
        feed(&mongo, [0x08, 0, 0, 0] + [UInt8](repeating: 0, count: 12))   // shorter than its own header
        XCTAssertEqual(mongo.counters.badFraming, 1)
        var mqtt = DatastoreParser(app: .mqtt)
        feed(&mqtt, [0x30, 0xff, 0xff, 0xff, 0xff, 0x7f])                 // a fifth length byte
        XCTAssertEqual(mqtt.counters.badFraming, 1)
        // A dead direction stays dead and is counted once.
        feed(&mqtt, [0x30, 0x02, 0, 0])
        XCTAssertEqual(mqtt.counters.badFraming, 1)
    }

    func testCountsTooLargeToFollowAreLengthOverflow() {
        var redis = DatastoreParser(app: .redis)
        feed(&redis, [UInt8]("*1\r\n$99999999999999999999999\r\n"))
        XCTAssertEqual(redis.counters.lengthOverflow, 1)
        var mc = DatastoreParser(app: .memcached)
        feed(&mc, [UInt8]("set k 0 0 99999999999999999999999\r\n"))
        XCTAssertEqual(mc.counters.lengthOverflow, 1)
        XCTAssertEqual(mc.counters.badFraming, 0)
    }

    func testGapsOfAnySize() {
        // A body being skipped steps over a gap that fits; one that does not loses the direction.
        for gap in [1, 95, 96, 97, Int(Int32.max), Int.max, 0, -1, Int.min] {
            var pg = DatastoreParser(app: .pgsql)
            // 'Q', length 200: the first 80 bytes are read, 96 of the rest are still to skip.
            feed(&pg, [0x51, 0, 0, 0, 200] + [UInt8](repeating: 0x41, count: 100))
            pg.gap(toServer: true, length: gap)
            let c = pg.counters
            switch gap {
            case 1...96: XCTAssertEqual(c.gapsSkipped, 1, "gap \(gap)"); XCTAssertEqual(c.gapsLost, 0)
            case ...0: XCTAssertEqual(c, DatastoreCounters(), "gap \(gap) is nothing")
            default: XCTAssertEqual(c.gapsLost, 1, "gap \(gap)"); XCTAssertEqual(c.gapsSkipped, 0)
            }
            var redis = DatastoreParser(app: .redis)
            feed(&redis, [UInt8]("*2\r\n$3\r\nGET\r\n$100\r\nab"))                // inside a bulk string
            redis.gap(toServer: true, length: gap)
            redis.gap(toServer: true, length: gap)
            XCTAssertLessThanOrEqual(redis.counters.gapsLost, 1, "gap \(gap)")
        }
    }

    func testGapAtAMessageBoundaryLosesTheDirection() {
        var k = DatastoreParser(app: .kafka)
        k.gap(toServer: true, length: 4)
        XCTAssertEqual(k.counters.gapsLost, 1)
        XCTAssertFalse(k.stopped, "the other direction still reads")
        k.gap(toServer: false, length: 4)
        XCTAssertTrue(k.stopped)
        XCTAssertEqual(k.counters.gapsLost, 2)
    }
}
