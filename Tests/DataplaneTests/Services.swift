#if os(Linux)
import Foundation
import XCTest

/// Real servers in the bed's server namespace and real clients in its client namespace.
extension Bed {
    var python: String { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3" }

    /// `python3 -m http.server PORT` on every address (v4 and v6), serving `dir/www` with
    /// `hello.txt`; its request log is the returned program's log.
    @discardableResult
    func startHTTP(port: Int = 80) throws -> Background {
        let www = "\(dir)/www"
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        try Data("hello through sluice\n".utf8).write(to: URL(fileURLWithPath: www + "/hello.txt"))
        let b = try start(server, "http-\(port)", "\(python) -u -m http.server \(port) --bind :: --directory '\(www)'")
        try waitListening(server, port: port)
        return b
    }

    /// dnsmasq answering `example.test` and every name below it with 10.98.0.2, UDP and TCP.
    @discardableResult
    func startDNS() throws -> Background {
        let b = try start(server, "dnsmasq", "dnsmasq -k -C /dev/null --no-resolv --no-hosts --pid-file= "
            + "--user=root --listen-address=10.98.0.2 --bind-interfaces --log-queries --log-facility=- "
            + "--address=/example.test/10.98.0.2")
        try waitListening(server, port: 53, proto: "udp")
        try waitListening(server, port: 53)
        return b
    }

    /// `openssl s_server -www` on tcp/443 with a self-signed certificate for www.example.test.
    @discardableResult
    func startTLS() throws -> Background {
        try run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
            + "-subj /CN=www.example.test -keyout '\(dir)/key.pem' -out '\(dir)/cert.pem' 2>/dev/null")
        let b = try start(server, "s_server", "openssl s_server -accept 443 -cert '\(dir)/cert.pem' "
            + "-key '\(dir)/key.pem' -www -naccept 10")
        try waitListening(server, port: 443)
        return b
    }

    /// curl from the client: status, body (or `-w` output) and seconds. Short timeouts.
    func curl(_ url: String, _ options: String = "") -> (status: Int32, output: String, seconds: Double) {
        exec(client, "curl -sS -g --connect-timeout 3 -m 5 \(options) '\(url)'")
    }

    /// dig from the client (`+tcp` in options for TCP).
    func dig(_ name: String, _ options: String = "") -> (status: Int32, output: String, seconds: Double) {
        exec(client, "dig @10.98.0.2 \(name) A +short +time=2 +tries=1 \(options)")
    }

    /// openssl s_client from the client with SNI `name`, sending one HTTP/1.0 GET.
    func tlsGet(_ name: String = "www.example.test") -> (status: Int32, output: String, seconds: Double) {
        exec(client, "sh -c \"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 8 openssl s_client -connect 10.98.0.2:443 "
            + "-servername \(name) -quiet 2>&1\"")
    }
}

/// Fails with the daemon's log attached when `condition` is false.
func expect(_ condition: Bool, _ message: String, _ daemon: Daemon?, file: StaticString = #filePath, line: UInt = #line) {
    if !condition {
        XCTFail("\(message)\n--- sluice log:\n\(daemon?.log ?? "-")", file: file, line: line)
    }
}
#endif
