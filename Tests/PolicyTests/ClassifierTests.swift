import Codecs
import L7Core
import Policy
import XCTest

/// The compiled classifier on hand-written policies: first match by id, CIDRs of both families,
/// ports, apps, FQDN groups, workloads and modes.
final class ClassifierTests: XCTestCase {
    func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    func compile(_ yaml: String) throws -> CompiledPolicy { try CompiledPolicy(parsing: yaml, file: "t.yaml") }

    func testIssueExample() throws {
        let p = try compile(PolicyLoaderTests.issueExample)
        let client = ip("10.77.0.9"), web = ip("10.77.0.2")
        // HTTP to web on 80: allowed by rule 10 once the app is known, pending before.
        var d = p.classify(src: client, dst: web, proto: 6, dstPort: 80, app: .unknown, fqdn: .empty)
        XCTAssertEqual(d.status, .needsApp)
        XCTAssertEqual(d.ruleID, 10)
        XCTAssertEqual(d.effect, .pending)
        d = p.classify(src: client, dst: web, proto: 6, dstPort: 80, app: .http, fqdn: .empty)
        XCTAssertEqual(d, Decision(status: .decided, ruleIndex: 0, ruleID: 10, action: .allow, mode: .protect, workload: 0))
        XCTAssertEqual(p.workloadNames[Int(d.workload)], "web")
        XCTAssertEqual(p.sensors(ofWorkload: d.workload), ["dlp-pii", "waf-core"])
        // Port 80 that turns out not to be HTTP: no later rule covers it → default deny.
        d = p.classify(src: client, dst: web, proto: 6, dstPort: 80, app: .tls, fqdn: .empty)
        XCTAssertEqual(d.ruleID, nil)
        XCTAssertEqual(d.effect, .deny)
        d = p.classify(src: client, dst: web, proto: 6, dstPort: 80, app: .failed, fqdn: .empty)
        XCTAssertEqual(d.effect, .deny)
        // DNS on both transports.
        XCTAssertEqual(p.classify(src: client, dst: web, proto: 17, dstPort: 53, app: .dns, fqdn: .empty).ruleID, 20)
        XCTAssertEqual(p.classify(src: client, dst: web, proto: 6, dstPort: 53, app: .dns, fqdn: .empty).ruleID, 20)
        XCTAssertEqual(p.classify(src: client, dst: web, proto: 17, dstPort: 54, app: .dns, fqdn: .empty).ruleID, nil)
        // SSH from anywhere to web: rule 40 denies, no app needed to decide.
        d = p.classify(src: ip("192.0.2.1"), dst: web, proto: 6, dstPort: 22, app: .unknown, fqdn: .empty)
        XCTAssertEqual(d, Decision(status: .decided, ruleIndex: 3, ruleID: 40, action: .deny, mode: .protect, workload: 0))
        // A non-whitelisted port, no rule at all: decided at once, even with the app unknown.
        d = p.classify(src: client, dst: web, proto: 6, dstPort: 8080, app: .unknown, fqdn: .empty)
        XCTAssertEqual(d.status, .decided)
        XCTAssertEqual(d.ruleID, nil)
        // IPv6 flows.
        XCTAssertEqual(p.classify(src: ip("fd77::99"), dst: ip("fd77::2"), proto: 6, dstPort: 80, app: .http, fqdn: .empty).ruleID, 10)
        XCTAssertEqual(p.classify(src: ip("fd78::99"), dst: ip("fd77::2"), proto: 6, dstPort: 80, app: .http, fqdn: .empty).ruleID, nil)
        XCTAssertEqual(p.classify(src: ip("fd78::99"), dst: ip("fd77::2"), proto: 6, dstPort: 22, app: .ssh, fqdn: .empty).ruleID, 40)
        // TLS to example.com names: SNI inside the group allows, outside does not.
        let far = ip("198.51.100.7")
        let sniIn = p.fqdnGroups(matching: "www.Example.COM")
        XCTAssertEqual(p.classify(src: client, dst: far, proto: 6, dstPort: 443, app: .tls, fqdn: sniIn).ruleID, 30)
        XCTAssertEqual(p.classify(src: client, dst: far, proto: 6, dstPort: 443, app: .tls, fqdn: p.fqdnGroups(matching: "example.com")).ruleID, 30)
        let sniOut = p.fqdnGroups(matching: "evil.test")
        let out = p.classify(src: client, dst: far, proto: 6, dstPort: 443, app: .tls, fqdn: sniOut)
        XCTAssertEqual(out.ruleID, nil)
        XCTAssertEqual(out.mode, .protect)
        XCTAssertEqual(out.workload, -1)
    }

