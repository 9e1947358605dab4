import ConfigYAML
import Foundation
import L7Core
import Policy
import XCTest

/// The policy file: the issue's example loads as written, and every mistake is reported with
/// the file, the line and what is wrong.
final class PolicyLoaderTests: XCTestCase {
    static let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("configs/policy.yaml").path

    static let issueExample = """
    version: 1
    mode: protect                # discover | monitor | protect; per workload below
    default: deny                # what protect mode does to traffic that no rule allows
    groups:
      clients: { cidrs: [10.77.0.0/24, "fd77::/64"] }
      web:     { cidrs: [10.77.0.2/32, "fd77::2/128"] }
      example: { fqdns: ["*.example.com", "example.com"] }
    workloads:
      web: { group: web, mode: protect, sensors: [dlp-pii, waf-core] }
    rules:
      - { id: 10, from: clients, to: web, ports: [tcp/80], apps: [http], action: allow }
      - { id: 20, from: clients, to: web, ports: [udp/53, tcp/53], apps: [dns], action: allow }
      - { id: 30, from: clients, to: example, ports: [tcp/443], apps: [tls], action: allow }
      - { id: 40, from: any, to: web, ports: [tcp/22], action: deny }
    """

    func testIssueExampleLoadsAsWritten() throws {
        let doc = try PolicyDocument.parse(Self.issueExample, file: "issue.yaml")
        XCTAssertEqual(doc.version, 1)
        XCTAssertEqual(doc.mode, .protect)
        XCTAssertEqual(doc.defaultAction, .deny)
        XCTAssertNil(doc.unknownAction)
        XCTAssertEqual(doc.groups.map(\.name), ["clients", "web", "example"])
        XCTAssertEqual(doc.groups[0].cidrs.map(\.description), ["10.77.0.0/24", "fd77::/64"])
        XCTAssertEqual(doc.groups[1].cidrs.map(\.description), ["10.77.0.2/32", "fd77::2/128"])
        XCTAssertEqual(doc.groups[2].fqdns.map(\.description), ["*.example.com", "example.com"])
        XCTAssertEqual(doc.workloads, [Workload(name: "web", group: "web", mode: .protect, sensors: ["dlp-pii", "waf-core"])])
        XCTAssertEqual(doc.rules.map(\.id), [10, 20, 30, 40])
        XCTAssertEqual(doc.rules[1].ports.map(\.description), ["udp/53", "tcp/53"])
        XCTAssertEqual(doc.rules[1].apps, [.dns])
        XCTAssertEqual(doc.rules[3], PolicyRule(id: 40, from: ["any"], to: ["web"], ports: [PortRange(transport: .tcp, low: 22, high: 22)],
                                                apps: [], action: .deny))
    }

    func testShippedExampleIsTheIssueExample() throws {
        let shipped = try PolicyDocument.load(path: Self.examplePath)
        XCTAssertEqual(shipped, try PolicyDocument.parse(Self.issueExample, file: "issue.yaml"))
    }

    func testOptionalKeysAndDefaults() throws {
        let doc = try PolicyDocument.parse("""
        version: 1
        unknown: allow
        groups:
          db: { cidrs: [192.0.2.7, "2001:db8::1"] }
        rules:
          - { id: 1, from: [any], to: [db, any], action: allow }
        """, file: "p.yaml")
        XCTAssertEqual(doc.mode, .protect)
        XCTAssertEqual(doc.defaultAction, .deny)
        XCTAssertEqual(doc.unknownAction, .allow)
        XCTAssertEqual(doc.groups[0].cidrs.map(\.description), ["192.0.2.7/32", "2001:db8::1/128"])
        XCTAssertEqual(doc.rules[0].ports, [.any])
        XCTAssertEqual(doc.rules[0].to, ["db", "any"])
    }

