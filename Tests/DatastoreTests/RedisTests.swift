import Datastore
import L7Core
import XCTest

/// RESP messages as redis-cli and redis-server exchange them.
final class RedisTests: XCTestCase {
    static let set = [UInt8]("*3\r\n$3\r\nSET\r\n$5\r\nmykey\r\n$7\r\nmyvalue\r\n")
    static let get = [UInt8]("*2\r\n$3\r\nget\r\n$5\r\nmykey\r\n")

    func testProbe() {
        assertProbe(.redis, Self.set, toServer: true)
        assertProbe(.redis, Self.get, toServer: true)
        assertProbe(.redis, [UInt8]("PING\r\n"), toServer: true)
        assertProbe(.redis, [UInt8]("+OK\r\n"), toServer: false)
        assertProbe(.redis, [UInt8]("-ERR unknown command 'FOO'\r\n"), toServer: false)
        assertProbe(.redis, [UInt8]("$7\r\nmyvalue\r\n"), toServer: false)
        assertProbe(.redis, [UInt8]("*2\r\n$1\r\na\r\n$1\r\nb\r\n"), toServer: false)
        // POP3's greeting and a lower-case memcached command are not Redis.
        XCTAssertEqual(probe([UInt8]("+OK POP3 server ready\r\n"), toServer: false), .noMatch)
        XCTAssertEqual(probe([UInt8]("GET / HTTP/1.1\r\n"), toServer: true), .noMatch)
        XCTAssertEqual(probe([UInt8]("*3\r\n$3\r\nS3T\r\n"), toServer: true), .noMatch)
    }

    func testCommandsBothDirections() {
        let got = assertSplitInvariant(.redis, [
            .c(Self.set), .s([UInt8]("+OK\r\n")),
            .c(Self.get), .s([UInt8]("$7\r\nmyvalue\r\n")),
            .c([UInt8]("*1\r\n$4\r\nPING\r\n*2\r\n$7\r\nHGETALL\r\n$1\r\nh\r\n")), .s([UInt8]("+PONG\r\n*0\r\n")),
            .c([UInt8]("*2\r\n$3\r\nFOO\r\n$1\r\nx\r\n")), .s([UInt8]("-ERR unknown command 'FOO'\r\n")),
            .c([UInt8]("ping\r\n")), .s([UInt8]("+PONG\r\n")),
        ])
        XCTAssertEqual(got.lines, ["SET mykey", "GET mykey", "PING", "HGETALL h", "FOO x", "PING"])
        XCTAssertEqual(got.replies, ["ok", "ok", "ok", "ok", "error: ERR unknown command 'FOO'", "ok"])
        XCTAssert(got.commands.allSatisfy { $0.app == .redis })
    }

    func testNestedRepliesAndRESP3() {
        // Nested arrays, a null bulk, a map and an attribute each count as one reply.
        let got = assertSplitInvariant(.redis, [
            .c([UInt8]("*1\r\n$4\r\nEXEC\r\n")),
            .s([UInt8]("*3\r\n*2\r\n:1\r\n$-1\r\n*-1\r\n$3\r\nabc\r\n")),
            .c([UInt8]("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n")),
            .s([UInt8]("%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n")),
            .c([UInt8]("*1\r\n$4\r\nPING\r\n")),
            .s([UInt8]("|1\r\n+ttl\r\n:3600\r\n+PONG\r\n")),
        ])
        XCTAssertEqual(got.lines, ["EXEC", "HELLO 3", "PING"])
        XCTAssertEqual(got.replies, ["ok", "ok", "ok"])
    }

    func testBulkBodyIsNotParsed() {
        // A value that looks like a command inside a bulk string is skipped by count.
        let value = "*1\r\n$8\r\nFLUSHALL\r\n"
        let got = assertSplitInvariant(.redis, [.c([UInt8]("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$\(value.utf8.count)\r\n\(value)\r\n"))])
        XCTAssertEqual(got.lines, ["SET k"])
    }
}
