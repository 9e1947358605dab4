import SluiceTestSupport
import Codecs
import Engine
import Foundation
import XCTest

/// Sluice's flow records against tshark's conversation tables (`-z conv,tcp` and `conv,udp`),
/// the reference dissector, on captures of real clients and servers committed under
/// `Tests/Captures/real` (recorded by `Tests/Captures/record-real.sh`): the same flows, the
/// same packets in each direction, and the same bytes where tshark prints exact byte counts.
final class TsharkConversationTests: XCTestCase {
    struct Conversation: Hashable, CustomStringConvertible {
        var a: String, aPort: Int, b: String, bPort: Int
        var framesAtoB: Int, framesBtoA: Int
        var bytesAtoB: Int?, bytesBtoA: Int?
        var description: String { "\(a):\(aPort) <-> \(b):\(bPort) ->\(framesAtoB) <-\(framesBtoA)" }
    }

    static func endpoint(_ s: Substring) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]) else { return nil }
        return (String(s[..<colon]), port)
    }

    /// Parses the rows of one `-z conv,PROTO` table.
    static func parse(_ text: String, table: String) -> [Conversation] {
        var out: [Conversation] = []
        var inTable = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix(table) { inTable = true; continue }
            if line.hasPrefix("====") { inTable = false; continue }
            guard inTable, line.contains("<->") else { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            // A <-> B  framesBtoA bytesBtoA unit  framesAtoB bytesAtoB unit  ...
            guard parts.count >= 9, let (a, ap) = endpoint(parts[0]), let (b, bp) = endpoint(parts[2]),
                  let fBA = Int(parts[3]), let fAB = Int(parts[6]) else { continue }
            let bBA = parts[5] == "bytes" ? Int(parts[4]) : nil
            let bAB = parts[8] == "bytes" ? Int(parts[7]) : nil
            out.append(Conversation(a: a, aPort: ap, b: b, bPort: bp, framesAtoB: fAB, framesBtoA: fBA,
                                    bytesAtoB: bAB, bytesBtoA: bBA))
        }
        return out
    }

    func captures() throws -> [String] {
        let dir = Fixtures.captures.appendingPathComponent("real")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let files = names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
        XCTAssertFalse(files.isEmpty, "no captures in \(dir.path)")
        return files.map { dir.appendingPathComponent($0).path }
    }

    func testFlowsMatchTsharkConversations() throws {
        guard let tshark = Fixtures.which("tshark") else {
            throw XCTSkip("tshark is not installed (scripts/install-deps.sh installs it)")
        }
        for path in try captures() {
            let text = try XCTUnwrap(Fixtures.run(tshark, ["-n", "-r", path, "-q", "-z", "conv,tcp", "-z", "conv,udp"]))
            let reference = Self.parse(text, table: "TCP Conversations") + Self.parse(text, table: "UDP Conversations")
            XCTAssertFalse(reference.isEmpty, "tshark found no conversations in \(path)")
            let (stage, _) = try Fixtures.replay(path)
            let ours = stage.finished.filter { $0.proto == IPProto.tcp || $0.proto == IPProto.udp }
            XCTAssertEqual(ours.count, reference.count, "\(path): flow count differs from tshark")
            var unmatched = ours
            for c in reference {
                let i = unmatched.firstIndex { f in
                    (f.client.description == c.a && Int(f.clientPort) == c.aPort && f.server.description == c.b && Int(f.serverPort) == c.bPort)
                        || (f.client.description == c.b && Int(f.clientPort) == c.bPort && f.server.description == c.a && Int(f.serverPort) == c.aPort)
                }
                guard let i else { XCTFail("\(path): tshark conversation \(c) has no Sluice flow"); continue }
                let f = unmatched.remove(at: i)
                let aIsClient = f.client.description == c.a && Int(f.clientPort) == c.aPort
                let (toServer, toClient) = aIsClient ? (c.framesAtoB, c.framesBtoA) : (c.framesBtoA, c.framesAtoB)
                XCTAssertEqual(Int(f.pktsToServer), toServer, "\(path): \(c) packets client→server")
                XCTAssertEqual(Int(f.pktsToClient), toClient, "\(path): \(c) packets server→client")
                let (bytesToServer, bytesToClient) = aIsClient ? (c.bytesAtoB, c.bytesBtoA) : (c.bytesBtoA, c.bytesAtoB)
                if let b = bytesToServer { XCTAssertEqual(Int(f.bytesToServer), b, "\(path): \(c) bytes client→server") }
                if let b = bytesToClient { XCTAssertEqual(Int(f.bytesToClient), b, "\(path): \(c) bytes server→client") }
            }
            XCTAssertTrue(unmatched.isEmpty, "\(path): Sluice flows tshark does not list: \(unmatched.map { "\($0.client):\($0.clientPort)->\($0.server):\($0.serverPort)" })")
        }
    }

    func testParserReadsTsharkRows() {
        let sample = """
        TCP Conversations
        Filter:<No Filter>
        1.1.1.1:12345              <-> 2.2.2.2:80                       3 162 bytes       4 220 bytes       7 382 bytes     0.000000000         0.0043
        fd77::1:40000              <-> fd77::2:443                     10 12 kB          9 1,024 bytes    19 13 kB        0.1 0.2
        ================================================================================
        """
        let rows = Self.parse(sample, table: "TCP Conversations")
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0], Conversation(a: "1.1.1.1", aPort: 12345, b: "2.2.2.2", bPort: 80, framesAtoB: 4, framesBtoA: 3,
                                             bytesAtoB: 220, bytesBtoA: 162))
        XCTAssertEqual(rows[1].a, "fd77::1")
        XCTAssertEqual(rows[1].bPort, 443)
        XCTAssertNil(rows[1].bytesBtoA)
    }
}
