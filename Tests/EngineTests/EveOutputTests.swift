import SluiceTestSupport
import Codecs
import Engine
import Foundation
import PacketIO
import XCTest

/// EVE `flow` records as files: one valid JSON object a line, Suricata's field names, and
/// numbers that add up to what was replayed.
final class EveOutputTests: XCTestCase {
    func testFlowRecordsAreValidEveJSON() throws {
        let capture = Fixtures.captures.appendingPathComponent("real/mixed.pcap").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-eve-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let fd = open(out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let (stage, stats) = try Fixtures.replay(capture, eveFD: fd)
        close(fd)
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, stage.finished.count)
        XCTAssertEqual(UInt64(lines.count), stats.flows.created)
        var packets = 0, bytes = 0
        let stamp = try NSRegularExpression(pattern: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$"#)
        for line in lines {
            let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            XCTAssertEqual(obj["event_type"] as? String, "flow")
            for key in ["timestamp", "src_ip", "dest_ip", "proto"] { XCTAssertNotNil(obj[key] as? String, key) }
            XCTAssertNotNil(obj["flow_id"] as? Int)
            let ts = try XCTUnwrap(obj["timestamp"] as? String)
            XCTAssertEqual(stamp.numberOfMatches(in: ts, range: NSRange(ts.startIndex..., in: ts)), 1, ts)
            let flow = try XCTUnwrap(obj["flow"] as? [String: Any])
            for key in ["pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient", "age"] {
                XCTAssertNotNil(flow[key] as? Int, key)
            }
            for key in ["start", "end", "state", "reason"] { XCTAssertNotNil(flow[key] as? String, key) }
            XCTAssertEqual(flow["reason"] as? String, "shutdown")
            packets += (flow["pkts_toserver"] as! Int) + (flow["pkts_toclient"] as! Int)
            bytes += (flow["bytes_toserver"] as! Int) + (flow["bytes_toclient"] as! Int)
            for key in ["src_ip", "dest_ip"] {
                let ip = try XCTUnwrap(obj[key] as? String)
                // IPv6 as Suricata writes it: eight 4-digit groups, never "::".
                if ip.contains(":") { XCTAssertEqual(ip.count, 39, ip); XCTAssertFalse(ip.contains("::"), ip) }
                XCTAssertNotNil(IPAddress(ip), ip)
            }
            let proto = obj["proto"] as? String
            if proto == "TCP" || proto == "UDP" {
                XCTAssertNotNil(obj["src_port"] as? Int)
                XCTAssertNotNil(obj["dest_port"] as? Int)
            }
            if proto == "TCP" {
                let tcp = try XCTUnwrap(obj["tcp"] as? [String: Any])
                XCTAssertEqual((tcp["tcp_flags"] as? String)?.count, 2)
                XCTAssertNotNil(tcp["state"] as? String)
            }
        }
        // Every IP packet belongs to exactly one flow; only non-IP frames (ARP) belong to none.
        XCTAssertEqual(UInt64(packets), stats.decode.packets - stats.decode.nonIP)
        XCTAssertEqual(stats.decode.malformedTotal, 0)
        XCTAssertGreaterThan(bytes, 0)
    }

    func testIdleFlowsTimeOutDuringReplay() throws {
        // With 1-second timeouts, flows idle across the capture's gaps end by timeout, not at the end.
        var config = EngineConfig()
        config.flow.timeouts.udpNew = 1
        config.flow.timeouts.udpEstablished = 1
        config.flow.timeouts.otherNew = 1
        config.flow.timeouts.otherEstablished = 1
        config.flow.timeouts.tcpClosed = 1
        let capture = Fixtures.captures.appendingPathComponent("real/mixed.pcap").path
        let (stage, stats) = try Fixtures.replay(capture, config: config)
        XCTAssertGreaterThan(stats.flows.timedOut, 0)
        XCTAssertEqual(stage.finished.filter { $0.reason == .timeout }.count, Int(stats.flows.timedOut))
        XCTAssertEqual(stats.flows.timedOut + stats.flows.shutdown, stats.flows.created)
    }

    func testTinyTableEvictsOldestAndKeepsCounting() throws {
        var config = EngineConfig()
        config.flow.capacity = 2
        let capture = Fixtures.captures.appendingPathComponent("real/mixed.pcap").path
        let (stage, stats) = try Fixtures.replay(capture, config: config)
        XCTAssertGreaterThan(stats.flows.evicted, 0)
        XCTAssertLessThanOrEqual(stats.flows.peakActive, 2)
        XCTAssertEqual(stage.finished.reduce(0) { $0 + $1.pktsToServer + $1.pktsToClient },
                       stats.decode.packets - stats.decode.nonIP)
    }
}
