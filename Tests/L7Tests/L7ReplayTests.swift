import Codecs
import Engine
import Foundation
import L7
import L7Core
import PacketIO
import SluiceTestSupport
import XCTest

/// The L7 stage on the recorded real traffic (`Tests/Captures/real`): detected applications,
/// and the DNS and TLS records it writes, checked against tshark's dissection of the same capture.
final class L7ReplayTests: XCTestCase {
    func replay(_ name: String) throws -> (events: [[String: Any]], counters: L7Counters) { try L7Harness.replay(name) }
    func tshark(_ args: [String]) throws -> [[String]] { try L7Harness.tshark(args) }
    static let captures = L7Harness.captures

    static let typeNames = ["1": "A", "2": "NS", "5": "CNAME", "6": "SOA", "12": "PTR", "15": "MX", "16": "TXT",
                            "28": "AAAA", "33": "SRV"]

    func testApplicationsDetectedByContent() throws {
        let (events, counters) = try replay("mixed.pcap")
        let flows = events.filter { $0["event_type"] as? String == "flow" }
        for f in flows where f["proto"] as? String == "TCP" {
            let port = f["dest_port"] as? Int
            let app = f["app_proto"] as? String
            switch port {
            case 80: XCTAssertEqual(app, "http", "\(f)")
            case 443: XCTAssertEqual(app, "tls", "\(f)")
            case 53: XCTAssertEqual(app, "dns", "\(f)")
            default: XCTAssertNil(app, "a refused connection carries no payload to detect: \(f)")
            }
        }
        for f in flows where f["proto"] as? String == "UDP" {
            XCTAssertEqual(f["app_proto"] as? String, "dns", "\(f)")
        }
        XCTAssertEqual(counters.flowsByApp[Int(AppProto.tls.rawValue)], 3)
        XCTAssertEqual(counters.flowsByApp[Int(AppProto.http.rawValue)], 6)
    }

    /// Every TCP and UDP flow of the recorded captures gets its protocol from content alone
    /// (the servers listen on their usual ports, but detection never looks at them).
    func testEveryRecordedProtocolDetected() throws {
        let expected = ["l7-http1.pcap": "http", "l7-http2.pcap": "http2", "l7-grpc.pcap": "http2", "l7-redis.pcap": "redis",
                        "l7-pgsql.pcap": "pgsql", "l7-memcached.pcap": "memcached", "l7-mqtt.pcap": "mqtt"]
        for (capture, app) in expected {
            let flows = try replay(capture).events.filter {
                $0["event_type"] as? String == "flow" && ["TCP", "UDP"].contains($0["proto"] as? String ?? "")
            }
            XCTAssertFalse(flows.isEmpty, capture)
            for f in flows { XCTAssertEqual(f["app_proto"] as? String, app, "\(capture): \(f)") }
        }
        let dnsTLS = try replay("l7-dns-tls.pcap").events.filter { $0["event_type"] as? String == "flow" && $0["proto"] as? String != "IPv6-ICMP" }
        for f in dnsTLS { XCTAssertEqual(f["app_proto"] as? String, f["dest_port"] as? Int == 443 ? "tls" : "dns", "\(f)") }
    }

