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

    /// MQTT 5 CONNECT: 46 bytes of properties precede a 60-byte client id, which Suricata reports
    /// whole (`mqtt.connect.client_id`); the parser's 80-byte header buffer drops the properties.
    func testMQTT5ConnectWithPropertiesKeepsTheWholeClientId() throws {
        let (events, _) = try replay("mqtt5-connect.pcap")
        let connect = records(events, "mqtt").compactMap { ($0["mqtt"] as? [String: Any])?["connect"] as? [String: Any] }
        XCTAssertEqual(connect.first?["client_id"] as? String, "sluice-mqtt5-client-with-a-rather-long-identifier-0123456789")
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

extension FidelityTests {
    func statuses(_ events: [[String: Any]]) -> [String: Int] {
        var out: [String: Int] = [:]
        for r in records(events, "http") {
            guard let h = r["http"] as? [String: Any], let url = h["url"] as? String else { continue }
            out[url] = h["status"] as? Int ?? 0
        }
        return out
    }

    func testHTTPResponsesAfterALostBodyKeepTheirStatus() throws {
        let (events, _) = try replay("http-gap-body.pcap")
        XCTAssertEqual(statuses(events), ["/page0": 200, "/page1": 201, "/page2": 202])
    }

    func testHTTPResynchronisesAtTheNextStatusLineAfterALostResponse() throws {
        // The lost response's request has no status; the next response is matched to the
        // next request, not to the one whose answer was lost.
        let (events, _) = try replay("http-gap-response.pcap")
        XCTAssertEqual(statuses(events), ["/page0": 200, "/page1": 0, "/page2": 202])
    }
}

extension FidelityTests {
    // MARK: - HTTP/1

    func testPlainHTTPInsideAConnectTunnelIsParsed() throws {
        let (events, _) = try replay("http-connect.pcap")
        let http = records(events, "http").compactMap { $0["http"] as? [String: Any] }
        XCTAssertEqual(http.compactMap { $0["http_method"] as? String }, ["CONNECT", "GET"])
        XCTAssertEqual(http.last?["url"] as? String, "/inside")
        XCTAssertEqual(http.last?["http_user_agent"] as? String, "tunnelled")
        XCTAssertEqual(http.last?["status"] as? Int, 200)
    }

    func testRequestLineWithoutProtocolFollowedByHeadersIsNotHTTP09() throws {
        let (events, _) = try replay("http-noproto.pcap")
        let http = try XCTUnwrap(records(events, "http").first?["http"] as? [String: Any])
        XCTAssertEqual(http["url"] as? String, "/noproto")
        XCTAssertEqual(http["hostname"] as? String, "www.example")
        XCTAssertEqual(http["http_user_agent"] as? String, "noproto")
        XCTAssertEqual(http["status"] as? Int, 200)
        XCTAssertNil(http["protocol"])
    }

    func testIPv6LiteralHostKeepsItsBrackets() throws {
        let (events, _) = try replay("http-ipv6-host.pcap")
        let http = try XCTUnwrap(records(events, "http").first?["http"] as? [String: Any])
        XCTAssertEqual(http["hostname"] as? String, "[fd18::80]")
    }
}
