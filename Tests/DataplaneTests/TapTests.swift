#if os(Linux)
import Foundation
import XCTest

/// `sluice run` in tap mode on a bridge port: it inspects copies and never drops.
final class TapTests: XCTestCase {
    /// A Linux bridge forwards the middle; Sluice taps `ma`. Allowed and denied ports, DNS and
    /// even a request its `block` rule matches all get through, and EVE has the http, dns,
    /// policy and alert records.
    func testTapSeesTrafficAndDropsNothing() throws {
        let bed = try Bed(bridge: true)
        defer { bed.tearDown() }
        let web = try bed.startHTTP()
        try bed.startHTTP(port: 8080)
        try bed.startDNS()
        try bed.write("waf-block.yaml", wafBlockSensor)
        try bed.write("policy.yaml", protectPolicy(sensors: ["waf-core", "waf-block"]))
        let sluice = try Daemon(bed, interfaces: ["{ name: mirror, mode: tap, interface: ma, workload: web }"],
                                sensorFiles: ["waf-block.yaml"])

        let ok = bed.curl("http://10.98.0.2/hello.txt")
        expect(ok.status == 0 && ok.output.contains("hello through sluice"), "curl :80: \(ok)", sluice)
        let denied = bed.curl("http://10.98.0.2:8080/hello.txt", "--local-port 41235")
        expect(denied.status == 0 && denied.output.contains("hello through sluice"),
               "curl :8080 (denied by policy, but a tap drops nothing): \(denied)", sluice)
        let dns = bed.dig("www.example.test")
        expect(dns.status == 0 && dns.output.contains("10.98.0.2"), "dig: \(dns)", sluice)
        let attack = bed.curl("http://10.98.0.2/?q=1%27%20union%20select%20null--")
        expect(attack.status == 0, "the attack request did not get through the tap: \(attack)", sluice)
        usleep(300_000)
        expect(web.text.lowercased().contains("union"), "the server did not log the attack: \(web.text)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let http = sluice.records("http")
        expect(http.contains { field($0, "http", "url") == "/hello.txt" && field($0, "dest_port") == "80" },
               "no http record for :80: \(http)", sluice)
        expect(http.contains { field($0, "dest_port") == "8080" }, "no http record for :8080: \(http)", sluice)
        let dnsRecords = sluice.records("dns")
        expect(dnsRecords.contains { field($0, "dns", "rrname") == "www.example.test" }, "no dns record: \(dnsRecords)", sluice)
        let policy = sluice.records("policy")
        expect(policy.contains { field($0, "src_port") == "41235" && field($0, "dest_port") == "8080" },
               "no policy record for the :8080 flow: \(policy)", sluice)
        let alerts = sluice.records("alert")
        expect(alerts.contains { field($0, "alert", "signature_id") == "9100001" }, "no alert 9100001: \(alerts)", sluice)
        expect(alerts.contains { field($0, "alert", "signature_id") == "1000201" }, "no waf-core alert 1000201: \(alerts)", sluice)
    }
}
#endif
