#if os(Linux)
import Foundation
import XCTest

/// A policy with FQDN rules must still deny at the first packet what no name could allow: the
/// SYN is dropped and answered with a reset, the server never sees it, and a deny is logged.
/// Before, every non-allowed TCP flow waited for an SNI or Host whenever FQDN rules existed,
/// so denied handshakes completed and a port scan went unlogged.
final class FQDNDenyTests: XCTestCase {
    /// The server's count of SYNs that reached a listening socket (TcpPassiveOpens).
    func passiveOpens(_ bed: Bed) -> Int {
        let r = bed.exec(bed.server, "nstat -az TcpPassiveOpens")
        let line = r.output.split(separator: "\n").first { $0.hasPrefix("TcpPassiveOpens") } ?? ""
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }

    func testDeniedPortsAreResetAtTheSYNWhenFQDNRulesExist() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.startTLS()
        for port in [22, 8080, 9999] { try bed.startHTTP(port: port) }
        // Rule 30 allows TLS to *.example.test by name; rule 15 denies tcp/22 explicitly;
        // nothing allows 8080 or 9999 (default deny).
        try bed.write("policy.yaml", protectPolicy(tlsTo: "example",
                                                   extraRules: ["{ id: 15, from: clients, to: any, ports: [tcp/22], action: deny }"]))
        let sluice = try Daemon(bed, interfaces: [inlinePair])

        var cases: [(url: String, port: Int, why: String)] = []
        for host in ["10.98.0.2", "[fd98::2]"] {
            cases += [("http://\(host):22/", 22, "deny by rule 15"), ("http://\(host):9999/", 9999, "deny by default"),
                      ("http://\(host):8080/hello.txt", 8080, "deny by default, HTTP")]
        }
        for c in cases {
            let before = passiveOpens(bed)
            let r = bed.curl(c.url)
            let reached = passiveOpens(bed) - before
            print("\(c.url) (\(c.why)): curl exit \(r.status), SYN reached the server: \(reached > 0 ? "yes" : "no")")
            expect(r.status == 7, "\(c.url) (\(c.why)): expected a reset answering the SYN (curl exit 7), got \(r)", sluice)
            expect(reached == 0, "\(c.url) (\(c.why)): \(reached) connection(s) reached the server", sluice)
        }
        // What FQDN and address rules allow still passes: TLS by SNI waits for the name.
        let tls = bed.tlsGet()
        expect(tls.output.contains("200 ok"), "TLS to www.example.test: \(tls)", sluice)
        let http = bed.curl("http://10.98.0.2/hello.txt")
        expect(http.status == 0, "allowed HTTP: \(http)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let denies = sluice.records("policy").filter { sluiceField($0, "policy", "action") == "deny" }
        for port in ["22", "9999", "8080"] {
            let n = denies.filter { field($0, "dest_port") == port }.count
            expect(n == 2, "expected a deny record for tcp/\(port) over IPv4 and IPv6, got \(n): \(denies)", sluice)
        }
        expect(denies.contains { field($0, "dest_port") == "22" && sluiceField($0, "policy", "rule_id") == "15" },
               "the tcp/22 deny does not name rule 15: \(denies)", sluice)
    }
}
#endif
