import Foundation
import SluiceTestSupport
import XCTest

/// Every DNS answer and TLS handshake field tshark reads from the recorded dig/dnsmasq and
/// openssl captures, Sluice reports too, and nothing else.
final class DNSTLSCrossCheckTests: XCTestCase {
    static let rrTypes = ["1": "A", "2": "NS", "5": "CNAME", "6": "SOA", "12": "PTR", "15": "MX", "16": "TXT",
                          "28": "AAAA", "33": "SRV"]
    static let rcodes = ["0": "NOERROR", "2": "SERVFAIL", "3": "NXDOMAIN", "5": "REFUSED"]

    /// One response as "id qname qtype rcode: answer; answer" with answers sorted.
    static func describe(id: Int, qname: String, qtype: String, rcode: String, answers: [String]) -> String {
        "\(id) \(qname) \(qtype) \(rcode): " + answers.sorted().joined(separator: "; ")
    }

    /// An answer's value as tshark prints it, from Sluice's EVE answer object.
    static func sluiceValue(_ a: [String: Any]) -> String {
        if let srv = a["srv"] as? [String: Any] { return srv["name"] as? String ?? "" }
        if let soa = a["soa"] as? [String: Any] { return soa["mname"] as? String ?? "" }
        let rdata = a["rdata"] as? String ?? ""
        return a["rrtype"] as? String == "AAAA" ? (IPAddressText.compress(rdata) ?? rdata) : rdata
    }

    static let tsharkValueFields = ["dns.a", "dns.aaaa", "dns.cname", "dns.ns", "dns.ptr.domain_name",
                                    "dns.mx.mail_exchange", "dns.txt", "dns.srv.target", "dns.soa.mname"]

    func testDNSAnswersMatchTshark() throws {
        for capture in ["mixed.pcap", "l7-dns-tls.pcap"] {
            let (events, _) = try L7Harness.replay(capture)
            var ours: [String] = []
            for e in events {
                guard let d = e["dns"] as? [String: Any], d["type"] as? String == "answer" else { continue }
                let answers = (d["answers"] as? [[String: Any]] ?? []).map {
                    "\($0["rrname"] as? String ?? "") \($0["rrtype"] as? String ?? "") \(Self.sluiceValue($0))"
                }
                ours.append(Self.describe(id: d["id"] as? Int ?? -1, qname: d["rrname"] as? String ?? "",
                                          qtype: d["rrtype"] as? String ?? "", rcode: d["rcode"] as? String ?? "",
                                          answers: answers))
            }
            var reference: [String] = []
            for layers in try L7Harness.tsharkJSON(capture, filter: "dns.flags.response == 1", extra: ["--no-duplicate-keys"]) {
                let dns = try XCTUnwrap(layers["dns"] as? [String: Any])
                let flags = dns["dns.flags_tree"] as? [String: Any] ?? [:]
                let query = (dns["Queries"] as? [String: Any])?.values.first as? [String: Any] ?? [:]
                var answers: [String] = []
                // With --no-duplicate-keys, identical answer keys (two TXT records) become an array.
                for entry in (dns["Answers"] as? [String: Any] ?? [:]).values {
                    for rr in (entry as? [[String: Any]]) ?? [entry as? [String: Any] ?? [:]] {
                        let type = rr["dns.resp.type"] as? String ?? ""
                        // tshark splits an SRV owner into service, proto and name.
                        let owner = rr["dns.resp.name"] as? String
                            ?? [rr["dns.srv.service"], rr["dns.srv.proto"], rr["dns.srv.name"]].compactMap { $0 as? String }
                                .joined(separator: ".")
                        // A TXT record of several strings is one answer per string in Suricata's
                        // records (and Sluice's); tshark lists the strings in one array.
                        let texts = rr["dns.txt"] as? [String]
                        for value in texts ?? [Self.tsharkValueFields.lazy.compactMap { rr[$0] as? String }.first ?? ""] {
                            answers.append("\(owner) \(Self.rrTypes[type] ?? type) \(value)")
                        }
                    }
                }
                let qtype = query["dns.qry.type"] as? String ?? ""
                let rcode = flags["dns.flags.rcode"] as? String ?? ""
                reference.append(Self.describe(id: Int((dns["dns.id"] as? String ?? "").dropFirst(2), radix: 16) ?? -2,
                                               qname: query["dns.qry.name"] as? String ?? "",
                                               qtype: Self.rrTypes[qtype] ?? qtype, rcode: Self.rcodes[rcode] ?? rcode,
                                               answers: answers))
            }
            XCTAssertFalse(reference.isEmpty, capture)
            XCTAssertEqual(ours.sorted(), reference.sorted(), capture)
        }
    }

    func testTLSHandshakesMatchTshark() throws {
        for capture in ["mixed.pcap", "l7-dns-tls.pcap"] {
            let (events, _) = try L7Harness.replay(capture)
            let ours = events.compactMap { e -> String? in
                guard let t = e["tls"] as? [String: Any] else { return nil }
                let a = eveVendorObject(e, "tls")
                let alpns = (a?["client_alpns"] as? [String])?.joined(separator: ",") ?? ""
                let chosen = (a?["server_alpns"] as? [String])?.joined(separator: ",") ?? ""
                return "\(e["src_port"] as? Int ?? 0) \(t["sni"] as? String ?? "") [\(alpns)] \(t["version"] as? String ?? "") [\(chosen)]"
            }
            // tshark: SNI and offered ALPNs from each ClientHello, version and chosen ALPN (TLS 1.2
            // shows it in the clear) from the ServerHello of the same connection.
            var servers: [String: (version: String, alpn: String)] = [:]
            for row in try L7Harness.tshark(["-r", L7Harness.path(capture), "-Y", "tls.handshake.type == 2", "-T", "fields",
                                             "-e", "tcp.dstport", "-e", "tls.handshake.extensions.supported_version",
                                             "-e", "tls.handshake.version", "-e", "tls.handshake.extensions_alpn_str"]) where row.count == 4 {
                let version = row[1].isEmpty ? row[2] : row[1]
                servers[row[0]] = (["0x0304": "TLS 1.3", "0x0303": "TLS 1.2", "0x0302": "TLS 1.1"][version] ?? version, row[3])
            }
            var reference: [String] = []
            for row in try L7Harness.tshark(["-r", L7Harness.path(capture), "-Y", "tls.handshake.type == 1", "-T", "fields",
                                             "-e", "tcp.srcport", "-e", "tls.handshake.extensions_server_name",
                                             "-e", "tls.handshake.extensions_alpn_str"]) where row.count == 3 {
                let s = servers[row[0]] ?? ("UNDETERMINED", "")
                reference.append("\(row[0]) \(row[1]) [\(row[2])] \(s.version) [\(s.alpn)]")
            }
            XCTAssertFalse(reference.isEmpty, capture)
            XCTAssertEqual(ours.sorted(), reference.sorted(), capture)
        }
    }
}
