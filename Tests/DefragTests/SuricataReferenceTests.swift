import Foundation
import XCTest
@testable import Defrag

/// Suricata's defrag unit tests rebuild a scapy packet and compare against its exact bytes:
/// IP(src='1.1.1.1', dst='2.2.2.2')/TCP(dport=8080, sport=12345, flags='S', seq=1,
/// options=[('WScale', 14)]), fragmented with fragsize=8.
final class SuricataReferenceTests: XCTestCase {
    typealias B = FragmentBuilder

    func testScapySynReassemblesToReferenceBytes() throws {
        let reference = try XCTUnwrap(Data(base64Encoded: "RQAALAABAABABnTGAQEBAQICAgIwOR+QAAAAAQAAAABgAiAAGQwAAAMDDgA="))
        let expected = [UInt8](reference)
        XCTAssertEqual(expected.count, 44)
        let tcp = Array(expected[20...])
        let frags = [0, 8, 16].map { off in
            B.ipv4(src: [1, 1, 1, 1], dst: [2, 2, 2, 2], id: 1, proto: 6, ttl: 64, offset: off, more: off < 16,
                   payload: Array(tcp[off..<off + 8]))
        }
        for f in frags {
            XCTAssertEqual(f.count, 28)
            XCTAssertEqual(B.checksum(Array(f[0..<20])), 0)
        }
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
            var d = Defragmenter(config: DefragConfig())
            XCTAssertEqual(d.feed(frags[order[0]]), .incomplete)
            XCTAssertEqual(d.feed(frags[order[1]]), .incomplete)
            XCTAssertEqual(d.feed(frags[order[2]]), .reassembled(expected), "order \(order)")
        }
    }
}
