import Foundation
import Output
import SluiceTestSupport
import TLS
import XCTest

/// Record/handshake reassembly, JA3/JA4 and robustness against hostile bytes.
final class TLSParserTests: XCTestCase {
    func feed(_ parser: inout TLSHandshakeParser, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { parser.feed($0) }
    }

    /// A browser-like hello with GREASE in ciphers, extensions, groups and versions.
    static func greasyHello() -> HelloBuilder {
        var h = HelloBuilder()
        h.ciphers = [0x2a2a, 0x1301, 0x1302, 0xc02b]
        h.extensions = [
            (0x0a0a, []),
            (0x0000, HelloBuilder.sni("www.example.com")),
            (0x0010, HelloBuilder.alpn(["h2", "http/1.1"])),
            (0x000a, HelloBuilder.list16([0x3a3a, 0x001d, 0x0017])),
            (0x000b, [1, 0]),
            (0x000d, HelloBuilder.list16([0x0403, 0x0804])),
            (0x002b, HelloBuilder.versions([0x5a5a, 0x0304, 0x0303])),
            (0x1a1a, [0]),
        ]
        return h
    }

    func testClientHelloSplitAcrossChunksAndRecords() {
        let message = Self.greasyHello().clientHello()
        // Two records: the first ends inside the handshake header's length field.
        var stream: [UInt8] = [22, 3, 1] + HelloBuilder.u16(2) + message[0..<2]
        stream += [22, 3, 1] + HelloBuilder.u16(UInt16(message.count - 2)) + message[2...]
        var parser = TLSHandshakeParser()
        // Three TCP chunks: mid record header, mid extensions, rest.
        feed(&parser, Array(stream[0..<3]))
        feed(&parser, Array(stream[3..<60]))
        XCTAssertFalse(parser.info.clientHelloSeen)
        feed(&parser, Array(stream[60...]))
        XCTAssertTrue(parser.info.clientHelloSeen)
        XCTAssertEqual(parser.records, 2)
        XCTAssertEqual(parser.info.sni.string, "www.example.com")
        XCTAssertEqual(parser.info.ja3.string, "771,4865-4866-49195,0-16-10-11-13-43,29-23,0")
        XCTAssertFalse(parser.failed)
    }

    /// Pooled parsers are reset in place, not rebuilt: a reset parser must behave as a new one,
    /// with nothing of the previous handshake left in any field.
    func testResetParserMatchesNewOne() {
        let greasy = HelloBuilder.records(Self.greasyHello().clientHello(), maxRecord: 16384)
        var plain = HelloBuilder()
        plain.version = 0x0301
        let other = HelloBuilder.records(plain.clientHello(), maxRecord: 16384)
        var reused = TLSHandshakeParser()
        feed(&reused, greasy)
        XCTAssertTrue(reused.info.sni.count > 0)
        reused.reset()
        feed(&reused, other)
        var fresh = TLSHandshakeParser()
        feed(&fresh, other)
        XCTAssertEqual(reused.info.sni.string, fresh.info.sni.string)
        XCTAssertEqual(reused.info.ja3.string, fresh.info.ja3.string)
        XCTAssertEqual(reused.info.ja4.string, fresh.info.ja4.string)
        XCTAssertEqual(reused.info.clientALPNs.string, fresh.info.clientALPNs.string)
        XCTAssertEqual(reused.info.clientVersion, fresh.info.clientVersion)
        XCTAssertEqual(reused.records, fresh.records)
        XCTAssertEqual(reused.messages, fresh.messages)
    }

    func testGreaseRemovedFromJA3AndJA4() {
        var parser = TLSHandshakeParser()
        feed(&parser, HelloBuilder.records(Self.greasyHello().clientHello(), maxRecord: 16384))
        let ja3 = parser.info.ja3.string
        XCTAssertFalse(ja3.contains("10794"))  // 0x2a2a
        XCTAssertFalse(ja3.contains("2570"))   // 0x0a0a
        // 3 ciphers, 6 extensions after GREASE removal; version from supported_versions.
        XCTAssertTrue(parser.info.ja4.string.hasPrefix("t13d0306h2_"), parser.info.ja4.string)
    }

