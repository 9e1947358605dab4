import Policy
import XCTest

/// Sensor bindings in policy files, and the policy writer: what `ctl policy learned
/// --merge-into` prints reads back to the same document.
final class PolicyWriterTests: XCTestCase {
    static let text = """
        version: 1
        mode: monitor
        default: deny
        unknown: allow
        groups:
          clients: { cidrs: [10.0.0.0/24, "fd00::/64"] }
          web: { cidrs: [10.0.1.2/32] }
          "odd \\"name\\"": { cidrs: [10.0.9.0/24] }
          names: { fqdns: ["*.example.com", api.example.org] }
        workloads:
          web:
            group: web
            mode: protect
            sensors:
              - dlp-pii
              - { name: waf-core, action: block, disable: [1000201, 1000205] }
              - { name: dlp-secrets, action: alert }
          odd: { group: "odd \\"name\\"", quarantine: true }
        rules:
          - { id: 10, from: clients, to: web, ports: [tcp/80, tcp/8000-8080], apps: [http], action: allow }
          - { id: 20, from: any, to: names, ports: [tcp/443], action: allow }
          - { id: 30, from: [clients, "odd \\"name\\""], to: any, ports: [icmp, udp/53], action: deny }
          - { id: 40, from: any, to: any, action: deny }
        """

    func testBindingsLoad() throws {
        let doc = try PolicyDocument.parse(Self.text, file: "p.yaml")
        let web = try XCTUnwrap(doc.workloads.first { $0.name == "web" })
        XCTAssertEqual(web.bindings, [
            SensorBinding(name: "dlp-pii"),
            SensorBinding(name: "waf-core", action: .block, disabledRules: [1000201, 1000205]),
            SensorBinding(name: "dlp-secrets", action: .alert),
        ])
        XCTAssertEqual(web.sensors, ["dlp-pii", "waf-core", "dlp-secrets"])
    }

    func testWrittenPolicyReadsBackEqual() throws {
        let doc = try PolicyDocument.parse(Self.text, file: "p.yaml")
        let again = try PolicyDocument.parse(doc.yaml, file: "written.yaml")
        XCTAssertEqual(again, doc, doc.yaml)
        XCTAssertEqual(again.yaml, doc.yaml)
    }

    func testBadBindingsAreRefusedWithTheirPlace() {
        let cases = [
            ("{ name: waf-core, action: drop }", "unknown sensor action \"drop\""),
            ("{ action: block }", "missing"),
            ("{ name: waf-core, disable: [abc] }", "bad rule id \"abc\""),
            ("{ name: waf-core, disable: [-1] }", "bad rule id"),
            ("{ name: waf-core, mode: x }", "mode"),
            ("waf-core, waf-core", "bound twice"),
        ]
        for (binding, reason) in cases {
            let text = """
                version: 1
                groups:
                  web: { cidrs: [10.0.1.2/32] }
                workloads:
                  web: { group: web, sensors: [\(binding)] }
                """
            XCTAssertThrowsError(try PolicyDocument.parse(text, file: "b.yaml"), binding) { e in
                let d = "\(e)"
                XCTAssertTrue(d.contains(reason) && d.contains("b.yaml:5"), "\(binding): \(d)")
            }
        }
    }
}
