import Datastore
import L7Core
import SluiceTestSupport
import XCTest

/// Lengths that lie, messages that never end, nesting without bound: the parser must neither
/// crash nor buffer, and must give up on a direction rather than report garbage.
final class HostileInputTests: XCTestCase {
    static let framed: [AppProto] = [.mysql, .pgsql, .mongodb, .kafka, .cassandra, .zookeeper, .amqp, .mqtt, .memcached, .redis]

    func testSizeIsBounded() {
        XCTAssertLessThanOrEqual(MemoryLayout<DatastoreParser>.size, 256)
        print("DatastoreParser: \(MemoryLayout<DatastoreParser>.size) bytes, stride \(MemoryLayout<DatastoreParser>.stride)")
    }

    func testHugeLengthsAreSkippedOrRefused() {
        // Length fields at their maximum: the body is skipped by count, nothing more is reported.
        let cases: [(AppProto, [UInt8])] = [
            (.mysql, [0xff, 0xff, 0xff, 0, 3] + [UInt8]("SELECT 1")),
            (.pgsql, [0x51, 0x7f, 0xff, 0xff, 0xff] + [UInt8]("SELECT 1")),
            (.mongodb, [0xff, 0xff, 0xff, 0x7f] + zeros(12)),
            (.kafka, [0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 1]),
            (.cassandra, [4, 0, 0, 1, 7, 0x7f, 0xff, 0xff, 0xff]),
            (.zookeeper, [0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 4]),
            (.amqp, [1, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 60, 0, 40]),
            (.mqtt, [0x30, 0xff, 0xff, 0xff, 0x7f, 0, 1, 0x41]),
            (.mqtt, [0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]),      // a fifth length byte
            (.memcached, [0x80, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff] + zeros(12)),
            (.memcached, [UInt8]("set k 0 0 99999999999999999999999\r\n")),
            (.redis, [UInt8]("*99999999999999999999999\r\n")),
            (.redis, [UInt8]("*1\r\n$99999999999999\r\n")),
        ]
        let follow = [UInt8]("*1\r\n$4\r\nPING\r\nget k\r\n") + [0, 0, 0, 0, 0, 0, 0, 0]
        for (app, b) in cases {
            let got = parse(app, [.c(b), .c(follow), .c(follow)])
            XCTAssert(got.commands.count <= 1, "\(app): \(got.lines)")
        }
    }

    func testZeroLengthsMakeProgress() {
        // Header-only messages over and over: each is consumed, nothing loops.
        let cases: [(AppProto, [UInt8])] = [
            (.mysql, [0, 0, 0, 0]), (.pgsql, [0x53, 0, 0, 0, 4]), (.kafka, [0, 0, 0, 0]), (.zookeeper, [0, 0, 0, 0]),
            (.cassandra, [4, 0, 0, 1, 5, 0, 0, 0, 0]), (.mqtt, [0xc0, 0]), (.amqp, [8, 0, 0, 0, 0, 0, 0, 0xce]),
            (.redis, [UInt8]("*0\r\n")), (.memcached, [UInt8]("\r\n")),
        ]
        for (app, unit) in cases {
            let stream = [UInt8](Array(repeating: unit, count: 10_000).joined())
            let got = parse(app, [.c(stream)])
            XCTAssertLessThanOrEqual(got.commands.count, 10_000, "\(app)")
        }
        // A MongoDB length under its own header cannot be framed: the direction stops.
        XCTAssertEqual(parse(.mongodb, [.c(zeros(64)), .c(MongoDBTests.find)]).lines, [])
    }

    func testDeepRESPNesting() {
        // A reply nested a million levels deep is one counter, not a stack.
        let depth = 1_000_000
        let reply = [UInt8](Array(repeating: [UInt8]("*1\r\n"), count: depth).joined()) + [UInt8](":1\r\n")
        let got = parse(.redis, [.c(RedisTests.get), .s(reply), .c(RedisTests.get), .s([UInt8]("+OK\r\n"))])
        XCTAssertEqual(got.lines, ["GET mykey", "GET mykey"])
        XCTAssertEqual(got.replies, ["ok", "ok"])
        // Wide arrays of huge counts stay bounded too.
        let wide = [UInt8](Array(repeating: [UInt8]("*4294967296\r\n"), count: 1000).joined())
        XCTAssertEqual(parse(.redis, [.s(wide)]).replies, [])
    }

