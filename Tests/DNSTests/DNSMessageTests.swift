import DNS
import Foundation
import XCTest

final class DNSMessageTests: XCTestCase {
    func testQueryHeaderAndEve() throws {
        var b = MessageBuilder(id: 0xbeef, flags: 0x0100)
        b.question("www.example.com", type: 28)
        let h = try parse(b.bytes).get()
        XCTAssertEqual(h.id, 0xbeef)
        XCTAssertFalse(h.qr)
        XCTAssertTrue(h.rd)
        XCTAssertEqual(h.opcode, 0)
        XCTAssertEqual(h.questionCount, 1)
        let dns = try XCTUnwrap(eveDNS(b.bytes, txID: 3))
        XCTAssertEqual(dns["version"] as? Int, 2)
        XCTAssertEqual(dns["type"] as? String, "query")
        XCTAssertEqual(dns["id"] as? Int, 0xbeef)
        XCTAssertEqual(dns["rrname"] as? String, "www.example.com")
        XCTAssertEqual(dns["rrtype"] as? String, "AAAA")
        XCTAssertEqual(dns["tx_id"] as? Int, 3)
        XCTAssertEqual(dns["opcode"] as? Int, 0)
        XCTAssertNil(dns["z"])
    }

    func testResponseFlagsBits() throws {
        var b = MessageBuilder(flags: 0x8583 | 0x0040) // qr aa rd ra z NXDOMAIN
        b.question("x.test")
        let h = try parse(b.bytes).get()
        XCTAssertTrue(h.qr); XCTAssertTrue(h.aa); XCTAssertFalse(h.tc); XCTAssertTrue(h.rd)
        XCTAssertTrue(h.ra); XCTAssertTrue(h.z); XCTAssertEqual(h.rcode, 3)
        let dns = try XCTUnwrap(eveDNS(b.bytes))
        XCTAssertEqual(dns["flags"] as? String, "85c3")
        XCTAssertEqual(dns["rcode"] as? String, "NXDOMAIN")
        XCTAssertEqual(dns["aa"] as? Bool, true)
        XCTAssertEqual(dns["z"] as? Bool, true)
        XCTAssertNil(dns["answers"])
    }

