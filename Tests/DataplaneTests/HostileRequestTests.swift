#if os(Linux)
import Foundation
import XCTest

/// Requests an attacker sends through an inline pair: each is judged and logged, and the
/// daemon keeps forwarding for everyone else.
final class HostileRequestTests: XCTestCase {
    /// `POST /` with `Content-Length: 18446744073709551615` once killed `sluice run` with an
    /// arithmetic overflow trap, and every pod behind the pair lost its network. Now the
    /// request is parsed (the length is a parse error for that transaction), the daemon stays
    /// up and the next curl goes through.
    func testContentLengthPast64BitsLeavesTheDaemonForwarding() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair])

        for length in ["18446744073709551615", "99999999999999999999999999", "-1", "9223372036854775807"] {
            let request = "POST / HTTP/1.1\\r\\nHost: 10.98.0.2\\r\\nContent-Length: \(length)\\r\\n\\r\\nabc"
            // Bash's /dev/tcp: the exact bytes, which curl would not send for a negative length.
            let sent = bed.exec(bed.client, "bash -c \"exec 3<>/dev/tcp/10.98.0.2/80 && printf '\(request)' >&3 && timeout 2 cat <&3 >/dev/null; true\"")
            expect(sent.status == 0, "sending Content-Length \(length): \(sent)", sluice)
            expect(sluice.process.isRunning, "sluice died on Content-Length \(length):\n\(sluice.log)", sluice)
            let next = bed.curl("http://10.98.0.2/hello.txt")
            expect(next.status == 0 && next.output.contains("hello through sluice"),
                   "curl after Content-Length \(length): \(next)", sluice)
        }
        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        let http = sluice.records("http")
        expect(http.contains { field($0, "http", "http_method") == "POST" }, "no http record for the hostile POSTs: \(http)", sluice)
        expect(http.filter { field($0, "http", "url") == "/hello.txt" }.count >= 4, "the curls after them were not logged: \(http)", sluice)
    }
}
#endif
