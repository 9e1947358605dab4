import Datastore
import L7Core
import XCTest

/// CQL native protocol v4 frames (header: version, flags, stream, opcode, length).
final class CassandraTests: XCTestCase {
    static func frame(_ version: UInt8, _ stream: Int, _ opcode: UInt8, _ body: [UInt8], flags: UInt8 = 0) -> [UInt8] {
        [version, flags] + be16(stream) + [opcode] + be32(body.count) + body
    }
    static func string(_ s: String) -> [UInt8] { be16(s.utf8.count) + [UInt8](s) }
    static func longString(_ s: String) -> [UInt8] { be32(s.utf8.count) + [UInt8](s) }

    static let options = frame(4, 0, 5, [])
    static let startup = frame(4, 1, 1, be16(1) + string("CQL_VERSION") + string("3.0.0"))
    static let query = frame(4, 2, 7, longString("SELECT * FROM system.local WHERE key='local'") + be16(1) + [0])

    func testProbe() {
        assertProbe(.cassandra, Self.options, toServer: true)
        assertProbe(.cassandra, Self.startup, toServer: true)
        assertProbe(.cassandra, Self.query, toServer: true)
        assertProbe(.cassandra, Self.frame(0x84, 1, 2, []), toServer: false)
        assertProbe(.cassandra, Self.frame(0x84, 0, 6, bytes(be16(1), Self.string("CQL_VERSION"), be16(1), Self.string("3.4.5"))), toServer: false)
        XCTAssertEqual(probe(Self.frame(4, 0, 5, [1]), toServer: true), .noMatch)     // OPTIONS has no body
        XCTAssertEqual(probe(Self.frame(6, 0, 5, []), toServer: true), .noMatch)
    }

    func testCommands() {
        let got = assertSplitInvariant(.cassandra, [
            .c(Self.options), .s(Self.frame(0x84, 0, 6, be16(0))),
            .c(Self.startup), .s(Self.frame(0x84, 1, 2, [])),
            .c(Self.query), .s(Self.frame(0x84, 2, 8, be32(1))),
            .c(Self.frame(4, 3, 9, Self.longString("insert into ks.t (a) values (?)"))),
            .c(Self.frame(4, 4, 7, bytes(Self.longString("SELECT * FROM nope"), be16(1), [0]))),
            .s(Self.frame(0x84, 4, 0, bytes(be32(0x2200), Self.string("unconfigured table nope")))),
        ])
        XCTAssertEqual(got.lines, ["OPTIONS", "STARTUP", "SELECT SELECT * FROM system.local WHERE key='local'",
                                   "INSERT insert into ks.t (a) values (?)", "SELECT SELECT * FROM nope"])
        XCTAssertEqual(got.replies, ["error: unconfigured table nope"])
    }
}
