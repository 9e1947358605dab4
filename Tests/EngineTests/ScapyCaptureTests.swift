import SluiceTestSupport
import Codecs
import Engine
import Foundation
import XCTest

/// Hand-built captures (`Tests/Captures/scapy/make.py`) for IP defragmentation and TCP
/// reassembly, checked against `expected.json`, where each expected result was written from
/// the protocol's rules (first-wins on overlap), not from any engine's output.
final class ScapyCaptureTests: XCTestCase {
    static let dir = Fixtures.captures.appendingPathComponent("scapy")

    func expectations() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: Self.dir.appendingPathComponent("expected.json"))
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return all.compactMapValues { $0 as? [String: Any] }.filter { !$0.key.hasPrefix("_") }
    }

    func testDefragCases() throws {
        let cases = try expectations().filter { $0.value["kind"] as? String == "defrag" }
        XCTAssertEqual(cases.count, 6)
        for (name, want) in cases.sorted(by: { $0.key < $1.key }) {
            let (stage, stats) = try Fixtures.replay(Self.dir.appendingPathComponent(name).path)
            let datagrams = try XCTUnwrap(want["datagrams"] as? Int, name)
            XCTAssertEqual(Int(stats.defrag.reassembled), datagrams, name)
            if let b64 = want["udp_payload_b64"] as? String {
                let payload = try XCTUnwrap(Data(base64Encoded: b64), name)
                // The rebuilt datagram's UDP payload: skip the IP header and the 8-byte UDP header.
                let got = try XCTUnwrap(stage.datagrams.first, "\(name): no datagram rebuilt")
                let ipHeader = got[0] >> 4 == 4 ? Int(got[0] & 0x0f) * 4 : 40
                XCTAssertEqual(Array(got[(ipHeader + 8)...]), Array(payload), "\(name): payload differs")
                XCTAssertEqual(stage.finished.filter { $0.proto == IPProto.udp }.count, 1, name)
            } else {
                XCTAssertTrue(stage.datagrams.isEmpty, "\(name): nothing may come out")
                XCTAssertTrue(stage.finished.isEmpty, "\(name): an incomplete datagram makes no flow")
            }
            if name.contains("overlap") { XCTAssertGreaterThan(stats.defrag.overlaps, 0, name) }
        }
    }

    func chunks(_ value: Any?) throws -> [Chunk] {
        let list = try XCTUnwrap(value as? [[String: Any]])
        var out: [Chunk] = []
        for c in list {
            if let text = c["text"] as? String {
                if case .data(let prev)? = out.last { out[out.count - 1] = .data(prev + Array(text.utf8)) }
                else { out.append(.data(Array(text.utf8))) }
            } else if let gap = c["gap"] as? Int {
                out.append(.gap(gap))
            }
        }
        return out
    }

    func testTCPReassemblyCases() throws {
        let cases = try expectations().filter { $0.value["kind"] as? String == "tcp" }
        XCTAssertGreaterThanOrEqual(cases.count, 6)
        for (name, want) in cases.sorted(by: { $0.key < $1.key }) {
            let (stage, stats) = try Fixtures.replay(Self.dir.appendingPathComponent(name).path)
            XCTAssertEqual(stage.finished.count, 1, name)
            let f = try XCTUnwrap(stage.finished.first, name)
            XCTAssertEqual(f.toServer, try chunks(want["c2s"]), "\(name): client-to-server stream")
            XCTAssertEqual(f.toClient, try chunks(want["s2c"]), "\(name): server-to-client stream")
            XCTAssertEqual(Int(f.pktsToServer), want["packets_c2s"] as? Int, name)
            XCTAssertEqual(Int(f.pktsToClient), want["packets_s2c"] as? Int, name)
            switch name {
            case "tcp-retransmission.pcap": XCTAssertGreaterThan(stats.stream.retransmissions, 0)
            case "tcp-overlap.pcap": XCTAssertGreaterThan(stats.stream.overlaps + stats.stream.retransmissions, 0)
            case "tcp-out-of-order.pcap": XCTAssertGreaterThan(stats.stream.outOfOrder, 0)
            case "tcp-gap.pcap": XCTAssertEqual(stats.stream.gaps, 1)
            default: break
            }
        }
    }
}
