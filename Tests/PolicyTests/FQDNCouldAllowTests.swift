import Codecs
import L7Core
import Policy
import XCTest

/// `fqdnCouldAllow`: which flows are worth holding for a name. Only a flow that a rule naming
/// an FQDN group could allow, ahead of the rule or default that decided it by address.
final class FQDNCouldAllowTests: XCTestCase {
    static let policy = """
    version: 1
    mode: protect
    default: deny
    groups:
      clients: { cidrs: [10.1.0.0/16, "fd01::/64"] }
      others:  { cidrs: [10.9.0.0/16] }
      web:     { cidrs: [10.2.0.2/32] }
      example: { fqdns: ["*.example.test"] }
      blocked: { fqdns: ["bad.example.test"] }
    rules:
      - { id: 5,  from: clients, to: blocked, ports: [tcp/443], action: deny }
      - { id: 10, from: clients, to: example, ports: [tcp/443], apps: [tls], action: allow }
      - { id: 15, from: clients, to: any, ports: [tcp/22], action: deny }
      - { id: 20, from: clients, to: example, ports: [tcp/22], action: allow }
      - { id: 30, from: clients, to: web, ports: [tcp/80], action: allow }
    """

    func testOnlyFlowsANameCouldOpenWait() throws {
        let p = try CompiledPolicy(parsing: Self.policy, file: "t.yaml")
        let client = IPAddress("10.1.0.9")!, v6 = IPAddress("fd01::9")!, stranger = IPAddress("10.9.0.1")!
        func wait(_ src: IPAddress, _ port: UInt16) -> Bool {
            let d = p.classify(src: src, dst: IPAddress("10.2.0.7")!, proto: 6, dstPort: port, app: .unknown, fqdn: .empty)
            return p.fqdnCouldAllow(src: src, proto: 6, dstPort: port, before: d.ruleIndex)
        }
        // tcp/443 from clients: rule 10 could allow a name (rule 5 denies one name only).
        XCTAssertTrue(wait(client, 443))
        XCTAssertTrue(wait(v6, 443))
        // tcp/22: rule 15 denies by address before rule 20 could allow by name.
        XCTAssertFalse(wait(client, 22))
        // No FQDN rule for these ports, or not from this source: decided at once.
        XCTAssertFalse(wait(client, 9999))
        XCTAssertFalse(wait(client, 8080))
        XCTAssertFalse(wait(stranger, 443))
        // No rule names a name for udp/53.
        XCTAssertFalse(p.fqdnCouldAllow(src: client, proto: 17, dstPort: 53, before: .max))
    }

    func testNoFQDNGroupsNeverWaits() throws {
        let p = try CompiledPolicy(parsing: """
        version: 1
        default: deny
        groups:
          clients: { cidrs: [10.1.0.0/16] }
        rules:
          - { id: 1, from: clients, to: any, ports: [tcp/443], action: allow }
        """, file: "t.yaml")
        XCTAssertFalse(p.fqdnCouldAllow(src: IPAddress("10.1.0.1")!, proto: 6, dstPort: 443, before: .max))
    }
}