    func testTruncatedMessagesReportNothingExtra() {
        // Each real message cut short: no report from the partial message, no crash.
        let messages: [(AppProto, [UInt8])] = [
            (.mysql, MySQLTests.query), (.pgsql, PostgreSQLTests.query), (.mongodb, MongoDBTests.find),
            (.kafka, KafkaTests.metadata), (.cassandra, CassandraTests.query), (.zookeeper, ZooKeeperTests.connect),
            (.amqp, AMQPTests.start), (.mqtt, MQTTTests.connect4), (.redis, RedisTests.set),
        ]
        for (app, m) in messages {
            for n in 0..<m.count {
                let got = parse(app, [.c(Array(m[0..<n]))])
                // Length-framed commands are reported once their prefix is in, which may be before the end.
                XCTAssertLessThanOrEqual(got.commands.count, 1, "\(app) cut at \(n)")
            }
        }
    }

    func testLongLinesAreNotBuffered() {
        let long = [UInt8](repeating: 0x61, count: 1 << 20)
        let got = parse(.memcached, [.c([UInt8]("get ") + long + [UInt8]("\r\n")), .c([UInt8]("version\r\n"))])
        XCTAssertEqual(got.commands.map(\.command), ["get", "version"])
        XCTAssertEqual(got.commands.first?.detail.utf8.count, 64)
        let inline = parse(.redis, [.c([UInt8]("PING ") + long + [UInt8]("\r\n")), .c(RedisTests.get)])
        XCTAssertEqual(inline.commands.map(\.command), ["PING", "GET"])
    }

    func testGaps() {
        // A hole inside a body being skipped costs nothing; inside a header, the direction stops.
        var p = DatastoreParser(app: .mysql)
        var sink = Collected()
        let big = MySQLTests.packet(0, [3] + [UInt8]("INSERT INTO t VALUES ('") + [UInt8](repeating: 0x78, count: 1000) + [UInt8]("')"))
        big[0..<100].withUnsafeBytes { p.feed($0, toServer: true, sink: &sink) }
        p.gap(toServer: true, length: 500)
        big[600...].withUnsafeBytes { p.feed($0, toServer: true, sink: &sink) }
        MySQLTests.query.withUnsafeBytes { p.feed($0, toServer: true, sink: &sink) }
        XCTAssertEqual(sink.commands.map(\.command), ["INSERT", "SELECT"])
        MySQLTests.query[0..<2].withUnsafeBytes { p.feed($0, toServer: true, sink: &sink) }
        p.gap(toServer: true, length: 10)
        MySQLTests.query.withUnsafeBytes { p.feed($0, toServer: true, sink: &sink) }
        XCTAssertEqual(sink.commands.count, 2)
        // The other direction is unaffected.
        MySQLTests.packet(1, [0xff, 0x15, 0x04] + [UInt8]("#28000denied")).withUnsafeBytes { p.feed($0, toServer: false, sink: &sink) }
        XCTAssertEqual(sink.replies, ["error: #28000denied"])
    }

    func testRandomBytesIntoEveryParser() {
        // Garbage in random pieces: no crash, no trap, and every byte is looked at once.
        var rng = SplitMix(state: 42)
        for app in Self.framed {
            var p = DatastoreParser(app: app)
            var sink = Collected()
            for _ in 0..<2000 {
                let chunk = (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let dir = Bool.random(using: &rng)
                chunk.withUnsafeBytes { p.feed($0, toServer: dir, sink: &sink) }
                if Int.random(in: 0..<50, using: &rng) == 0 { p.gap(toServer: dir, length: Int.random(in: 1...5000, using: &rng)) }
            }
            for c in sink.commands where !(c.app == app && c.commandLength <= 64 && c.detailLength <= 80) {
                XCTFail("\(app): \(c.command.utf8.count) \(c.detail.utf8.count) \(c)")
            }
        }
    }
}
