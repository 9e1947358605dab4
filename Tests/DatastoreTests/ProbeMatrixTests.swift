import Datastore
import L7Core
import XCTest

/// Each protocol's real first messages are claimed by its own probe and by no other one.
final class ProbeMatrixTests: XCTestCase {
    static let samples: [(AppProto, [UInt8], Bool)] = [
        (.redis, RedisTests.set, true), (.redis, [UInt8]("PING\r\n"), true), (.redis, [UInt8]("+OK\r\n"), false),
        (.mysql, MySQLTests.greeting, false), (.mysql, MySQLTests.query, true),
        (.pgsql, PostgreSQLTests.startup, true), (.pgsql, PostgreSQLTests.sslRequest, true), (.pgsql, PostgreSQLTests.authOk, false),
        (.pgsql, PostgreSQLTests.query, true),
        (.mongodb, MongoDBTests.find, true), (.mongodb, MongoDBTests.hello, true), (.mongodb, MongoDBTests.isMaster, true),
        (.kafka, KafkaTests.apiVersions, true), (.kafka, KafkaTests.metadata, true), (.kafka, KafkaTests.produce, true),
        (.cassandra, CassandraTests.options, true), (.cassandra, CassandraTests.startup, true), (.cassandra, CassandraTests.query, true),
        (.zookeeper, ZooKeeperTests.connect, true), (.zookeeper, ZooKeeperTests.connected, false),
        (.memcached, [UInt8]("set foo 0 0 5\r\nhello\r\n"), true), (.memcached, [UInt8]("get foo\r\n"), true),
        (.memcached, [UInt8]("VALUE foo 0 5\r\nhello\r\nEND\r\n"), false), (.memcached, MemcachedTests.binary(0x80, 0, key: "foo"), true),
        (.amqp, AMQPTests.header, true), (.amqp, AMQPTests.start, false),
        (.mqtt, MQTTTests.connect4, true), (.mqtt, MQTTTests.connect5, true), (.mqtt, MQTTTests.connect3, true),
    ]

    func testOnlyTheRightProbeMatches() {
        var checked = 0
        for (app, bytes, toServer) in Self.samples {
            bytes.withUnsafeBytes { b in
                XCTAssertEqual(DatastoreProbes.probeStream(b, toServer: toServer), .match(app), "\(app)")
                for (name, probe) in FalsePositiveTests.streamProbes + FalsePositiveTests.datagramProbes {
                    for dir in [true, false] {
                        let v = probe(b, dir)
                        if case .match(let other) = v {
                            XCTAssertEqual(other, app, "\(name) claimed a \(app) sample (toServer \(dir))")
                        }
                        checked += 1
                    }
                }
            }
        }
        XCTAssertEqual(checked, Self.samples.count * 24)
    }

    func testDatagramsAreNotStreams() {
        for b in [DatagramProbeTests.discover, DatagramProbeTests.ntpClient, DatagramProbeTests.ntpServer] {
            for dir in [true, false] { XCTAssertNotEqual(probe(b, toServer: dir).isMatch, true) }
        }
    }
}
