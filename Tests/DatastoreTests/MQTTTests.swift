import Datastore
import L7Core
import XCTest

/// MQTT 3.1.1 and 5 control packets (fixed header, remaining length varint, variable header).
final class MQTTTests: XCTestCase {
    static func packet(_ first: UInt8, _ body: [UInt8]) -> [UInt8] {
        var n = body.count, length: [UInt8] = []
        repeat { var b = UInt8(n & 0x7f); n >>= 7; if n > 0 { b |= 0x80 }; length.append(b) } while n > 0
        return [first] + length + body
    }
    static func string(_ s: String) -> [UInt8] { be16(s.utf8.count) + [UInt8](s) }
    static let connect4 = packet(0x10, string("MQTT") + [4, 0x02] + be16(60) + string("sensor-17"))
    static let connect5 = packet(0x10, string("MQTT") + [5, 0x02] + be16(60) + [0] + string("sensor-18"))
    static let connect3 = packet(0x10, string("MQIsdp") + [3, 0x02] + be16(60) + string("old"))

    func testProbe() {
        assertProbe(.mqtt, Self.connect4, toServer: true)
        assertProbe(.mqtt, Self.connect5, toServer: true)
        assertProbe(.mqtt, Self.connect3, toServer: true)
        XCTAssertEqual(probe(Self.packet(0x10, Self.string("MQTT") + [4, 0x03] + be16(60) + Self.string("x")), toServer: true), .noMatch)
        XCTAssertEqual(probe(Self.packet(0x10, Self.string("MQTX") + [4, 0x02] + be16(60) + Self.string("x")), toServer: true), .noMatch)
    }

    func testSession311() {
        let bigPayload = [UInt8](repeating: 0x41, count: 300)   // two-byte remaining length
        let got = assertSplitInvariant(.mqtt, [
            .c(Self.connect4), .s([0x20, 2, 0, 0]),
            .c(Self.packet(0x30, Self.string("sensors/t1") + [UInt8]("21.5"))),
            .c(Self.packet(0x32, Self.string("sensors/big") + be16(7) + bigPayload)), .s([0x40, 2, 0, 7]),
            .c(Self.packet(0x82, be16(1) + Self.string("a/b/#") + [0])), .s([0x90, 3, 0, 1, 0]),
            .c([0xc0, 0]), .c([0xe0, 0]),
        ])
        XCTAssertEqual(got.lines, ["CONNECT sensor-17", "PUBLISH sensors/t1", "PUBLISH sensors/big", "SUBSCRIBE a/b/#",
                                   "PINGREQ", "DISCONNECT"])
        XCTAssertEqual(got.replies, [])
    }

    func testSession5() {
        let got = assertSplitInvariant(.mqtt, [
            .c(Self.connect5), .s([0x20, 3, 0, 0x87, 0]),
            .c(Self.packet(0x82, be16(1) + [0] + Self.string("x/y") + [0])),
        ])
        XCTAssertEqual(got.lines, ["CONNECT sensor-18", "SUBSCRIBE x/y"])
        XCTAssertEqual(got.replies, ["error: "])
    }

    /// Version 5 properties come before the client id; however long they are (here 300 bytes,
    /// a two-byte length) the whole id is reported, and the next packet still frames.
    func testSession5PropertiesBeforeALongClientId() {
        let id = "sluice-mqtt5-client-with-a-rather-long-identifier-0123456789"
        let properties: [UInt8] = [0x11, 0, 0, 0x0e, 0x10] + [0x26] + Self.string("app") + Self.string(String(repeating: "v", count: 287))
        XCTAssertEqual(properties.count, 300)
        let got = assertSplitInvariant(.mqtt, [
            .c(Self.packet(0x10, Self.string("MQTT") + [5, 0x02] + be16(60) + [0xac, 0x02] + properties + Self.string(id))),
            .s([0x20, 3, 0, 0, 0]),
            .c(Self.packet(0x30, Self.string("a/b") + [0] + [UInt8]("x"))),
        ])
        XCTAssertEqual(got.lines, ["CONNECT \(id)", "PUBLISH a/b"])
        XCTAssertEqual(got.replies, [])
    }
}
