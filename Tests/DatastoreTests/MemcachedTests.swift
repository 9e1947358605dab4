import Datastore
import L7Core
import XCTest

/// memcached text and binary protocol exchanges (protocol.txt, protocol_binary.xml).
final class MemcachedTests: XCTestCase {
    static func binary(_ magic: UInt8, _ opcode: UInt8, key: String, extras: [UInt8] = [], value: [UInt8] = [], status: Int = 0) -> [UInt8] {
        let k = [UInt8](key)
        return bytes([magic, opcode], be16(k.count), [UInt8(extras.count), 0], be16(status),
                     be32(extras.count + k.count + value.count), be32(0xdead), zeros(8), extras, k, value)
    }

    func testProbe() {
        assertProbe(.memcached, [UInt8]("set foo 0 0 5\r\n"), toServer: true)
        assertProbe(.memcached, [UInt8]("get foo\r\n"), toServer: true)
        assertProbe(.memcached, [UInt8]("stats\r\n"), toServer: true)
        assertProbe(.memcached, [UInt8]("VALUE foo 0 5\r\n"), toServer: false)
        assertProbe(.memcached, [UInt8]("STORED\r\n"), toServer: false)
        assertProbe(.memcached, Self.binary(0x80, 0, key: "foo"), toServer: true)
        assertProbe(.memcached, Self.binary(0x81, 0, key: "", extras: be32(0), value: [UInt8]("bar")), toServer: false)
        XCTAssertEqual(probe([UInt8]("set foo x 0 5\r\n"), toServer: true), .noMatch)
        XCTAssertEqual(probe([UInt8]("GET foo\r\n"), toServer: true), .noMatch)
        XCTAssertEqual(probe([UInt8]("frobnicate\r\n"), toServer: true), .noMatch)
    }

    func testTextSession() {
        let got = assertSplitInvariant(.memcached, [
            .c([UInt8]("set foo 0 0 5\r\nhello\r\n")), .s([UInt8]("STORED\r\n")),
            // The data block holds a command line; it must be skipped, not parsed.
            .c([UInt8]("add bar 1 60 9 noreply\r\nget x\r\n\r\n\r\n")),
            .c([UInt8]("get foo bar\r\n")), .s([UInt8]("VALUE foo 0 5\r\nERROR\r\nEND\r\n")),
            .c([UInt8]("incr n 1\r\n")), .s([UInt8]("CLIENT_ERROR cannot increment\r\n")),
            .c([UInt8]("stats\r\nversion\r\n")),
        ])
        XCTAssertEqual(got.lines, ["set foo", "add bar", "get foo", "incr n", "stats", "version"])
        XCTAssertEqual(got.replies, ["error: cannot"])
    }

    func testBinarySession() {
        let got = assertSplitInvariant(.memcached, [
            .c(Self.binary(0x80, 1, key: "k1", extras: zeros(8), value: [UInt8]("value"))), .s(Self.binary(0x81, 1, key: "")),
            .c(Self.binary(0x80, 0, key: "missing")), .s(Self.binary(0x81, 0, key: "", value: [UInt8]("Not found"), status: 1)),
        ])
        XCTAssertEqual(got.lines, ["set k1", "get missing"])
        XCTAssertEqual(got.replies, ["error: Not found"])
    }
}
