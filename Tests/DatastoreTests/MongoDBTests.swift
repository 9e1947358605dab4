import Datastore
import L7Core
import XCTest

/// MongoDB wire protocol messages as a modern driver (OP_MSG) and a legacy one (OP_QUERY) send them.
final class MongoDBTests: XCTestCase {
    /// A BSON document from already-encoded elements.
    static func doc(_ elements: [UInt8]) -> [UInt8] { le32(elements.count + 5) + elements + [0] }
    static func string(_ key: String, _ value: String) -> [UInt8] { [0x02] + cstr(key) + le32(value.utf8.count + 1) + cstr(value) }
    static func int32(_ key: String, _ value: Int) -> [UInt8] { [0x10] + cstr(key) + le32(value) }
    static func message(_ id: Int, _ responseTo: Int, _ opcode: Int, _ body: [UInt8]) -> [UInt8] {
        le32(16 + body.count) + le32(id) + le32(responseTo) + le32(opcode) + body
    }
    static func opMsg(_ id: Int, _ document: [UInt8], responseTo: Int = 0) -> [UInt8] {
        message(id, responseTo, 2013, le32(0) + [0] + document)
    }

    static let find = opMsg(1, doc(string("find", "users") + string("$db", "shop")))
    static let hello = opMsg(2, doc(int32("hello", 1) + string("$db", "admin")))
    static let isMaster = message(3, 0, 2004, le32(0) + cstr("admin.$cmd") + le32(0) + le32(-1 & 0xffff_ffff)
        + doc(int32("isMaster", 1)))

    func testProbe() {
        assertProbe(.mongodb, Self.find, toServer: true)
        assertProbe(.mongodb, Self.isMaster, toServer: true)
        assertProbe(.mongodb, Self.opMsg(9, Self.doc([0x01] + cstr("ok") + zeros(7) + [0xf0, 0x3f]), responseTo: 1), toServer: false)
        // A reply is not a request: responseTo must be zero from the client.
        XCTAssertEqual(probe(Self.opMsg(9, Self.doc(Self.int32("ok", 1)), responseTo: 1), toServer: true), .noMatch)
        XCTAssertEqual(probe(Self.message(1, 0, 2014, zeros(8)), toServer: true), .noMatch)
    }

    func testCommands() {
        let insert = Self.opMsg(4, Self.doc(Self.string("insert", "orders") + Self.string("$db", "shop")))
        let got = assertSplitInvariant(.mongodb, [
            .c(Self.hello), .s(Self.opMsg(10, Self.doc(Self.int32("ok", 1)), responseTo: 2)),
            .c(Self.isMaster), .c(Self.find), .c(insert),
            .c(Self.message(5, 0, 2004, le32(0) + cstr("shop.users") + le32(0) + le32(10) + Self.doc(Self.int32("a", 1)))),
        ])
        XCTAssertEqual(got.lines, ["hello", "isMaster", "find users", "insert orders", "query shop.users"])
    }

    func testLongFieldsAreCutTheSameWhateverTheChunking() {
        let collection = String(repeating: "c", count: 200)
        let got = assertSplitInvariant(.mongodb, [.c(Self.opMsg(7, Self.doc(Self.string("find", collection) + Self.string("$db", "x"))))])
        XCTAssertEqual(got.commands.first?.command, "find")
        XCTAssertEqual(got.commands.first?.detail, String(repeating: "c", count: 45))   // what an 80-byte prefix holds
    }
}