    /// Parses `body` expecting an error; returns its message.
    func failure(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try PolicyDocument.parse(body, file: "bad.yaml")
            XCTFail("accepted:\n\(body)", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }

    static let head = """
    version: 1
    groups:
      clients: { cidrs: [10.77.0.0/24] }
      web: { cidrs: [10.77.0.2/32] }
      example: { fqdns: ["*.example.com"] }
    rules:

    """

    func testEachInvalidPolicyNamesFileLineAndProblem() {
        let rule = Self.head
        let cases: [(String, String)] = [
            // YAML syntax error: the scanner's position.
            ("version: 1\ngroups:\n  web: { cidrs: [10.0.0.0/8 }\n", "bad.yaml:3:"),
            (rule + "  - { id: 1, from: clients, to: nosuch, action: allow }\n", "bad.yaml:7:33: rules[0].to: unknown group \"nosuch\""),
            (rule + "  - { id: 1, from: nosuch, to: web, action: allow }\n", "bad.yaml:7:20: rules[0].from: unknown group \"nosuch\""),
            ("version: 1\ngroups:\n  a: { cidrs: [10.0.0.0/8, 10.1.2.3/16] }\n",
             "bad.yaml:3:28: groups.a.cidrs[1]: bad CIDR \"10.1.2.3/16\": host bits set beyond the prefix (did you mean 10.1.0.0/16?)"),
            ("version: 1\ngroups:\n  a: { cidrs: [10.0.0.0/33] }\n", "bad.yaml:3:16: groups.a.cidrs[0]: bad CIDR \"10.0.0.0/33\": prefix length must be 0 to 32"),
            ("version: 1\ngroups:\n  a: { cidrs: [10.0.300.0/24] }\n", "bad.yaml:3:16: groups.a.cidrs[0]: bad CIDR \"10.0.300.0/24\": not an IPv4 or IPv6 address"),
            ("version: 1\ngroups:\n  a: { cidrs: [\"fd77::1/64\"] }\n", "bad.yaml:3:16: groups.a.cidrs[0]: bad CIDR \"fd77::1/64\": host bits set"),
            (rule + "  - { id: 5, from: clients, to: web, action: allow }\n  - { id: 5, from: any, to: web, action: deny }\n",
             "bad.yaml:8:11: rules[1].id: duplicate rule id 5 (first used on line 7)"),
            (rule + "  - { id: 1, from: clients, to: web, apps: [htp], action: allow }\n", "bad.yaml:7:45: rules[0].apps[0]: unknown app \"htp\""),
            (rule + "  - { id: 1, from: clients, to: web, apps: [unknown], action: allow }\n", "rules[0].apps[0]: unknown app \"unknown\""),
            (rule + "  - { id: 1, from: clients, to: web, ports: [tcp/80-70], action: allow }\n",
             "bad.yaml:7:46: rules[0].ports[0]: bad port spec \"tcp/80-70\": range is reversed"),
            (rule + "  - { id: 1, from: clients, to: web, ports: [udp/70000], action: allow }\n", "rules[0].ports[0]: bad port spec \"udp/70000\": port out of range"),
            (rule + "  - { id: 1, from: clients, to: web, ports: [sctp/80], action: allow }\n", "bad port spec \"sctp/80\": unknown protocol \"sctp\""),
            (rule + "  - { id: 1, from: clients, to: web, ports: [80], action: allow }\n", "bad.yaml:7:46: rules[0].ports[0]: bad port spec \"80\": expected any"),
            (rule + "  - { id: 1, from: clients, to: web, ports: [tcp/], action: allow }\n", "bad port spec \"tcp/\""),
            (rule + "  - { id: 1, from: clients, to: web, action: permit }\n", "bad.yaml:7:46: rules[0].action: unknown action \"permit\""),
            (rule + "  - { id: 1, from: clients, to: web, acton: allow }\n", "bad.yaml:7:38: rules[0].acton: unknown key"),
            (rule + "  - { id: 1, from: clients, to: web }\n", "bad.yaml:7:5: rules[0].action: missing"),
            (rule + "  - { id: 1, from: example, to: web, action: allow }\n", "bad.yaml:7:20: rules[0].from: group \"example\" has fqdns"),
            ("version: 1\nmode: enforce\n", "bad.yaml:2:7: mode: unknown mode \"enforce\""),
            ("version: 1\ndefault: drop\n", "bad.yaml:2:10: default: unknown action \"drop\""),
            ("version: 1\nunknown: open\n", "bad.yaml:2:10: unknown: unknown action \"open\""),
            ("version: 2\n", "bad.yaml:1:10: version: must be between 1 and 1"),
            ("mode: protect\n", "bad.yaml:1:1: version: missing"),
            ("version: 1\nrulez: []\n", "bad.yaml:2:1: rulez: unknown key"),
            ("version: 1\ngroups:\n  a: { cidr: [10.0.0.0/8] }\n", "bad.yaml:3:8: groups.a.cidr: unknown key"),
            ("version: 1\ngroups:\n  any: { cidrs: [10.0.0.0/8] }\n", "bad.yaml:3:3: groups.any: \"any\" is a keyword"),
            ("version: 1\ngroups:\n  e: { fqdns: [\"foo.*.com\"] }\n", "bad.yaml:3:16: groups.e.fqdns[0]: bad FQDN pattern \"foo.*.com\""),
            ("version: 1\ngroups:\n  a: { cidrs: [10.0.0.0/8] }\nworkloads:\n  w: { group: b }\n",
             "bad.yaml:5:15: workloads.w.group: unknown group \"b\""),
            ("version: 1\ngroups:\n  e: { fqdns: [x.com] }\nworkloads:\n  w: { group: e }\n",
             "bad.yaml:5:15: workloads.w.group: group \"e\" must be defined by cidrs only"),
            ("version: 1\ngroups:\n  a: { cidrs: [10.0.0.0/8] }\nworkloads:\n  w: { group: a, mode: audit }\n",
             "bad.yaml:5:24: workloads.w.mode: unknown mode \"audit\""),
            ("version: 1\ngroups:\n  a: { cidrs: [10.0.0.0/8] }\nworkloads:\n  w: { group: a }\n  v: { group: a }\n",
             "bad.yaml:6:15: workloads.v.group: group \"a\" is already workload \"w\""),
        ]
        for (body, expected) in cases {
            let message = failure(body)
            XCTAssertTrue(message.hasPrefix(expected) || (expected.hasPrefix("bad.yaml") == false && message.contains(expected)),
                          "expected \(expected)\n     got \(message)")
            XCTAssertTrue(message.hasPrefix("bad.yaml:"), message)
        }
    }

    /// Yams rejects a repeated key before `ConfigMap` sees the tree; its error carries the
    /// position of the mapping that holds the repeat.
    func testDuplicateGroupNameIsRejected() {
        let m = failure("version: 1\ngroups:\n  a: { cidrs: [10.0.0.0/8] }\n  a: { cidrs: [10.0.0.0/8] }\n")
        XCTAssertTrue(m.hasPrefix("bad.yaml:3:") && m.hasSuffix("a: key appears more than once"), m)
    }

    func testSyntaxErrorIsLocated() {
        let m = failure("version: 1\ngroups:\n  web: { cidrs: [10.0.0.0/8 }\n")
        XCTAssertTrue(m.hasPrefix("bad.yaml:3:"), m)
        XCTAssertTrue(m.contains("YAML syntax"), m)
    }
}

/// Policies built to hurt (issue #12): alias bombs, numbers that overflow and lists that
/// would make the compile quadratic are refused with the file and line.
final class PolicyHardeningTests: XCTestCase {
    func error(_ text: String) -> String {
        do { _ = try PolicyDocument.parse(text, file: "p.yaml"); return "no error" } catch { return error.description }
    }