    /// A quarantined workload loses all its traffic, inbound and outbound, in any mode and
    /// whatever the rules allow; other workloads are untouched.
    func testQuarantineDeniesBothDirectionsOverRulesAndMode() throws {
        let text = PolicyLoaderTests.issueExample
            .replacingOccurrences(of: "mode: protect, sensors", with: "mode: discover, quarantine: true, sensors")
        let p = try compile(text)
        let client = ip("10.77.0.9"), web = ip("10.77.0.2")
        var d = p.classify(src: client, dst: web, proto: 6, dstPort: 80, app: .http, fqdn: .empty)
        XCTAssertTrue(d.quarantined)
        XCTAssertEqual(d.effect, .deny, "rule 10 would allow it, and the workload is in discover mode")
        XCTAssertNil(d.ruleID)
        d = p.classify(src: web, dst: ip("192.0.2.1"), proto: 6, dstPort: 443, app: .tls, fqdn: .empty)
        XCTAssertTrue(d.quarantined, "outbound too")
        XCTAssertEqual(d.effect, .deny)
        let free = try compile(PolicyLoaderTests.issueExample)
        XCTAssertFalse(free.classify(src: client, dst: web, proto: 6, dstPort: 80, app: .http, fqdn: .empty).quarantined)
    }

    func testFirstMatchIsByIDNotFileOrder() throws {
        let p = try compile("""
        version: 1
        groups:
          a: { cidrs: [10.0.0.0/8] }
          b: { cidrs: [10.1.0.0/16] }
        rules:
          - { id: 30, from: any, to: any, action: allow }
          - { id: 20, from: a, to: b, ports: [tcp/1-1000], action: deny }
          - { id: 10, from: a, to: b, ports: [tcp/443], action: allow }
        """)
        let s = ip("10.9.9.9"), d = ip("10.1.2.3")
        XCTAssertEqual(p.classify(src: s, dst: d, proto: 6, dstPort: 443, app: .tls, fqdn: .empty).ruleID, 10)
        XCTAssertEqual(p.classify(src: s, dst: d, proto: 6, dstPort: 444, app: .tls, fqdn: .empty).ruleID, 20)
        XCTAssertEqual(p.classify(src: s, dst: d, proto: 6, dstPort: 1000, app: .tls, fqdn: .empty).action, .deny)
        XCTAssertEqual(p.classify(src: s, dst: d, proto: 6, dstPort: 1001, app: .tls, fqdn: .empty).ruleID, 30)
        XCTAssertEqual(p.classify(src: s, dst: d, proto: 17, dstPort: 443, app: .dns, fqdn: .empty).ruleID, 30)
        XCTAssertEqual(p.classify(src: s, dst: ip("10.2.0.1"), proto: 6, dstPort: 443, app: .tls, fqdn: .empty).ruleID, 30)
        XCTAssertEqual(p.ruleCount, 3)
    }

