import Foundation
import L7
import L7Core
import XCTest

/// Protocol cases where Suricata is the reference (issue 18), on the hand-built captures in
/// Tests/Captures/fidelity (its make.py says what each one holds).
final class FidelityTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures/fidelity")

    func replay(_ name: String) throws -> (events: [[String: Any]], counters: L7Counters) {
        try L7Harness.replay(file: Self.dir.appendingPathComponent(name).path)
    }

    func records(_ events: [[String: Any]], _ type: String) -> [[String: Any]] {
        events.filter { $0["event_type"] as? String == type }
    }

    func flow(_ events: [[String: Any]]) throws -> [String: Any] {
        try XCTUnwrap(records(events, "flow").first)
    }

    // MARK: - Flow direction when the first packet is a response

    func testDNSAnswerFirstOverUDPNamesTheQuerierAsSource() throws {
        let (events, counters) = try replay("dns-answer-first-udp.pcap")
        let dns = records(events, "dns")
        XCTAssertEqual(dns.count, 2)
        for r in dns + [try flow(events)] {
            XCTAssertEqual(r["src_ip"] as? String, "10.18.0.1", "\(r)")
            XCTAssertEqual(r["src_port"] as? Int, 41000)
            XCTAssertEqual(r["dest_port"] as? Int, 53)
        }
        let f = try XCTUnwrap(try flow(events)["flow"] as? [String: Any])
        XCTAssertEqual(f["pkts_toserver"] as? Int, 1)
        XCTAssertEqual(f["pkts_toclient"] as? Int, 1)
        XCTAssertEqual(try flow(events)["app_proto"] as? String, "dns")
        XCTAssertEqual(counters.flowsReversed, 1)
    }

    func testDNSAnswerFirstOverTCPMidstreamNamesTheQuerierAsSource() throws {
        let (events, counters) = try replay("dns-answer-first-tcp.pcap")
        let dns = records(events, "dns")
        XCTAssertEqual(dns.count, 3)
        for r in dns + [try flow(events)] {
            XCTAssertEqual(r["src_ip"] as? String, "10.18.0.1", "\(r)")
            XCTAssertEqual(r["dest_port"] as? Int, 53)
        }
        let f = try XCTUnwrap(try flow(events)["flow"] as? [String: Any])
        XCTAssertEqual(f["pkts_toserver"] as? Int, 3)
        XCTAssertEqual(f["pkts_toclient"] as? Int, 3)
        XCTAssertEqual(counters.flowsReversed, 1)
    }
}

extension FidelityTests {
    // MARK: - Detection that gives up too early

    func testJunkDatagramsBeforeTheFirstQueryDoNotEndDetection() throws {
        for name in ["dns-junk-first-udp.pcap", "dns-junk-both-udp.pcap"] {
            let (events, _) = try replay(name)
            XCTAssertEqual(records(events, "dns").count, 2, name)
            XCTAssertEqual(try flow(events)["app_proto"] as? String, "dns", name)
        }
    }

    func testDatagramsNeverRecognisedStillEndFailed() throws {
        // The junk of dns-junk-both-udp with detection allowed no unrecognised datagram.
        var config = L7Config()
        config.detectionDatagrams = 0
        let (events, _) = try L7Harness.replay(file: Self.dir.appendingPathComponent("dns-junk-both-udp.pcap").path, config: config)
        XCTAssertEqual(records(events, "dns").count, 0)
        XCTAssertEqual(try flow(events)["app_proto"] as? String, "failed")
    }
}

extension FidelityTests {
    func testMQTTPickedUpMidstreamFromAPublishSplitAcrossSegments() throws {
        let (events, counters) = try replay("mqtt-midstream.pcap")
        XCTAssertEqual(try flow(events)["app_proto"] as? String, "mqtt")
        XCTAssertEqual(counters.commandsByApp[Int(AppProto.mqtt.rawValue)], 1)
    }

    func testMQTTPingRequestAndResponseAloneAreMQTT() throws {
        let (events, counters) = try replay("mqtt-ping.pcap")
        XCTAssertEqual(try flow(events)["app_proto"] as? String, "mqtt")
        XCTAssertEqual(counters.commandsByApp[Int(AppProto.mqtt.rawValue)], 1)
    }
}

extension FidelityTests {
    // MARK: - Recovery after a TCP gap

    func testDNSOverTCPResynchronisesAfterALostAnswer() throws {
        let (events, _) = try replay("dns-tcp-gap.pcap")
        let dns = records(events, "dns")
        let answers = dns.filter { ($0["dns"] as? [String: Any])?["type"] as? String == "answer" }
        XCTAssertEqual(dns.count - answers.count, 3, "every query")
        XCTAssertEqual(answers.compactMap { ($0["dns"] as? [String: Any])?["rrname"] as? String },
                       ["one.example", "three.example"])
    }
}
