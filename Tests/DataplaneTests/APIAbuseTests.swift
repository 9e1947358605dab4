#if os(Linux)
import Foundation
import XCTest

/// The API under abuse, against the real daemon: thousands of idle connections, a huge body,
/// numbers and types that do not fit, too many captures. Each must end in a clear error or a
/// bounded cost, with the daemon answering legitimate requests throughout.
final class APIAbuseTests: XCTestCase {
    static let api = """
        api: { socket: api.sock, listen: 127.0.0.1:19444, token_file: token, max_connections: 256, request_timeout_ms: 3000 }
        metrics: { listen: 127.0.0.1:19101 }
        state_dir: state
        captures: { max_running: 2, max_kept: 3 }

        """

    func daemon(_ bed: Bed, logName: String = "sluice") throws -> Daemon {
        if !FileManager.default.fileExists(atPath: "\(bed.dir)/token") {
            try bed.write("token", "t-\(UInt64.random(in: 1...UInt64.max))\n")
            try bed.write("policy.yaml", protectPolicy())
        }
        return try Daemon(bed, interfaces: [inlinePair], extra: Self.api, logName: logName)
    }

    func token(_ bed: Bed) -> String {
        ((try? String(contentsOfFile: "\(bed.dir)/token", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `curl` on the API's TCP port with the token: status code and body.
    func call(_ bed: Bed, _ method: String, _ path: String, body: String? = nil) -> (code: Int, body: String) {
        let file = "\(bed.dir)/body-\(UInt32.random(in: 0...UInt32.max)).json"
        if let body { try? body.write(toFile: file, atomically: true, encoding: .utf8) }
        let data = body == nil ? "" : "--data-binary @'\(file)' -H 'Content-Type: application/json'"
        let r = bed.exec(bed.middle, "curl -s -m 20 -w '\\n%{http_code}' -X \(method) -H 'Authorization: Bearer \(token(bed))' \(data) 'http://127.0.0.1:19444\(path)'")
        let lines = r.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    func metric(_ bed: Bed, _ name: String) -> Double {
        bed.exec(bed.middle, "curl -s -m 5 http://127.0.0.1:19101/metrics").output.split(separator: "\n")
            .filter { $0.hasPrefix(name) }.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }

    /// 10 000 TCP connections that send nothing: those over the limit are closed at once and
    /// counted, the rest when the request timeout passes; meanwhile the Unix socket (`sluice
    /// ctl`) and `/metrics` answer, and TCP answers again once the idle ones are gone.
    func testTenThousandIdleConnections() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let sluice = try daemon(bed)
        defer { sluice.stop() }
        let pid = daemonPID(sluice)
        let before = maxRSS(pid)
        try bed.write("idle.py", """
            import json, resource, socket, subprocess, sys, time
            resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
            socks, failed = [], 0
            for i in range(10000):
                s = socket.socket()
                s.settimeout(3)
                try:
                    s.connect(("127.0.0.1", 19444)); socks.append(s)
                except OSError:
                    failed += 1; s.close()
            def closed():
                n = 0
                for s in socks:
                    s.setblocking(False)
                    try:
                        if s.recv(1) == b"": n += 1
                    except BlockingIOError: pass
                    except OSError: n += 1
                return n
            time.sleep(0.5)
            out = {"opened": len(socks), "failed": failed, "closed_at_once": closed()}
            ctl = subprocess.run(sys.argv[1:], capture_output=True, text=True)
            out["ctl_status"] = ctl.returncode
            out["metrics"] = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5",
                                             "http://127.0.0.1:19101/metrics"], capture_output=True, text=True).stdout
            time.sleep(4)
            out["closed_after_timeout"] = closed()
            print(json.dumps(out))
            """)
        let r = bed.exec(bed.middle, "python3 '\(bed.dir)/idle.py' '\(SluiceBinary.path)' ctl status --socket '\(bed.dir)/api.sock' --token-file '\(bed.dir)/token'")
        let o = (try? JSONSerialization.jsonObject(with: Data((r.output.split(separator: "\n").last ?? "").utf8))) as? [String: Any] ?? [:]
        let opened = o["opened"] as? Int ?? 0
        XCTAssertGreaterThanOrEqual(opened, 9000, r.output)
        XCTAssertGreaterThanOrEqual(o["closed_at_once"] as? Int ?? 0, opened - 256, "over the limit: closed on accept; \(r.output)")
        XCTAssertEqual(o["ctl_status"] as? Int, 0, "sluice ctl on the Unix socket answers during the flood: \(r.output)")
        XCTAssertEqual(o["metrics"] as? String, "200", "/metrics answers during the flood: \(r.output)")
        XCTAssertEqual(o["closed_after_timeout"] as? Int, opened, "idle connections closed after the request timeout: \(r.output)")
        XCTAssertEqual(daemonPID(sluice), pid, "the daemon never died (and was restarted): \(sluice.log)")
        XCTAssertEqual(call(bed, "GET", "/v1/status").code, 200, "TCP answers again")
        // Connections accepted within the limit while the test was still connecting time out
        // and make room for more: every one is either rejected or timed out.
        let rejected = metric(bed, "sluice_api_connections_rejected_total"), timedOut = metric(bed, "sluice_api_connections_timed_out_total")
        XCTAssertGreaterThanOrEqual(rejected + timedOut, Double(opened), "rejected \(rejected), timed out \(timedOut)")
        XCTAssertGreaterThanOrEqual(timedOut, 256)
        let after = maxRSS(daemonPID(sluice))
        print("idle connections: \(opened) opened, \(o["closed_at_once"] ?? 0) closed at once, \(Int(rejected)) rejected, \(Int(timedOut)) timed out; daemon VmHWM \(before) kB before, \(after) kB after")
    }

    /// A 200 MB policy push, with Content-Length and chunked: 413 after at most the 4 MiB
    /// limit, the daemon's peak memory barely moves, and the API answers after.
    func testHugeBodyIsRefusedBeforeItIsRead() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let sluice = try daemon(bed)
        defer { sluice.stop() }
        let pid = daemonPID(sluice)
        let before = maxRSS(pid)
        try bed.write("big.py", """
            import json, select, socket, sys
            def push(chunked):
                s = socket.create_connection(("127.0.0.1", 19444), timeout=10)
                head = "PUT /v1/policy HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer %s\\r\\n" % sys.argv[1]
                head += "Transfer-Encoding: chunked\\r\\n\\r\\n" if chunked else "Content-Length: 209715200\\r\\n\\r\\n"
                s.sendall(head.encode())
                block = b"a" * (1 << 20)
                if chunked: block = b"100000\\r\\n" + block + b"\\r\\n"
                sent, answer = 0, b""
                while sent < 200:
                    if select.select([s], [], [], 0.05 if sent else 0.5)[0]: break
                    try:
                        s.sendall(block); sent += 1
                    except OSError: break
                try:
                    while True:
                        d = s.recv(65536)
                        if not d: break
                        answer += d
                except OSError: pass
                return {"sent_mib": sent, "status": answer.split(b"\\r\\n")[0].decode(errors="replace")}
            print(json.dumps({"length": push(False), "chunked": push(True)}))
            """)
        let r = bed.exec(bed.middle, "python3 '\(bed.dir)/big.py' '\(token(bed))'")
        let o = (try? JSONSerialization.jsonObject(with: Data((r.output.split(separator: "\n").last ?? "").utf8))) as? [String: [String: Any]] ?? [:]
        XCTAssertTrue((o["length"]?["status"] as? String ?? "").contains("413"), r.output)
        XCTAssertEqual(o["length"]?["sent_mib"] as? Int, 0, "answered on the head, before any body: \(r.output)")
        XCTAssertTrue((o["chunked"]?["status"] as? String ?? "").contains("413"), r.output)
        XCTAssertLessThan(o["chunked"]?["sent_mib"] as? Int ?? 200, 64, "stopped near the 4 MiB limit: \(r.output)")
        XCTAssertEqual(call(bed, "GET", "/v1/status").code, 200)
        XCTAssertEqual(daemonPID(sluice), pid, "the daemon never died: \(sluice.log)")
        let after = maxRSS(pid)
        print("200 MB push: \(r.output.trimmingCharacters(in: .whitespacesAndNewlines)); daemon VmHWM \(before) kB before, \(after) kB after")
        XCTAssertLessThan(after - before, 64 << 10, "peak memory grew by \(after - before) kB")
        XCTAssertGreaterThanOrEqual(metric(bed, "sluice_api_requests_refused_total{reason=\"too_large\""), 2)
    }

    /// Numbers and types that do not fit: 400 naming the field; the daemon keeps answering.
    func testCaptureAndEventNumbersAreValidated() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        let sluice = try daemon(bed)
        defer { sluice.stop() }
        let pid = daemonPID(sluice)
        let bad: [(String, String)] = [
            (#"{"interface": "web", "bytes": -1}"#, "bytes"),
            (#"{"interface": "web", "seconds": 1e11}"#, "seconds"),
            (#"{"interface": "web", "seconds": 1e300}"#, "seconds"),
            (#"{"interface": "web", "packets": 1.5}"#, "packets"),
            (#"{"interface": "web", "packets": 18446744073709551615}"#, "packets"),
            (#"{"interface": "web", "filter": 5}"#, "filter"),
            (#"{"interface": "web", "snaplen": true}"#, "snaplen"),
            (#"{"interface": "web", "packet": 10}"#, "packet"),
            ("{\"interface\": \"web\", \"filter\": \"" + (1...900).map { "port \($0)" }.joined(separator: " or ") + "\"}", "filter"),
        ]
        for (body, field) in bad {
            let r = call(bed, "POST", "/v1/captures", body: body)
            XCTAssertEqual(r.code, 400, "\(body.prefix(80)): \(r.body)")
            XCTAssertTrue(r.body.contains("\"field\":\"\(field)\""), "\(body.prefix(80)): \(r.body)")
        }
        for q in ["tail=-1", "tail=99999999999999999999", "tail=10001", "tail=x"] {
            let r = call(bed, "GET", "/v1/events?\(q)")
            XCTAssertEqual(r.code, 400, "\(q): \(r.body)")
            XCTAssertTrue(r.body.contains("tail"), r.body)
        }
        XCTAssertEqual(call(bed, "GET", "/v1/flows?limit=-5").code, 400)
        // Bytes that are not HTTP: 400 and the connection closed.
        try bed.write("garbage.py", """
            import socket
            s = socket.create_connection(("127.0.0.1", 19444), timeout=5)
            s.sendall(b"\\x00\\x01 not http at all\\r\\n\\r\\n")
            print(s.recv(200).split(b"\\r\\n")[0].decode(errors="replace"))
            """)
        let garbage = bed.exec(bed.middle, "python3 '\(bed.dir)/garbage.py'")
        XCTAssertTrue(garbage.output.contains("400"), garbage.output)
        XCTAssertEqual(call(bed, "PUT", "/v1/workloads/web", body: #"{"quarantine": 1}"#).code, 400)
        XCTAssertEqual(daemonPID(sluice), pid, "the daemon never died: \(sluice.log)")
        XCTAssertEqual(call(bed, "GET", "/v1/events?tail=3").code, 200)
        XCTAssertEqual(call(bed, "GET", "/v1/status").code, 200)
        XCTAssertGreaterThanOrEqual(metric(bed, "sluice_api_requests_refused_total{reason=\"invalid\""), Double(bad.count + 6))
    }

    /// Two captures may run and three be kept; a restart lists the earlier run's captures,
    /// which can be downloaded and deleted.
    func testCaptureLimitsAndCapturesOfAnEarlierRun() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        var sluice = try daemon(bed)
        XCTAssertEqual(call(bed, "POST", "/v1/captures", body: #"{"interface": "web"}"#).code, 201)
        XCTAssertEqual(call(bed, "POST", "/v1/captures", body: #"{"interface": "web", "filter": "icmp"}"#).code, 201)
        let third = call(bed, "POST", "/v1/captures", body: #"{"interface": "web"}"#)
        XCTAssertEqual(third.code, 429, third.body)
        XCTAssertTrue(third.body.contains("max_running"), third.body)
        XCTAssertEqual(call(bed, "POST", "/v1/captures/cap-1/stop").code, 200)
        XCTAssertEqual(call(bed, "POST", "/v1/captures", body: #"{"interface": "web"}"#).code, 201)
        let fourth = call(bed, "POST", "/v1/captures/cap-2/stop")
        XCTAssertEqual(fourth.code, 200)
        let kept = call(bed, "POST", "/v1/captures", body: #"{"interface": "web"}"#)
        XCTAssertEqual(kept.code, 429, kept.body)
        XCTAssertTrue(kept.body.contains("max_kept"), kept.body)
        XCTAssertEqual(sluice.stop(), 0)

        sluice = try daemon(bed, logName: "sluice-restarted")
        defer { sluice.stop() }
        let list = call(bed, "GET", "/v1/captures")
        for id in ["cap-1", "cap-2", "cap-3"] { XCTAssertTrue(list.body.contains("\"id\":\"\(id)\""), list.body) }
        XCTAssertTrue(list.body.contains("previous run"), list.body)
        let pcap = bed.exec(bed.middle, "curl -s -m 10 -o '\(bed.dir)/cap-1.pcapng' -w '%{http_code}' -H 'Authorization: Bearer \(token(bed))' http://127.0.0.1:19444/v1/captures/cap-1/pcap")
        XCTAssertEqual(pcap.output, "200")
        XCTAssertEqual(call(bed, "DELETE", "/v1/captures/cap-1").code, 200)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(bed.dir)/state/captures/cap-1"))
        let next = call(bed, "POST", "/v1/captures", body: #"{"interface": "web"}"#)
        XCTAssertEqual(next.code, 201, next.body)
        XCTAssertTrue(next.body.contains("cap-4"), "ids continue after the earlier run's: \(next.body)")
    }
}

/// The daemon's own process: the supervisor's child when `sluice run` supervises (its first
/// child in /proc), else the process started.
func daemonPID(_ sluice: Daemon) -> pid_t {
    let pid = sluice.process.pid
    let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
    return children.split(separator: " ").first.flatMap { pid_t($0) } ?? pid
}

/// The peak resident size (`VmHWM`, kB) of process `pid`.
func maxRSS(_ pid: pid_t) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}
#endif
