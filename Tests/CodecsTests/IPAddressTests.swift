import SluiceTestSupport
import XCTest
@testable import Codecs

/// IPAddress: IPv4-mapped storage, parsing dotted quads and IPv6 text, RFC 5952 formatting
/// (longest zero run compressed, first on ties, single zero groups kept, lowercase) and the
/// byte output of `format(into:)`, `writeDecimal` and `writeHex`.
final class IPAddressTests: XCTestCase {
    /// The bytes `format(into:)` writes, as text.
    func formatted(_ a: IPAddress) -> String {
        var buf = [UInt8](repeating: 0xee, count: 64)
        let n = buf.withUnsafeMutableBufferPointer { a.format(into: $0.baseAddress!) }
        XCTAssertLessThanOrEqual(n, 46)
        XCTAssertTrue(buf[n...].allSatisfy { $0 == 0xee }, "nothing written past the returned count")
        return String(decoding: buf[..<n], as: UTF8.self)
    }

    func testV4StorageIsMapped() {
        let a = IPAddress(v4: 0xc0a8_0001)
        XCTAssertEqual(a.hi, 0)
        XCTAssertEqual(a.lo, 0x0000_ffff_c0a8_0001)
        XCTAssertTrue(a.isV4)
        XCTAssertEqual(a.v4Value, 0xc0a8_0001)
        XCTAssertEqual(IPAddress("::ffff:c0a8:1"), a, "the mapped IPv6 spelling is the same address")
        XCTAssertFalse(IPAddress(hi: 0, lo: 0xc0a8_0001).isV4, "IPv4-compatible (not mapped) is IPv6")
    }

    func testReadFromBytes() {
        let bytes: [UInt8] = [9, 10, 0, 1, 2, 3, 0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [0x42]
        bytes.withUnsafeBytes { raw in
            XCTAssertEqual(IPAddress(v4At: raw.baseAddress!, 2), IPAddress("0.1.2.3"))
            XCTAssertEqual(IPAddress(v6At: raw.baseAddress!, 6), IPAddress("2001:db8::42"))
        }
    }

    func testV4ParseFormatRoundTrip() {
        for text in ["0.0.0.0", "1.2.3.4", "10.0.0.255", "192.168.100.1", "255.255.255.255"] {
            guard let a = IPAddress(text) else { XCTFail("did not parse \(text)"); continue }
            XCTAssertTrue(a.isV4)
            XCTAssertEqual(a.description, text)
            XCTAssertEqual(formatted(a), text)
        }
        XCTAssertEqual(IPAddress("1.2.3.4")?.v4Value, 0x0102_0304)
    }

    func testV4ParseRejects() {
        for text in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1.2.3.-4", "1.2.3.4 "] {
            XCTAssertNil(IPAddress(text), text)
        }
    }

    func testV6RFC5952Compression() {
        let cases: [(String, String)] = [
            ("::1", "::1"),
            ("fd77::2", "fd77::2"),
            ("2001:db8::1:0:0:1", "2001:db8::1:0:0:1"),   // equal runs: the first is compressed
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("::", "::"),
            ("1::", "1::"),
            ("0:0:0:0:0:0:0:0", "::"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),   // a single zero group is not compressed
            ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
            ("2001:DB8::ABCD", "2001:db8::abcd"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),   // the longer run wins even when later
            ("fe80::1:2:3:4", "fe80::1:2:3:4"),
            ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
            ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ]
        for (input, expected) in cases {
            guard let a = IPAddress(input) else { XCTFail("did not parse \(input)"); continue }
            XCTAssertEqual(a.description, expected, input)
            XCTAssertEqual(formatted(a), expected, input)
            XCTAssertEqual(IPAddress(expected), a, "round trip of \(expected)")
        }
    }

