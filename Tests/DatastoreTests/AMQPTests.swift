import Datastore
import L7Core
import XCTest

/// AMQP 0-9-1: protocol header, then method frames (type 1, channel, size, class, method, args, 0xCE).
final class AMQPTests: XCTestCase {
    static let header: [UInt8] = [UInt8]("AMQP") + [0, 0, 9, 1]
    static func method(_ channel: Int, _ cls: Int, _ m: Int, _ args: [UInt8]) -> [UInt8] {
        let payload: [UInt8] = be16(cls) + be16(m) + args
        return [1] + be16(channel) + be32(payload.count) + payload + [0xce]
    }
    static func short(_ s: String) -> [UInt8] { [UInt8(s.utf8.count)] + [UInt8](s) }
    static let start = method(0, 10, 10, [0, 9] + be32(0) + be32(5) + [UInt8]("PLAIN") + be32(5) + [UInt8]("en_US"))

    func testProbe() {
        assertProbe(.amqp, Self.header, toServer: true)
        assertProbe(.amqp, Self.start, toServer: false)
        XCTAssertEqual(probe([UInt8]("AMQX") + [0, 0, 9, 1], toServer: true), .noMatch)
        XCTAssertEqual(probe([UInt8]("AMQP") + [0, 0, 99, 1], toServer: true), .noMatch)
    }

    func testSession() {
        let got = assertSplitInvariant(.amqp, [
            .c(Self.header), .s(Self.start),
            .c(Self.method(0, 10, 11, be32(0) + Self.short("PLAIN") + be32(0) + Self.short("en_US"))),
            .c(Self.method(0, 10, 40, Self.short("/") + Self.short("") + [0])),
            .c(Self.method(1, 20, 10, Self.short(""))),
            .c(Self.method(1, 50, 10, be16(0) + Self.short("tasks") + [2] + be32(0))),
            .c(Self.method(1, 60, 40, be16(0) + Self.short("") + Self.short("tasks") + [0])
               + [2] + be16(1) + be32(14) + be16(60) + be16(0) + zeros(8) + be16(0) + [0xce]
               + [3] + be16(1) + be32(5) + [UInt8]("hello") + [0xce]),
            .s(Self.method(1, 20, 40, be16(404) + Self.short("NOT_FOUND - no queue 'x'") + be16(60) + be16(20))),
        ])
        XCTAssertEqual(got.lines, ["connection.start-ok", "connection.open", "channel.open", "queue.declare tasks",
                                   "basic.publish tasks"])
        XCTAssertEqual(got.replies, ["error: NOT_FOUND - no queue 'x'"])
    }
}
