import Datastore
import L7Core
import XCTest

/// A MySQL 8 session: greeting, login, queries, an error (packets built from the
/// protocol documentation's field lists).
final class MySQLTests: XCTestCase {
    static func packet(_ seq: UInt8, _ payload: [UInt8]) -> [UInt8] { le24(payload.count) + [seq] + payload }

    static let greeting: [UInt8] = packet(0, [10] + cstr("8.0.36") + le32(12) + [UInt8]("abcdefgh") + [0]
        + [0xff, 0xff, 0xff, 0x02, 0x00, 0xff, 0xdf, 21] + zeros(10) + [UInt8]("ijklmnopqrstu") + [0]
        + cstr("caching_sha2_password"))
    /// HandshakeResponse41 without CLIENT_SSL.
    static let login: [UInt8] = packet(1, [0x8d, 0xa6, 0x0f, 0x00] + le32(16_777_216) + [0xff] + zeros(23)
        + cstr("root") + [20] + [UInt8](repeating: 7, count: 20) + cstr("mysql_native_password"))
    static let query = packet(0, [3] + [UInt8]("select @@version_comment limit 1"))

    func testProbe() {
        assertProbe(.mysql, Self.greeting, toServer: false)
        assertProbe(.mysql, Self.query, toServer: true)
        XCTAssertEqual(probe(Self.login, toServer: true), .noMatch)
        XCTAssertEqual(probe(Self.packet(0, [3] + [UInt8]("hello world")), toServer: true), .noMatch)
    }

    func testSession() {
        let got = assertSplitInvariant(.mysql, [
            .s(Self.greeting), .c(Self.login), .s(Self.packet(2, [0, 0, 0, 2, 0, 0, 0])),
            .c(Self.query), .s(Self.packet(1, [1]) + Self.packet(2, [3] + [UInt8]("def"))),
            .c(Self.packet(0, [3] + [UInt8]("  /* app */ INSERT INTO t VALUES (1)"))),
            .s(Self.packet(1, [0xff, 0x28, 0x04] + [UInt8]("#42000You have an error"))),
            .c(Self.packet(0, [0x0e])), .c(Self.packet(0, [0x02] + [UInt8]("shop"))),
            .c(Self.packet(0, [0x16] + [UInt8]("SELECT ? + 1"))), .c(Self.packet(0, [1])),
        ])
        XCTAssertEqual(got.lines, ["LOGIN root", "SELECT select @@version_comment limit 1",
                                   "INSERT INSERT INTO t VALUES (1)", "COM_PING", "COM_INIT_DB shop",
                                   "COM_STMT_PREPARE SELECT ? + 1", "COM_QUIT"])
        XCTAssertEqual(got.replies, ["error: #42000You have an error"])
    }

    func testSSLRequestStopsParsing() {
        let sslRequest = Self.packet(1, [0x8d, 0xae, 0x0f, 0x00] + le32(16_777_216) + [0xff] + zeros(23))
        let got = parse(.mysql, [.s(Self.greeting), .c(sslRequest), .c([0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0]), .c(Self.query)])
        XCTAssertEqual(got.lines, ["SSLRequest"])
    }

    func testLongQueryDetailIsCut() {
        let sql = "SELECT " + String(repeating: "x, ", count: 100) + "1"
        let got = assertSplitInvariant(.mysql, [.c(Self.packet(0, [3] + [UInt8](sql)))])
        XCTAssertEqual(got.commands.first?.command, "SELECT")
        XCTAssertLessThanOrEqual(got.commands.first?.detail.utf8.count ?? 99, 64)
    }
}
