import Datastore
import L7Core
import XCTest

/// Kafka requests with the v1 and v2 request headers (api key, version, correlation id, client id).
final class KafkaTests: XCTestCase {
    static func request(_ key: Int, _ version: Int, _ correlation: Int, _ client: String?, _ body: [UInt8]) -> [UInt8] {
        let id: [UInt8] = client.map { be16($0.utf8.count) + [UInt8]($0) } ?? be16(0xffff)
        let header: [UInt8] = be16(key) + be16(version) + be32(correlation) + id
        return be32(header.count + body.count) + header + body
    }

    /// ApiVersions v3 (flexible: tagged fields after the client id, compact strings in the body).
    static let apiVersions = request(18, 3, 1, "rdkafka", [0] + [8] + [UInt8]("librdkafka") .prefix(7) + [6] + [UInt8]("2.3.0") + [0])
    static let metadata = request(3, 1, 2, "rdkafka", be32(1) + be16(4) + [UInt8]("test"))
    static let produce = request(0, 3, 3, "producer-1", be16(0xffff) + be16(1) + be32(1500) + zeros(40))

    func testProbe() {
        assertProbe(.kafka, Self.apiVersions, toServer: true)
        assertProbe(.kafka, Self.metadata, toServer: true)
        assertProbe(.kafka, Self.produce, toServer: true)
        assertProbe(.kafka, Self.request(18, 0, 0, nil, []), toServer: true)
        XCTAssertEqual(probe(Self.request(99, 0, 1, "x", []), toServer: true), .noMatch)
        XCTAssertEqual(probe(Self.request(1, 40, 1, "x", []), toServer: true), .noMatch)
        XCTAssertEqual(probe(Self.request(1, 4, 1, "a\u{1}b", []), toServer: true), .noMatch)
        XCTAssertEqual(probe(Self.metadata, toServer: false), .noMatch)
    }

    func testCommands() {
        let got = assertSplitInvariant(.kafka, [
            .c(Self.apiVersions), .s(be32(6) + be32(1) + be16(0)),
            .c(Self.metadata + Self.produce), .s(be32(8) + be32(2) + be32(0)),
            .c(Self.request(1, 11, 4, nil, zeros(20))),
        ])
        XCTAssertEqual(got.lines, ["ApiVersions rdkafka", "Metadata rdkafka", "Produce producer-1", "Fetch"])
    }
}
