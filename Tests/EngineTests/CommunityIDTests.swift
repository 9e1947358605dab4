import Codecs
import Engine
import Foundation
import Output
import PacketIO
import XCTest

/// The Community ID against the spec's own reference values (corelight/community-id-spec,
/// baseline/baseline_deflt.json, seed 0), and on replayed records: every record of a flow
/// carries the same ID, the one an independent implementation (Python's hashlib, below)
/// computes from the record's 5-tuple.
final class CommunityIDTests: XCTestCase {
    /// (proto, source, destination, source port or ICMP type, destination port or ICMP code, ID)
    static let baseline: [(UInt8, String, String, UInt16, UInt16, String)] = [
        (6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
        (6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
        (6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="),
        (17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="),
        (17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="),
        (132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="),
        // ICMP echo request and reply: one two-way flow.
        (1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="),
        (1, "192.168.0.1", "192.168.0.89", 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="),
        // Time exceeded: one-way, hashed with its code and never reordered.
        (1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="),
        (58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="),
        (58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="),
        (58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="),
        (58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0="),
        (58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="),
        // A protocol without ports.
        (46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="),
        (46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="),
    ]

    func testSpecBaseline() throws {
        for (proto, s, d, sp, dp, want) in Self.baseline {
            let src = try XCTUnwrap(IPAddress(s)), dst = try XCTUnwrap(IPAddress(d))
            XCTAssertEqual(CommunityID.string(src: src, dst: dst, proto: proto, srcPort: sp, dstPort: dp), want,
                           "\(proto) \(s):\(sp) > \(d):\(dp)")
        }
    }

    /// mixed.pcap's records: every record of a flow has one ID, and Python's hashlib agrees.
    func testReplayedRecordsCarryTheFlowsID() throws {
        let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Captures/real/mixed.pcap").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-cid-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let fd = open(out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var source = try PcapFile(path: capture)
        var worker = Worker(config: EngineConfig(), stage: CountingStage(), eveFD: fd)
        _ = try Replay.run(&source, through: &worker)
        worker.shutdown()
        close(fd)
        let records = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertGreaterThan(records.count, 10)
        var byFlow: [Int: String] = [:]
        var tuples: [String] = []
        for r in records {
            let id = try XCTUnwrap(r["community_id"] as? String, "\(r)")
            let flow = try XCTUnwrap(r["flow_id"] as? Int)
            if let seen = byFlow[flow] { XCTAssertEqual(seen, id) }
            byFlow[flow] = id
            let proto = ["TCP": 6, "UDP": 17, "ICMP": 1, "IPv6-ICMP": 58][r["proto"] as? String ?? ""] ?? 0
            guard proto == 6 || proto == 17 else { continue }
            tuples.append("\(proto) \(r["src_ip"]!) \(r["dest_ip"]!) \(r["src_port"]!) \(r["dest_port"]!) \(id)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("no /usr/bin/python3") }
        // An independent implementation: hashlib's SHA-1 over the spec's byte layout.
        let script = """
        import base64, hashlib, ipaddress, struct, sys
        bad = 0
        for line in sys.stdin:
            proto, s, d, sp, dp, want = line.split()
            a, b, sp, dp = ipaddress.ip_address(s).packed, ipaddress.ip_address(d).packed, int(sp), int(dp)
            if (a, sp) > (b, dp): a, b, sp, dp = b, a, dp, sp
            data = struct.pack("!H", 0) + a + b + struct.pack("!BBHH", int(proto), 0, sp, dp)
            got = "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()
            if got != want: bad += 1; print("differs:", line.strip(), got)
        print("checked", bad)
        """
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-cid-\(getpid()).txt")
        defer { try? FileManager.default.removeItem(at: input) }
        try tuples.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", script]
        p.standardInput = try FileHandle(forReadingFrom: input)
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertFalse(tuples.isEmpty)
        XCTAssertTrue(text.hasSuffix("checked 0\n"), text)
    }
}
