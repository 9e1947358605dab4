#if os(Linux)
import Foundation
import XCTest

/// Hostile configs and sensor files reaching a running daemon (issue #12): SIGHUP with a file
/// that overflows, bombs or names a device is rejected with its location while traffic keeps
/// flowing, and a sensors push that compiles for long does not hold up other API requests.
final class ReloadHardeningTests: XCTestCase {
    func testSighupWithHostileConfigIsRejectedAndTrafficFlows() throws {
        let bed = try Bed(prefix: "scfg")
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair])
        defer { sluice.stop() }
        let good = try String(contentsOfFile: sluice.config, encoding: .utf8)
        expect(bed.curl("http://10.98.0.2/hello.txt").status == 0, "curl before any reload", sluice)

        var bomb = "a0: &a0 \"lol\"\n"
        for i in 1..<9 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]\n" }
        let goodLines = good.split(separator: "\n", omittingEmptySubsequences: false).count
        let hostile: [(name: String, text: String, expected: [String])] = [
            ("overflowing disk budget", good + "captures:\n  disk_budget: 99999999999999999999TiB\n",
             ["sluice.yaml:\(goodLines + 1):16", "captures.disk_budget", "must be between"]),
            ("overflowing worker count", good.replacingOccurrences(of: "workers: 2", with: "workers: 18446744073709551617"),
             ["sluice.yaml:2:10: workers: must be between 1 and 64"]),
            ("alias bomb", bomb + good.replacingOccurrences(of: "interfaces:", with: "x: { ? *a8 : *a8 }\ninterfaces:"),
             ["sluice.yaml:", "too many aliases"]),
            ("policy on /dev/zero", good.replacingOccurrences(of: "policy: policy.yaml", with: "policy: /dev/zero"),
             ["/dev/zero: cannot read: not a regular file"]),
        ]
        for h in hostile {
            try bed.write("sluice.yaml", h.text)
            let line = sluice.reload()
            expect(line?.contains("reload rejected:") == true, "\(h.name): \(line ?? "no reload line")", sluice)
            for part in h.expected {
                expect(line?.contains(part) == true, "\(h.name): \(part) not in \(line ?? "")", sluice)
            }
            expect(bed.curl("http://10.98.0.2/hello.txt").status == 0, "\(h.name): traffic stopped after the rejected reload", sluice)
        }
        try bed.write("sluice.yaml", good)
        expect(sluice.reload()?.contains("reloaded") == true, "the good config reloads again", sluice)
        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
    }

    /// A push whose compile runs into `sensors.compile_timeout`: other requests are answered
    /// while it compiles, and the push ends in a 422 naming the file, the rule and the setting.
    func testSlowSensorsPushDoesNotHoldUpTheAPI() throws {
        let bed = try Bed(prefix: "scfg")
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.write("token", "t-\(UInt64.random(in: 1...UInt64.max))\n")
        try bed.write("policy.yaml", protectPolicy())
        try bed.write("engine.yaml", "sensors:\n  compile_timeout: 20\n  cache_dir: none\n")
        let sluice = try Daemon(bed, interfaces: [inlinePair],
                                extra: "engine: engine.yaml\napi: { socket: api.sock, token_file: token }\n")
        defer { sluice.stop() }
        var slow = "sensors:\n  - name: slow\n    rules:\n"
        for i in 1...400 {
            slow += "      - {id: \(i), name: r\(i), context: body, pattern: '[a-z\(i % 10)]{\(900 + i % 100)}q\(i)[^x]{0,\(500 + i)}z'}\n"
        }
        // The built-in sets stay loaded: the policy's workload names waf-core.
        let file = try bed.write("slow.yaml", slow)
        let token = try String(contentsOfFile: "\(bed.dir)/token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let curl = "curl -s --unix-socket '\(bed.dir)/api.sock' -H 'Authorization: Bearer \(token)'"
        let push = try bed.start(bed.middle, "push", "\(curl) -w '\\nstatus %{http_code}\\n' -X PUT --data-binary @'\(file)' 'http://sluice/v1/sensors?name=slow.yaml'")

        // Answered while the push is still compiling.
        let status = bed.exec(bed.middle, "\(curl) -w '\\nstatus %{http_code}\\n' http://sluice/v1/status")
        expect(status.output.contains("status 200"), "status during a push: \(status.output)", sluice)
        expect(!push.text.contains("status "), "the push answered before the status request: \(push.text)", sluice)
        expect(bed.curl("http://10.98.0.2/hello.txt").status == 0, "traffic during the push", sluice)

        expect(push.wait(for: "status ", seconds: 120), "the push never answered", sluice)
        expect(push.text.contains("status 422") && push.text.contains("slow.yaml:")
               && push.text.contains("compile exceeded 20 s") && push.text.contains("sensors.compile_timeout"),
               "push answer: \(push.text)", sluice)
        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
    }
}
#endif
