#if os(Linux)
import Foundation
import XCTest

/// FQDN groups inline: a TLS rule `to: example` (`*.example.test`) is judged on the SNI the
/// client sends (configs/policy.yaml), whichever worker the flow lands on.
final class FQDNTests: XCTestCase {
    /// No DNS lookup first, two workers: connections naming www.example.test in their
    /// ClientHello pass (each a new flow, so both workers get some), one naming
    /// www.other.test is reset and logged as a deny with its SNI. Then, after a DNS answer
    /// taught the names, the same holds.
    func testTLSRuleByNameIsJudgedOnSNI() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startDNS()
        try bed.startTLS()
        try bed.write("policy.yaml", protectPolicy(tlsTo: "example"))
        let sluice = try Daemon(bed, interfaces: [inlinePair], workers: 2)

        for round in ["before any DNS answer", "after a DNS answer"] {
            if round.hasPrefix("after") {
                let dns = bed.dig("www.example.test")
                expect(dns.output.contains("10.98.0.2"), "dig: \(dns)", sluice)
            }
            for i in 0..<4 {
                let r = bed.tlsGet()
                expect(r.output.contains("200 ok"), "\(round), connection \(i) with SNI www.example.test: \(r.output)", sluice)
            }
        }
        let other = bed.tlsGet("www.other.test")
        expect(!other.output.contains("200 ok"), "SNI www.other.test got through: \(other.output)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let denies = sluice.records("policy").filter { sluiceField($0, "policy", "action") == "deny" }
        expect(denies.count == 1 && denies.first.flatMap { field($0, "tls", "sni") } == "www.other.test",
               "expected exactly one deny, for SNI www.other.test: \(denies)", sluice)
    }
}
#endif