    func testCompressedAnswersAllTypes() throws {
        var b = MessageBuilder(id: 7, flags: 0x8180, qd: 1, an: 9, ns: 1)
        b.question("example.com", type: 1)
        // Question name at 12; "com" label at 12 + 8 = 20.
        b.record(owner: 12, type: 5) { $0.name("cdn", pointer: 12) }                 // CNAME
        b.record(owner: 12, type: 1, ttl: 30) { $0.bytes += [192, 0, 2, 1] }          // A
        b.record(owner: 12, type: 1, ttl: 30) { $0.bytes += [192, 0, 2, 2] }          // A
        b.record(owner: 12, type: 28) { $0.bytes += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1] }
        b.record(owner: 12, type: 15) { $0.u16(10); $0.name("mail", pointer: 12) }     // MX
        b.record(owner: 12, type: 16) { $0.bytes += [5] + Array("hello".utf8) + [3] + Array("bye".utf8) }
        b.record(owner: 12, type: 33) { $0.u16(10); $0.u16(5); $0.u16(5060); $0.name("sip", pointer: 12) }
        b.record(owner: 12, type: 12) { $0.pointer(20) }                              // PTR -> "com"
        b.record(owner: 12, type: 65) { $0.bytes += [0x41, 0x00, 0xff] }              // HTTPS, raw
        b.record(owner: 20, type: 6, ttl: 900) {                                      // SOA
            $0.name("ns1", pointer: 12); $0.name("hostmaster", pointer: 12)
            for v: UInt32 in [2024, 3600, 600, 86400, 300] { $0.u32(v) }
        }
        let dns = try XCTUnwrap(eveDNS(b.bytes))
        XCTAssertEqual(dns["type"] as? String, "answer")
        XCTAssertEqual(dns["flags"] as? String, "8180")
        XCTAssertEqual(dns["rrname"] as? String, "example.com")
        XCTAssertEqual(dns["rrtype"] as? String, "A")
        XCTAssertEqual(dns["rcode"] as? String, "NOERROR")
        let answers = try XCTUnwrap(dns["answers"] as? [[String: Any]])
        // Suricata 7 logs one entry per TXT character-string, so the TXT record yields two.
        XCTAssertEqual(answers.count, 10)
        XCTAssertEqual(answers.map { $0["rrtype"] as? String }, ["CNAME", "A", "A", "AAAA", "MX", "TXT", "TXT", "SRV", "PTR", "HTTPS"])
        XCTAssertEqual(answers[0]["rdata"] as? String, "cdn.example.com")
        XCTAssertEqual(answers[1]["rdata"] as? String, "192.0.2.1")
        XCTAssertEqual(answers[1]["ttl"] as? Int, 30)
        XCTAssertEqual(answers[3]["rdata"] as? String, "2001:0db8:0000:0000:0000:0000:0000:0001") // Suricata's uncompressed form
        XCTAssertEqual(answers[4]["rdata"] as? String, "mail.example.com")
        XCTAssertEqual(answers[5]["rdata"] as? String, "hello")
        XCTAssertEqual(answers[6]["rdata"] as? String, "bye")
        let srv = try XCTUnwrap(answers[7]["srv"] as? [String: Any])
        XCTAssertEqual(srv["priority"] as? Int, 10); XCTAssertEqual(srv["weight"] as? Int, 5)
        XCTAssertEqual(srv["port"] as? Int, 5060); XCTAssertEqual(srv["name"] as? String, "sip.example.com")
        XCTAssertNil(answers[7]["rdata"])
        XCTAssertEqual(answers[8]["rdata"] as? String, "com")
        XCTAssertEqual(answers[9]["rdata"] as? String, "A\u{0}\\xff")
        let grouped = try XCTUnwrap(dns["grouped"] as? [String: Any])
        XCTAssertEqual(grouped["A"] as? [String], ["192.0.2.1", "192.0.2.2"])
        XCTAssertEqual(grouped["CNAME"] as? [String], ["cdn.example.com"])
        XCTAssertEqual(grouped["TXT"] as? [String], ["hello", "bye"])
        XCTAssertEqual((grouped["SRV"] as? [[String: Any]])?.first?["port"] as? Int, 5060)
        let auth = try XCTUnwrap(dns["authorities"] as? [[String: Any]])
        XCTAssertEqual(auth.first?["rrname"] as? String, "com")
        let soa = try XCTUnwrap(auth.first?["soa"] as? [String: Any])
        XCTAssertEqual(soa["mname"] as? String, "ns1.example.com")
        XCTAssertEqual(soa["rname"] as? String, "hostmaster.example.com")
        XCTAssertEqual(soa["serial"] as? Int, 2024); XCTAssertEqual(soa["minimum"] as? Int, 300)
    }

    func testRootName() throws {
        var b = MessageBuilder()
        b.bytes.append(0); b.u16(2); b.u16(1)
        XCTAssertEqual(try decodeName(b.bytes, at: 12).get(), "<root>")
        XCTAssertEqual(eveDNS(b.bytes)?["rrname"] as? String, "<root>")
    }

    func testCompressionLoopIsRejected() {
        var b = MessageBuilder()
        b.pointer(12) // points at itself
        b.u16(1); b.u16(1)
        XCTAssertEqual(parseError(b.bytes), .badPointer)
        // Two labels then a pointer back to the start of the same name: each pass is backwards
        // relative to the pointer, but the jump bound ends it.
        var c = MessageBuilder()
        c.name("a.b", pointer: 12)
        c.u16(1); c.u16(1)
        XCTAssertEqual(parseError(c.bytes), .tooManyJumps)
    }

    func testForwardPointerAndPointerPastEnd() {
        var b = MessageBuilder()
        b.pointer(14) // forward, at the pointer's own bytes' end
        b.u16(1); b.u16(1)
        XCTAssertEqual(parseError(b.bytes), .badPointer)
        var c = MessageBuilder()
        c.pointer(0x3fff) // far past the end
        c.u16(1); c.u16(1)
        XCTAssertEqual(parseError(c.bytes), .badPointer)
        var d = MessageBuilder()
        d.bytes += [3, 0x61, 0x62, 0x63, 0xc0] // pointer cut in half
        XCTAssertEqual(parseError(d.bytes), .truncated)
        var e = MessageBuilder()
        e.bytes += [0x80, 1, 0] // reserved label type
        XCTAssertEqual(parseError(e.bytes), .badLabel)
    }

    func testTruncatedAnswer() {
        var b = MessageBuilder(flags: 0x8180, qd: 1, an: 1)
        b.question("example.com")
        b.record(owner: 12, type: 1) { $0.bytes += [1, 2, 3, 4] }
        XCTAssertNil(parseError(b.bytes))
        for cut in 1..<15 {
            XCTAssertEqual(parseError(Array(b.bytes.dropLast(cut))), .truncated, "cut \(cut)")
        }
        var c = MessageBuilder(flags: 0x8180, qd: 1, an: 2) // claims two answers, has one
        c.question("example.com")
        c.record(owner: 12, type: 1) { $0.bytes += [1, 2, 3, 4] }
        XCTAssertEqual(parseError(c.bytes), .truncated)
        XCTAssertEqual(parseError([0x12, 0x34, 0x01]), .truncated)
        // A CNAME whose name runs past its rdata.
        var d = MessageBuilder(flags: 0x8180, qd: 1, an: 1)
        d.question("example.com")
        d.record(owner: 12, type: 5) { $0.bytes += [3, 0x61] }
        d.bytes += [0x62, 0x63, 0]
        XCTAssertEqual(parseError(d.bytes), .truncated)
    }

    func testNameOf300BytesIsRejected() {
        var b = MessageBuilder()
        let label = String(repeating: "x", count: 59)
        b.question(Array(repeating: label, count: 5).joined(separator: ".")) // 5 * 60 + 1 = 301
        XCTAssertEqual(parseError(b.bytes), .nameTooLong)
        var ok = MessageBuilder()
        ok.question(Array(repeating: label, count: 4).joined(separator: ".") + "." + String(repeating: "y", count: 13))
        XCTAssertNil(parseError(ok.bytes)) // 4 * 60 + 14 + 1 = 255
        XCTAssertEqual((eveDNS(ok.bytes)?["rrname"] as? String)?.count, 253)
    }

    func testEscapingMatchesSuricata() throws {
        var b = MessageBuilder()
        b.bytes += [4, 0x61, 0x22, 0x03, 0xe9, 0]
        b.u16(1); b.u16(1)
        XCTAssertEqual(eveDNS(b.bytes)?["rrname"] as? String, "a\"\u{3}\\xe9")
    }

    func testMultipleQuestionsAreSeparateEvents() throws {
        var b = MessageBuilder(qd: 2)
        b.question("one.test")
        b.question("two.test", type: 16)
        let n = b.bytes.withUnsafeBytes { (try? DNSMessage(parsing: $0)).map(DNSEve.eventCount) }
        XCTAssertEqual(n, 2)
        XCTAssertEqual(eveDNS(b.bytes, index: 1)?["rrname"] as? String, "two.test")
        XCTAssertEqual(eveDNS(b.bytes, index: 1)?["rrtype"] as? String, "TXT")
    }

    /// Random corruption of a valid response must never trap, only parse or fail.
    func testMutatedMessagesNeverTrap() {
        var b = MessageBuilder(flags: 0x8180, qd: 1, an: 3, ns: 1)
        b.question("example.com")
        b.record(owner: 12, type: 5) { $0.name("cdn", pointer: 12) }
        b.record(owner: 12, type: 15) { $0.u16(10); $0.name("mail", pointer: 12) }
        b.record(owner: 12, type: 33) { $0.u16(1); $0.u16(2); $0.u16(3); $0.name("s", pointer: 12) }
        b.record(owner: 12, type: 6) {
            $0.name("ns1", pointer: 12); $0.pointer(12)
            for v: UInt32 in [1, 2, 3, 4, 5] { $0.u32(v) }
        }
        var rng = SystemRandomNumberGenerator()
        var parsed = 0
        for _ in 0..<3000 {
            var m = b.bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                m[Int.random(in: 0..<m.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { m = Array(m.prefix(Int.random(in: 0...m.count, using: &rng))) }
            if eveDNS(m) != nil { parsed += 1 }
        }
        XCTAssertGreaterThan(parsed, 0)
    }
}
