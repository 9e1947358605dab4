import Datastore
import L7Core
import XCTest

/// A ZooKeeper session: ConnectRequest/Response, then requests (xid, type, path) and replies.
final class ZooKeeperTests: XCTestCase {
    static func framed(_ body: [UInt8]) -> [UInt8] { be32(body.count) + body }
    static let connect = framed(bytes(be32(0), zeros(8), be32(30_000), zeros(8), be32(16), zeros(16), [0]))
    static let connected = framed(bytes(be32(0), be32(30_000), [0, 0, 1, 0x8f, 0x12, 0x34, 0x56, 0x78], be32(16),
                                        [UInt8](repeating: 9, count: 16)))
    static func request(_ xid: Int, _ type: Int, _ path: String, _ rest: [UInt8] = [0]) -> [UInt8] {
        framed(bytes(be32(xid), be32(type), be32(path.utf8.count), [UInt8](path), rest))
    }

    func testProbe() {
        assertProbe(.zookeeper, Self.connect, toServer: true)
        assertProbe(.zookeeper, Self.connected, toServer: false)
        XCTAssertEqual(probe(Self.framed(bytes(be32(0), zeros(8), be32(30_000), zeros(8), be32(15), zeros(16), [0])), toServer: true), .noMatch)
    }

    func testSession() {
        let got = assertSplitInvariant(.zookeeper, [
            .c(Self.connect), .s(Self.connected),
            .c(Self.request(1, 4, "/zookeeper/config")), .s(Self.framed(bytes(be32(1), zeros(8), be32(0), be32(3), [UInt8]("abc")))),
            .c(Self.request(2, 1, "/app", bytes(be32(2), [UInt8]("hi"), be32(0), be32(0)))),
            .s(Self.framed(bytes(be32(2), zeros(8), be32(-110 & 0xffff_ffff)))),
            .c(Self.framed(bytes(be32(-2 & 0xffff_ffff), be32(11)))),
            .c(Self.framed(bytes(be32(3), be32(-11 & 0xffff_ffff)))),
        ])
        XCTAssertEqual(got.lines, ["connect", "getData /zookeeper/config", "create /app", "ping", "closeSession"])
        XCTAssertEqual(got.replies, ["error: "])
    }
}