    func testAliasBombIsRejected() {
        var lines = ["version: 1", "a0: &a0 \"lol\""]
        for i in 1..<9 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
        lines.append("groups: { ? *a8 : *a8 }")
        let e = error(lines.joined(separator: "\n"))
        XCTAssertTrue(e.hasPrefix("p.yaml:") && e.contains("too many aliases"), e)
    }

    func testOverflowingNumbersAreLocatedErrors() {
        let id = error("version: 1\nrules:\n  - {id: 99999999999999999999, from: any, to: any, action: allow}\n")
        XCTAssertTrue(id.hasPrefix("p.yaml:3:10: rules[0].id: must be between 0 and 2147483647"), id)
        let port = error("version: 1\nrules:\n  - {id: 1, from: any, to: any, ports: ['tcp/99999999999999999999'], action: allow}\n")
        XCTAssertTrue(port.hasPrefix("p.yaml:3:") && port.contains("bad port spec"), port)
        let prefix = error("version: 1\ngroups:\n  g: {cidrs: [10.0.0.0/99999999999999999999]}\n")
        XCTAssertTrue(prefix.hasPrefix("p.yaml:3:") && prefix.contains("bad CIDR"), prefix)
        let version = error("version: 99999999999999999999\n")
        XCTAssertTrue(version.hasPrefix("p.yaml:1:10: version: must be between 1 and 1"), version)
    }

    func testQuadraticRulesAreBounded() {
        let n = 600
        var text = "version: 1\ngroups:\n"
        for i in 0..<n { text += "  g\(i): {cidrs: [10.\(i / 256).\(i % 256).0/24]}\n" }
        let all = (0..<n).map { "g\($0)" }.joined(separator: ", ")
        text += "rules:\n  - {id: 1, from: [\(all)], to: [\(all)], action: allow}\n"
        let e = error(text)
        XCTAssertTrue(e.hasPrefix("p.yaml:\(n + 4):") && e.contains("rules[0].from") && e.contains("at most \(PolicyLimits.maxGroupsPerSide)"), e)

        var pairs = "version: 1\ngroups:\n"
        for i in 0..<256 { pairs += "  g\(i): {cidrs: [10.0.\(i).0/24]}\n" }
        let side = (0..<256).map { "g\($0)" }.joined(separator: ", ")
        pairs += "rules:\n"
        for r in 0..<5 { pairs += "  - {id: \(r), from: [\(side)], to: [\(side)], action: allow}\n" }
        let p = error(pairs)
        XCTAssertTrue(p.hasPrefix("p.yaml:\(256 + 3 + 5):") && p.contains("at most \(PolicyLimits.maxPairs)"), p)
    }

    func testTooManyCIDRsIsRefused() {
        var text = "version: 1\ngroups:\n  big:\n    cidrs:\n"
        for i in 0...PolicyLimits.maxCIDRs { text += "      - 10.\(i >> 16 & 255).\(i >> 8 & 255).\(i & 255)/32\n" }
        let e = error(text)
        XCTAssertTrue(e.hasPrefix("p.yaml:\(5 + PolicyLimits.maxCIDRs):") && e.contains("more than \(PolicyLimits.maxCIDRs) CIDRs"), e)
    }
}
