import Datastore
import L7Core
import XCTest

/// A psql session in protocol 3.0 (message layouts from the PostgreSQL documentation).
final class PostgreSQLTests: XCTestCase {
    static func typed(_ t: Character, _ body: [UInt8]) -> [UInt8] { [t.asciiValue!] + be32(body.count + 4) + body }
    static let params: [UInt8] = bytes(cstr("user"), cstr("postgres"), cstr("database"), cstr("shop"),
                                       cstr("application_name"), cstr("psql"), [0])
    static let startup: [UInt8] = bytes(be32(8 + params.count), be32(196_608), params)
    static let sslRequest: [UInt8] = be32(8) + be32(80_877_103)
    static let authOk: [UInt8] = typed("R", be32(0))
    static let query = typed("Q", cstr("SELECT * FROM users;"))

    func testProbe() {
        assertProbe(.pgsql, Self.startup, toServer: true)
        assertProbe(.pgsql, Self.sslRequest, toServer: true)
        assertProbe(.pgsql, be32(8) + be32(80_877_104), toServer: true)
        assertProbe(.pgsql, be32(16) + be32(80_877_102) + be32(1234) + be32(5678), toServer: true)
        assertProbe(.pgsql, Self.authOk, toServer: false)
        assertProbe(.pgsql, Self.typed("R", be32(5) + [1, 2, 3, 4]), toServer: false)
        assertProbe(.pgsql, Self.typed("R", be32(10) + cstr("SCRAM-SHA-256") + [0]), toServer: false)
        assertProbe(.pgsql, Self.query, toServer: true)
        XCTAssertEqual(Self.pg(Self.typed("R", be32(0) + [0]), toServer: false), .noMatch)
        XCTAssertEqual(Self.pg(be32(9) + be32(80_877_103) + [0], toServer: true), .noMatch)
        XCTAssertEqual(Self.pg(Self.typed("Q", cstr("hello world")), toServer: true), .noMatch)
    }

    static func pg(_ b: [UInt8], toServer: Bool) -> DatastoreVerdict {
        b.withUnsafeBytes { DatastoreProbes.pgsql($0, toServer: toServer) }
    }

    func testSession() {
        let error = Self.typed("E", bytes(cstr("SERROR"), cstr("VERROR"), cstr("C42P01"),
                                          cstr("Mrelation \"nope\" does not exist"), [0]))
        let got = assertSplitInvariant(.pgsql, [
            .c(Self.sslRequest), .s([UInt8]("N")),
            .c(Self.startup), .s(bytes(Self.authOk, Self.typed("S", bytes(cstr("server_version"), cstr("16.2"))), Self.typed("Z", [0x49]))),
            .c(Self.query), .s(bytes(Self.typed("T", be16(0)), Self.typed("C", cstr("SELECT 0")), Self.typed("Z", [0x49]))),
            .c(Self.typed("Q", cstr("select * from nope"))), .s(error + Self.typed("Z", [0x49])),
            .c(bytes(Self.typed("P", bytes(cstr(""), cstr("update t set a = $1"), be16(0))), Self.typed("B", zeros(8)),
                     Self.typed("E", bytes(cstr(""), be32(0))), Self.typed("S", []))),
            .c(Self.typed("X", [])),
        ])
        XCTAssertEqual(got.lines, ["SSLRequest", "StartupMessage postgres", "SELECT SELECT * FROM users;",
                                   "SELECT select * from nope", "UPDATE update t set a = $1", "Bind", "Execute", "Sync",
                                   "Terminate"])
        XCTAssertEqual(got.replies, ["error: 42P01"])
    }

    func testSSLAcceptedStopsParsing() {
        let got = parse(.pgsql, [.c(Self.sslRequest), .s([UInt8]("S")), .c([0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0]), .c(Self.query)])
        XCTAssertEqual(got.lines, ["SSLRequest"])
    }
}