    func testDNSRecordsMatchTshark() throws {
        let (events, _) = try replay("mixed.pcap")
        let dns = events.compactMap { $0["dns"] as? [String: Any] }
        let ours = Set(dns.filter { $0["type"] as? String == "query" }.map {
            "\($0["rrname"] as? String ?? "") \($0["rrtype"] as? String ?? "")"
        })
        let reference = Set(try tshark(["-r", Self.captures.appendingPathComponent("mixed.pcap").path,
                                        "-Y", "dns.flags.response == 0", "-T", "fields", "-e", "dns.qry.name", "-e", "dns.qry.type"])
            .filter { $0.count == 2 }.map { "\($0[0]) \(Self.typeNames[$0[1]] ?? $0[1])" })
        XCTAssertFalse(reference.isEmpty)
        XCTAssertEqual(ours, reference)

        // Every A and AAAA address tshark reads from the answers to A and AAAA queries, Sluice
        // reports (Suricata's v2 records leave the additional section out, so MX glue is not compared).
        var answers = Set<String>()
        for d in dns where d["type"] as? String == "answer" && ["A", "AAAA"].contains(d["rrtype"] as? String ?? "") {
            for a in d["answers"] as? [[String: Any]] ?? [] where ["A", "AAAA"].contains(a["rrtype"] as? String ?? "") {
                if let text = a["rdata"] as? String, let ip = IPAddressText.compress(text) { answers.insert(ip) }
            }
        }
        var refAnswers = Set<String>()
        for row in try tshark(["-r", Self.captures.appendingPathComponent("mixed.pcap").path,
                               "-Y", "dns.flags.response == 1 && (dns.qry.type == 1 || dns.qry.type == 28)",
                               "-T", "fields", "-e", "dns.a", "-e", "dns.aaaa"]) {
            for field in row { for ip in field.split(separator: ",") { refAnswers.insert(String(ip)) } }
        }
        XCTAssertFalse(refAnswers.isEmpty)
        XCTAssertEqual(answers, refAnswers)
        // Responses over TCP (dig +tcp) are framed and logged too.
        XCTAssertTrue(events.contains { $0["event_type"] as? String == "dns" && $0["proto"] as? String == "TCP" })
    }

    func testTLSRecordsMatchTshark() throws {
        let (events, _) = try replay("mixed.pcap")
        let tlsRecords = events.filter { $0["tls"] is [String: Any] }
        let tls = tlsRecords.compactMap { $0["tls"] as? [String: Any] }
        let ours = Set(tlsRecords.map { e in
            let alpns = (eveVendorObject(e, "tls")?["client_alpns"] as? [String])?.joined(separator: ",") ?? ""
            return "\((e["tls"] as? [String: Any])?["sni"] as? String ?? "") \(alpns)"
        })
        let reference = Set(try tshark(["-r", Self.captures.appendingPathComponent("mixed.pcap").path,
                                        "-Y", "tls.handshake.type == 1", "-T", "fields",
                                        "-e", "tls.handshake.extensions_server_name", "-e", "tls.handshake.extensions_alpn_str"])
            .filter { $0.count == 2 }.map { "\($0[0]) \($0[1])" })
        XCTAssertEqual(ours, reference)
        // The TLS 1.2 session shows its certificate; the 1.3 ones encrypt it.
        let versions = tls.compactMap { $0["version"] as? String }.sorted()
        XCTAssertEqual(versions, ["TLS 1.2", "TLS 1.3", "TLS 1.3"])
        let v12 = try XCTUnwrap(tls.first { $0["version"] as? String == "TLS 1.2" })
        XCTAssertEqual(v12["subject"] as? String, "CN=alpha.example.com")
        XCTAssertNotNil(v12["notafter"] as? String)
        for t in tls {
            XCTAssertEqual((t["ja3"] as? [String: Any])?["hash"].map { "\($0)".count }, 32)
            XCTAssertNotNil(t["ja4"] as? String)
        }
    }

    func testGSOCaptureAndPcapng() throws {
        // Large GRO/TSO frames and pcapng input go through the same stage.
        let (gso, _) = try replay("mixed-gso.pcap")
        XCTAssertTrue(gso.contains { $0["event_type"] as? String == "flow" && $0["app_proto"] as? String == "http" })
        let (ng, _) = try replay("mixed.pcapng")
        XCTAssertEqual(ng.filter { $0["event_type"] as? String == "tls" }.count, 3)
    }
}

/// Turns Suricata's uncompressed IPv6 text into tshark's compressed form for comparison.
enum IPAddressText {
    static func compress(_ text: String) -> String? { IPAddress(text)?.description }
}
