import Datastore
import L7Core
import SluiceTestSupport
import XCTest

/// No datastore probe may claim HTTP, HTTP/2, TLS, SSH or DNS traffic, or random bytes: they run
/// after (or beside) the detector's own probes, and a false match would steal the flow.
final class FalsePositiveTests: XCTestCase {
    typealias Probe = @Sendable (UnsafeRawBufferPointer, Bool) -> DatastoreVerdict
    static let streamProbes: [(String, Probe)] = [
        ("amqp", DatastoreProbes.amqp), ("mqtt", DatastoreProbes.mqtt), ("pgsql", DatastoreProbes.pgsql),
        ("mysql", DatastoreProbes.mysql), ("mongodb", DatastoreProbes.mongodb), ("cassandra", DatastoreProbes.cassandra),
        ("zookeeper", DatastoreProbes.zookeeper), ("kafka", DatastoreProbes.kafka), ("memcached", DatastoreProbes.memcached),
        ("redis", DatastoreProbes.redis),
    ]
    static let datagramProbes: [(String, Probe)] = [("dhcp", DatastoreProbes.dhcp), ("ntp", DatastoreProbes.ntp)]

    // MARK: Other protocols' first bytes

    static let http: [[UInt8]] = [
        "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
        "POST /api/v1/items HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\":\"b c\"}\r\n",
        "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD /index.html HTTP/1.0\r\n\r\n",
        "PUT /k HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.0 404 Not Found\r\nServer: nginx\r\n\r\n", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    ].map { [UInt8]($0) } + [
        [UInt8]("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + [0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 4, 0, 0xff, 0xff, 0xff],
        [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0x40, 0],   // server SETTINGS
    ]

    /// A TLS 1.2/1.3 ClientHello with SNI, and a ServerHello.
    static var tls: [[UInt8]] {
        let sni: [UInt8] = bytes(be16(0), be16(16), be16(14), [0], be16(11), [UInt8]("example.com"))
        let body: [UInt8] = bytes([3, 3], [UInt8](repeating: 0xa5, count: 32), [32], [UInt8](repeating: 0x5a, count: 32),
                                  be16(6), [0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f], [1, 0], be16(sni.count), sni)
        let hello = bytes([1], [0], be16(body.count), body)
        let server = bytes([2, 0, 0, 70, 3, 3], [UInt8](repeating: 0x11, count: 32), [32], [UInt8](repeating: 0x22, count: 32),
                           [0xc0, 0x2f, 0], be16(0))
        return [bytes([0x16, 3, 1], be16(hello.count), hello), bytes([0x16, 3, 3], be16(server.count), server),
                [0x17, 3, 3, 0, 32] + [UInt8](repeating: 0x99, count: 32), [0x15, 3, 3, 0, 2, 2, 40],
                // SSLv2-compatible ClientHello
                [0x80, 0x2e, 1, 3, 1, 0, 0x15, 0, 0, 0, 0x10] + [UInt8](repeating: 7, count: 37)]
    }

    static let ssh: [[UInt8]] = [
        [UInt8]("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n"),
        [UInt8]("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n") + be32(1500) + [10, 20] + [UInt8](repeating: 0x42, count: 16)
            + be32(300) + [UInt8]("curve25519-sha256,ecdh-sha2-nistp256"),
        be32(1500) + [10, 20] + [UInt8](repeating: 0x42, count: 16),   // KEXINIT after the banner
    ]

    /// DNS messages: queries with and without recursion desired, responses, for every kind of id.
    static func dnsMessage(id: Int, flags: Int, name: String, answers: Int = 0) -> [UInt8] {
        var qname: [UInt8] = []
        for label in name.split(separator: ".") { qname += [UInt8(label.utf8.count)] + [UInt8](label.utf8) }
        var m = bytes(be16(id), be16(flags), be16(1), be16(answers), be16(0), be16(0), qname, [0], be16(1), be16(1))
        for _ in 0..<answers { m += bytes([0xc0, 12], be16(1), be16(1), be32(300), be16(4), [93, 184, 216, 34]) }
        return m
    }
    static var dns: [[UInt8]] {
        var out: [[UInt8]] = []
        for id in [0x0000, 0x1234, 0x2300, 0x2b0c, 0x8000, 0xdb42, 0xffff, 0x0300, 0x0403, 0x0500] {
            for flags in [0x0100, 0x0000, 0x8180, 0x8183, 0x0120, 0x2800] {
                for name in ["example.com", "www.some-longer-domain-name.example.org", "_ldap._tcp.dc._msdcs.corp.local"] {
                    out.append(dnsMessage(id: id, flags: flags, name: name, answers: flags & 0x8000 != 0 ? 2 : 0))
                }
            }
        }
        return out
    }

    /// Every prefix of every sample, both directions, through every probe: returns the matches.
    func matches(_ samples: [[UInt8]], probes: [(String, Probe)], prefixes: Bool = true) -> [String] {
        var found: [String] = []
        for (i, s) in samples.enumerated() {
            for n in (prefixes ? Array(1...s.count) : [s.count]) {
                Array(s[0..<n]).withUnsafeBytes { b in
                    for (name, p) in probes {
                        for dir in [true, false] {
                            if case .match = p(b, dir) { found.append("\(name) claimed sample \(i) prefix \(n)") }
                        }
                    }
                }
            }
        }
        return found
    }

    func testHTTPIsNotClaimed() { XCTAssertEqual(matches(Self.http, probes: Self.streamProbes), []) }
    func testTLSIsNotClaimed() { XCTAssertEqual(matches(Self.tls, probes: Self.streamProbes), []) }
    func testSSHIsNotClaimed() { XCTAssertEqual(matches(Self.ssh, probes: Self.streamProbes), []) }

    func testDNSIsNotClaimed() {
        let tcp = Self.dns.map { be16($0.count) + $0 }
        XCTAssertEqual(matches(tcp, probes: Self.streamProbes), [])
        XCTAssertEqual(matches(Self.dns, probes: Self.datagramProbes, prefixes: false), [])
        // Every possible id on a query long enough to look like NTP (48 bytes, whole words).
        var claimed = 0
        for flags in [0x0100, 0x0000, 0x8180] {
            var m = Self.dnsMessage(id: 0, flags: flags, name: "www.some-longer-domain-name.example")
            while m.count < 48 || m.count % 4 != 0 { m += [0] }
            for id in 0..<65536 {
                m[0] = UInt8(id >> 8)
                m[1] = UInt8(id & 0xff)
                m.withUnsafeBytes { if case .match = DatastoreProbes.probeDatagram($0, toServer: true) { claimed += 1 } }
            }
        }
        XCTAssertEqual(claimed, 0)
    }

    // MARK: Random bytes

    func testRandomBuffers() {
        var rng = SplitMix(state: 0x5eed_da7a)
        var buffers: [[UInt8]] = []
        // Uniform bytes.
        for _ in 0..<4000 {
            buffers.append((0..<Int.random(in: 1...600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        // Random bytes behind each protocol's first byte, so the deeper checks are what decides.
        let firsts: [UInt8] = [0x00, 0x01, 0x03, 0x04, 0x05, 0x10, 0x2a, 0x24, 0x2b, 0x2d, 0x3a, 0x25, 0x41, 0x45, 0x51,
                               0x52, 0x80, 0x81, 0x83, 0x84, 0x23, 0x24, 0x1b]
        for i in 0..<4600 {
            var b = (0..<Int.random(in: 2...600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            b[0] = firsts[i % firsts.count]
            if i % 3 == 0 { for k in 1..<min(4, b.count) { b[k] = 0 } }   // small big-endian lengths
            buffers.append(b)
        }
        // Random printable words and CRLF lines, for the text probes.
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-:*$+".utf8)
        for _ in 0..<2000 {
            var b: [UInt8] = []
            for _ in 0..<Int.random(in: 1...80, using: &rng) { b.append(letters.randomElement(using: &rng)!) }
            b += [0x0d, 0x0a]
            buffers.append(b)
        }
        var counts: [String: Int] = [:]
        for b in buffers {
            b.withUnsafeBytes { raw in
                for (name, p) in Self.streamProbes + Self.datagramProbes {
                    for dir in [true, false] {
                        if case .match = p(raw, dir) {
                            counts[name, default: 0] += 1
                            print("claimed by \(name) toServer \(dir): \(Array(b.prefix(40)))", String(decoding: b.prefix(40), as: UTF8.self).debugDescription)
                        }
                    }
                }
            }
        }
        print("random false positives over \(buffers.count) buffers x 2 directions:", counts.isEmpty ? "none" : "\(counts)")
        XCTAssertEqual(counts, [:])
    }
}