    func testV6ParsedValues() {
        XCTAssertEqual(IPAddress("::1"), IPAddress(hi: 0, lo: 1))
        XCTAssertEqual(IPAddress("::"), IPAddress(hi: 0, lo: 0))
        XCTAssertEqual(IPAddress("1::"), IPAddress(hi: 0x0001_0000_0000_0000, lo: 0))
        XCTAssertEqual(IPAddress("fd77::2"), IPAddress(hi: 0xfd77_0000_0000_0000, lo: 2))
        XCTAssertEqual(IPAddress("2001:db8::1:0:0:1"), IPAddress(hi: 0x2001_0db8_0000_0000, lo: 0x0001_0000_0000_0001))
        XCTAssertEqual(IPAddress("1:2:3:4:5:6:7:8"), IPAddress(hi: 0x0001_0002_0003_0004, lo: 0x0005_0006_0007_0008))
    }

    func testV6ParseRejects() {
        for text in ["1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "12345::", "g::1",
                     "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", ":1::", "1:::2"] {
            XCTAssertNil(IPAddress(text), text)
        }
    }

    func testParseRejectsSignedComponents() {
        // Swift's integer parsers accept a leading sign; neither a dotted quad nor an IPv6 group has one.
        for text in ["+1.2.3.4", "1.2.3.-0", "+1::", "::-0", "2001:db8::+1"] {
            XCTAssertNil(IPAddress(text), text)
        }
    }

    func testRandomV6RoundTrip() {
        var rng = SplitMix(state: 42)
        for _ in 0..<2000 {
            // Bias towards zero groups so compression is exercised.
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<8 {
                let g: UInt64 = Int.random(in: 0..<3, using: &rng) == 0 ? UInt64.random(in: 0...0xffff, using: &rng) : 0
                if i < 4 { hi = hi << 16 | g } else { lo = lo << 16 | g }
            }
            let a = IPAddress(hi: hi, lo: lo)
            let text = formatted(a)
            XCTAssertEqual(IPAddress(text), a, text)
            XCTAssertFalse(text.contains(":::"), text)
            XCTAssertLessThanOrEqual(text.components(separatedBy: "::").count, 2, text)
        }
    }

    func testWriteDecimalAndHex() {
        var buf = [UInt8](repeating: 0, count: 24)
        func dec(_ v: UInt64) -> String {
            let n = buf.withUnsafeMutableBufferPointer { writeDecimal(v, into: $0.baseAddress!) }
            return String(decoding: buf[..<n], as: UTF8.self)
        }
        func hex(_ v: UInt16) -> String {
            let n = buf.withUnsafeMutableBufferPointer { writeHex(v, into: $0.baseAddress!) }
            return String(decoding: buf[..<n], as: UTF8.self)
        }
        XCTAssertEqual(dec(0), "0")
        XCTAssertEqual(dec(7), "7")
        XCTAssertEqual(dec(1_000_000), "1000000")
        XCTAssertEqual(dec(UInt64.max), "18446744073709551615")
        XCTAssertEqual(hex(0), "0")
        XCTAssertEqual(hex(0x000f), "f")
        XCTAssertEqual(hex(0x0100), "100")
        XCTAssertEqual(hex(0xabcd), "abcd")
    }
}

/// The uncompressed IPv6 form EVE records use, as Suricata writes them.
final class IPAddressEveFormTests: XCTestCase {
    func testExpandedForm() {
        XCTAssertEqual(IPAddress("::1")?.eveDescription, "0000:0000:0000:0000:0000:0000:0000:0001")
        XCTAssertEqual(IPAddress("fe80::800:27ff:fe00:0")?.eveDescription, "fe80:0000:0000:0000:0800:27ff:fe00:0000")
        XCTAssertEqual(IPAddress("10.77.0.1")?.eveDescription, "10.77.0.1")
        XCTAssertEqual(IPAddress("2606:2800:0220:0001:0248:1893:25c8:1946")?.description, "2606:2800:220:1:248:1893:25c8:1946")
    }
}