    func testOverlappingPrefixesBothFamilies() throws {
        let p = try compile("""
        version: 1
        groups:
          wide4: { cidrs: [10.0.0.0/8] }
          mid4: { cidrs: [10.20.0.0/16] }
          host4: { cidrs: [10.20.30.40] }
          all4: { cidrs: [0.0.0.0/0] }
          wide6: { cidrs: ["2001:db8::/32"] }
          host6: { cidrs: ["2001:db8::1/128"] }
          all6: { cidrs: ["::/0"] }
        rules:
          - { id: 1, from: any, to: host4, action: allow }
          - { id: 2, from: any, to: mid4, action: deny }
          - { id: 3, from: any, to: wide4, action: allow }
          - { id: 4, from: any, to: host6, action: allow }
          - { id: 5, from: any, to: wide6, action: deny }
          - { id: 6, from: any, to: all6, action: allow }
          - { id: 7, from: any, to: all4, action: deny }
        """)
        func rule(_ dst: String) -> Int? { p.classify(src: ip("1.1.1.1"), dst: ip(dst), proto: 1, dstPort: 0, app: .failed, fqdn: .empty).ruleID }
        XCTAssertEqual(rule("10.20.30.40"), 1)
        XCTAssertEqual(rule("10.20.30.41"), 2)
        XCTAssertEqual(rule("10.20.30.39"), 2)
        XCTAssertEqual(rule("10.20.255.255"), 2)
        XCTAssertEqual(rule("10.21.0.0"), 3)
        XCTAssertEqual(rule("10.19.255.255"), 3)
        XCTAssertEqual(rule("10.255.255.255"), 3)
        XCTAssertEqual(rule("11.0.0.0"), 7)
        XCTAssertEqual(rule("9.255.255.255"), 7)
        XCTAssertEqual(rule("0.0.0.0"), 7)
        XCTAssertEqual(rule("255.255.255.255"), 7)
        XCTAssertEqual(rule("2001:db8::1"), 4)
        XCTAssertEqual(rule("2001:db8::2"), 5)
        XCTAssertEqual(rule("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), 5)
        XCTAssertEqual(rule("2001:db9::"), 6)
        XCTAssertEqual(rule("::"), 6)
        XCTAssertEqual(rule("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 6)
        // ::/0 does not swallow IPv4 (which lives at ::ffff:0:0/96 in the 128-bit space).
        XCTAssertEqual(rule("::fffe:ffff:ffff"), 6)
        XCTAssertEqual(rule("::1:0:0:0"), 6)
    }

    func testPortsRangesAndAny() throws {
        let p = try compile("""
        version: 1
        rules:
          - { id: 1, from: any, to: any, ports: [udp/1000-2000, tcp/65535], action: allow }
          - { id: 2, from: any, to: any, ports: [tcp/0-1023], action: deny }
          - { id: 3, from: any, to: any, ports: [any], action: allow }
        default: deny
        """)
        func rule(_ proto: UInt8, _ port: UInt16) -> Int? {
            p.classify(src: ip("10.0.0.1"), dst: ip("10.0.0.2"), proto: proto, dstPort: port, app: .failed, fqdn: .empty).ruleID
        }
        XCTAssertEqual(rule(17, 999), 3)
        XCTAssertEqual(rule(17, 1000), 1)
        XCTAssertEqual(rule(17, 2000), 1)
        XCTAssertEqual(rule(17, 2001), 3)
        XCTAssertEqual(rule(6, 1500), 3)
        XCTAssertEqual(rule(6, 65535), 1)
        XCTAssertEqual(rule(17, 65535), 3)
        XCTAssertEqual(rule(6, 0), 2)
        XCTAssertEqual(rule(6, 1023), 2)
        XCTAssertEqual(rule(6, 1024), 3)
        XCTAssertEqual(rule(1, 0), 3)
        XCTAssertEqual(rule(58, 0), 3)
    }

    func testAppsUndecidedThenDecided() throws {
        let p = try compile("""
        version: 1
        rules:
          - { id: 1, from: any, to: any, ports: [tcp/80], apps: [http, http2], action: allow }
          - { id: 2, from: any, to: any, ports: [tcp/80], apps: [tls], action: deny }
          - { id: 3, from: any, to: any, ports: [tcp/80-81], action: allow }
          - { id: 4, from: any, to: any, ports: [tcp/82], apps: [ssh], action: allow }
        """)
        func d(_ port: UInt16, _ app: AppProto) -> Decision {
            p.classify(src: ip("10.0.0.1"), dst: ip("10.0.0.2"), proto: 6, dstPort: port, app: app, fqdn: .empty)
        }
        XCTAssertEqual(d(80, .unknown).status, .needsApp)
        XCTAssertEqual(d(80, .unknown).ruleID, 1)
        XCTAssertEqual(d(80, .http2).ruleID, 1)
        XCTAssertEqual(d(80, .tls).ruleID, 2)
        XCTAssertEqual(d(80, .tls).effect, .deny)
        XCTAssertEqual(d(80, .ssh).ruleID, 3)
        XCTAssertEqual(d(80, .failed).ruleID, 3)
        // No app rule covers 81: decided without waiting.
        XCTAssertEqual(d(81, .unknown).status, .decided)
        XCTAssertEqual(d(81, .unknown).ruleID, 3)
        XCTAssertEqual(d(82, .unknown).status, .needsApp)
        XCTAssertEqual(d(82, .redis).ruleID, nil)
        XCTAssertEqual(d(82, .ssh).ruleID, 4)
        // Nothing can match port 83 whatever the app: the default, at once.
        XCTAssertEqual(d(83, .unknown), Decision(status: .decided, ruleIndex: .max, ruleID: nil, action: .deny, mode: .protect, workload: -1))
    }

    func testFQDNWildcardExactAndSNIWins() throws {
        let p = try compile("""
        version: 1
        groups:
          apex: { fqdns: [example.com] }
          subs: { fqdns: ["*.example.com"] }
          deep: { fqdns: ["*.api.example.com"] }
          exact: { fqdns: [Login.Example.com] }
        rules:
          - { id: 1, from: any, to: exact, action: allow }
          - { id: 2, from: any, to: deep, action: allow }
          - { id: 3, from: any, to: subs, action: allow }
          - { id: 4, from: any, to: apex, action: allow }
        """)
        func rule(_ names: [String]) -> Int? {
            var set = GroupSet.empty
            for n in names { set.formUnion(p.fqdnGroups(matching: n)) }
            return p.classify(src: ip("10.0.0.1"), dst: ip("203.0.113.5"), proto: 6, dstPort: 443, app: .tls, fqdn: set).ruleID
        }
        XCTAssertEqual(rule(["example.com"]), 4)
        XCTAssertEqual(rule(["EXAMPLE.com."]), 4)
        XCTAssertEqual(rule(["example.com:8443"]), 4)
        XCTAssertEqual(rule(["www.example.com"]), 3)
        XCTAssertEqual(rule(["a.b.c.example.com"]), 3)
        XCTAssertEqual(rule(["v1.api.example.com"]), 2)
        XCTAssertEqual(rule(["api.example.com"]), 3)
        XCTAssertEqual(rule(["login.example.com"]), 1)
        XCTAssertEqual(rule(["xexample.com"]), nil)
        XCTAssertEqual(rule(["example.com.evil"]), nil)
        XCTAssertEqual(rule(["com"]), nil)
        XCTAssertEqual(rule([".example.com"]), nil)
        XCTAssertEqual(rule([""]), nil)
        XCTAssertEqual(rule(["[::1]:443"]), nil)
        // Names the cache holds for one address: the union decides (first rule over all).
        XCTAssertEqual(rule(["other.test", "www.example.com", "example.com"]), 3)
        // SNI wins: the caller passes only the SNI's groups, so a resolved name inside the
        // group does not rescue a flow that names a host outside it.
        let resolvedInside = p.fqdnGroups(matching: "www.example.com")
        let sni = p.fqdnGroups(matching: "evil.test")
        XCTAssertFalse(resolvedInside.isEmpty)
        XCTAssertTrue(sni.isEmpty)
        XCTAssertEqual(p.classify(src: ip("10.0.0.1"), dst: ip("203.0.113.5"), proto: 6, dstPort: 443, app: .tls, fqdn: sni).ruleID, nil)
    }

    func testModesPerWorkload() throws {
        let p = try compile("""
        version: 1
        mode: monitor
        default: deny
        groups:
          front: { cidrs: [10.1.0.0/16] }
          api: { cidrs: [10.1.2.0/24] }
          db: { cidrs: ["fd00:db::/64"] }
        workloads:
          front: { group: front, mode: discover }
          api: { group: api, mode: protect }
          db: { group: db }
        """)
        func d(_ s: String, _ t: String) -> Decision { p.classify(src: ip(s), dst: ip(t), proto: 6, dstPort: 1, app: .failed, fqdn: .empty) }
        // Destination workload decides; the most specific block wins.
        XCTAssertEqual(d("192.0.2.1", "10.1.2.3").mode, .protect)
        XCTAssertEqual(d("192.0.2.1", "10.1.2.3").effect, .deny)
        XCTAssertEqual(d("192.0.2.1", "10.1.3.3").mode, .discover)
        XCTAssertEqual(d("192.0.2.1", "10.1.3.3").effect, .learn)
        XCTAssertEqual(d("10.1.2.3", "10.1.3.3").workload, 0)
        // Only the source is a workload: its mode.
        XCTAssertEqual(d("10.1.2.3", "192.0.2.1").mode, .protect)
        XCTAssertEqual(d("10.1.2.3", "192.0.2.1").workload, 1)
        // A workload without a mode takes the top-level one.
        XCTAssertEqual(d("192.0.2.1", "fd00:db::5").mode, .monitor)
        XCTAssertEqual(d("192.0.2.1", "fd00:db::5").effect, .violate)
        XCTAssertEqual(d("192.0.2.1", "fd00:db::5").workload, 2)
        // Neither end is a workload.
        XCTAssertEqual(d("192.0.2.1", "192.0.2.2").mode, .monitor)
        XCTAssertEqual(d("192.0.2.1", "192.0.2.2").workload, -1)
        XCTAssertEqual(p.workload(of: ip("10.1.2.200")), 1)
        XCTAssertEqual(p.unknownDecision.action, .deny)
        XCTAssertEqual(p.unknownDecision.mode, .monitor)
    }

    func testEmptyPolicyAndUnknownAction() throws {
        let p = try compile("version: 1\nmode: protect\ndefault: allow\nunknown: deny\n")
        let d = p.classify(src: ip("10.0.0.1"), dst: ip("::1"), proto: 6, dstPort: 80, app: .unknown, fqdn: p.fqdnGroups(matching: "x.com"))
        XCTAssertEqual(d, Decision(status: .decided, ruleIndex: .max, ruleID: nil, action: .allow, mode: .protect, workload: -1))
        XCTAssertEqual(p.unknownDecision.action, .deny)
        XCTAssertEqual(p.unknownDecision.effect, .deny)
    }

    func testGroupSetUnionAndOverflow() throws {
        var yaml = "version: 1\ngroups:\n"
        for i in 0..<10 { yaml += "  g\(i): { fqdns: [n\(i).test] }\n" }
        yaml += "rules:\n"
        for i in 0..<10 { yaml += "  - { id: \(i), from: any, to: g\(i), action: allow }\n" }
        let p = try compile(yaml)
        var set = GroupSet.empty
        for i in (0..<10).reversed() { set.formUnion(p.fqdnGroups(matching: "n\(i).test")) }
        set.formUnion(p.fqdnGroups(matching: "n9.test"))
        XCTAssertEqual(set.count, GroupSet.capacity)
        XCTAssertTrue(set.overflowed)
        // Classifying in parts and keeping the earliest decision is exact.
        let part1 = p.classify(src: ip("10.0.0.1"), dst: ip("10.0.0.2"), proto: 6, dstPort: 1, app: .failed, fqdn: set)
        let part2 = p.classify(src: ip("10.0.0.1"), dst: ip("10.0.0.2"), proto: 6, dstPort: 1, app: .failed,
                               fqdn: p.fqdnGroups(matching: "n0.test"))
        XCTAssertEqual(part1.ruleID, 2)
        XCTAssertEqual(Decision.earliest(part1, part2).ruleID, 0)
    }
}