    func testKnownJA3AndJA4() {
        // JA3 string is "769,47-53,0-10-11,23-24,0" by construction.
        var h = HelloBuilder()
        h.version = 0x0301
        h.ciphers = [47, 53]
        h.extensions = [(0, HelloBuilder.sni("a.b")), (10, HelloBuilder.list16([23, 24])), (11, [1, 0])]
        var parser = TLSHandshakeParser()
        feed(&parser, HelloBuilder.records(h.clientHello(), maxRecord: 16384))
        XCTAssertEqual(parser.info.ja3.string, "769,47-53,0-10-11,23-24,0")
        // md5("769,47-53,0-10-11,23-24,0")
        XCTAssertEqual(parser.info.ja3Hash.string, "4505c7da2406849a847f2066c46b58e5")
        XCTAssertEqual(parser.info.ja3Hash.string.count, 32)
        // JA4: no ALPN → "00"; cipher hash = sha256("002f,0035")[0..<12];
        // extension hash over "000a,000b" (SNI excluded, no signature algorithms).
        XCTAssertEqual(parser.info.ja4.string,
                       "t10d020300_f54dd463d39b_33a13ba74d1c")
    }

    /// The FoxIO JA4 README example hello components give its published hashes.
    func testJA4HashesMatchSpecExample() {
        var h = HelloBuilder()
        h.ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
                     0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035]
        let sig: [UInt16] = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
        h.extensions = [
            (0x0000, HelloBuilder.sni("example.com")), (0x0017, []), (0xff01, [0]),
            (0x000a, HelloBuilder.list16([0x001d])), (0x000b, [1, 0]), (0x0023, []),
            (0x0010, HelloBuilder.alpn(["h2", "http/1.1"])), (0x0005, [1, 0, 0, 0, 0]),
            (0x000d, HelloBuilder.list16(sig)), (0x0012, []), (0x0033, HelloBuilder.u16(0)),
            (0x002d, [1, 1]), (0x002b, HelloBuilder.versions([0x0304, 0x0303])), (0x001b, [2, 0, 2]),
            (0x4469, []), (0x0015, [0, 0]),
        ]
        var parser = TLSHandshakeParser()
        feed(&parser, HelloBuilder.records(h.clientHello(), maxRecord: 16384))
        XCTAssertEqual(parser.info.ja4.string, "t13d1516h2_8daaf6152771_e5627efa2ab1")
    }

    func testEveObjectIsValidJSON() throws {
        var client = TLSHandshakeParser()
        feed(&client, HelloBuilder.records(Self.greasyHello().clientHello(), maxRecord: 100))
        let server = TLSHandshakeParser()
        var out = JSONBuffer(fd: -1)
        out.beginObject()
        TLSEve.write(client: client, server: server, into: &out)
        out.endObject()
        let obj = try JSONSerialization.jsonObject(with: Data(out.take())) as? [String: Any]
        let tls = obj?["tls"] as? [String: Any]
        XCTAssertEqual(tls?["sni"] as? String, "www.example.com")
        XCTAssertEqual(tls?["version"] as? String, "UNDETERMINED")
        XCTAssertEqual(eveVendorObject(obj ?? [:], "tls")?["client_alpns"] as? [String], ["h2", "http/1.1"])
        XCTAssertNotNil(tls?["ja4"] as? String)
    }

    func testEveryPrefixAndSplitNeverTraps() {
        let stream = HelloBuilder.records(Self.greasyHello().clientHello(), maxRecord: 37)
        for cut in 0...stream.count {
            var parser = TLSHandshakeParser()
            feed(&parser, Array(stream[0..<cut]))
            XCTAssertEqual(parser.info.clientHelloSeen, cut == stream.count)
            var split = TLSHandshakeParser()
            feed(&split, Array(stream[0..<cut]))
            feed(&split, Array(stream[cut...]))
            XCTAssertEqual(split.info.ja3.string, "771,4865-4866-49195,0-16-10-11-13-43,29-23,0")
        }
    }

    func testRandomAndCorruptedInputNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        let valid = HelloBuilder.records(Self.greasyHello().clientHello(), maxRecord: 16384)
        for _ in 0..<2000 {
            var bytes = (0..<Int.random(in: 0..<600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Valid record header with garbage inside, so handshake parsing is reached.
            if Bool.random(using: &rng) { bytes = [22, 3, 3] + HelloBuilder.u16(UInt16(bytes.count)) + bytes }
            var parser = TLSHandshakeParser()
            feed(&parser, bytes)
            var mutated = valid
            for _ in 0..<4 { mutated[Int.random(in: 0..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            var m = TLSHandshakeParser()
            feed(&m, mutated)
            var out = JSONBuffer(fd: -1)
            TLSEve.write(client: m, server: parser, into: &out)
        }
    }

    func testCipherTextStopsInspection() {
        var parser = TLSHandshakeParser()
        feed(&parser, [20, 3, 3, 0, 1, 1])
        feed(&parser, HelloBuilder.records(Self.greasyHello().clientHello(), maxRecord: 16384))
        XCTAssertTrue(parser.encrypted)
        XCTAssertFalse(parser.info.clientHelloSeen)
        XCTAssertEqual(parser.records, 2)
    }
}
