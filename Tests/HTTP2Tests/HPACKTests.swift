import XCTest
import L7Core
@testable import HTTP2

/// RFC 7541 Appendix C: the byte sequences are the RFC's (also what the Python `hpack`
/// encoder emits for these header lists); decoded fields and table sizes are checked exactly.
final class HPACKTests: XCTestCase {
    static let requests: [[(String, String)]] = [
        [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")],
        [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")],
    ]
    static let responses: [[(String, String)]] = [
        [(":status", "302"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com")],
        [(":status", "307"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com")],
        [(":status", "200"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT"), ("location", "https://www.example.com"),
         ("content-encoding", "gzip"), ("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1")],
    ]
    static let c3 = ["828684410f7777772e6578616d706c652e636f6d", "828684be58086e6f2d6361636865",
                     "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565"]
    static let c4 = ["828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf",
                     "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"]
    static let c5 = ["4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
                     "4803333037c1c0bf",
                     "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31"]
    static let c6 = ["488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
                     "4883640effc1c0bf",
                     "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007"]

    /// Decodes a block fed in pieces of `piece` bytes, buffering incomplete representations
    /// as the parser does.
    func decode(_ block: [UInt8], _ decoder: inout HPACKDecoder, piece: Int) -> [(String, String)]? {
        var buffer: [UInt8] = []
        var out: [(String, String)] = []
        var i = 0
        while i < block.count {
            let k = min(piece, block.count - i)
            buffer += block[i..<(i + k)]
            i += k
            var pos = 0
            var f = HeaderField()
            loop: while true {
                let step = buffer.withUnsafeBytes { decoder.next($0, at: &pos, into: &f) }
                switch step {
                case .field: out.append((f.name.string, f.value.string))
                case .sizeUpdate: continue
                case .needMore: break loop
                case .error: return nil
                }
            }
            buffer.removeFirst(pos)
        }
        return buffer.isEmpty ? out : nil
    }

    func check(_ blocks: [String], _ expected: [[(String, String)]], sizes: [Int], tableSize: Int,
               file: StaticString = #filePath, line: UInt = #line) {
        let longest = blocks.map { $0.count / 2 }.max()!
        for piece in 1...longest {
            var d = HPACKDecoder()
            d.table.setMaxSize(tableSize)
            for (i, hex) in blocks.enumerated() {
                guard let got = decode(H2.hex(hex), &d, piece: piece) else {
                    return XCTFail("block \(i) failed, piece \(piece)", file: file, line: line)
                }
                XCTAssertEqual(got.map { "\($0.0): \($0.1)" }, expected[i].map { "\($0.0): \($0.1)" }, "piece \(piece)", file: file, line: line)
                XCTAssertEqual(d.table.size, sizes[i], "block \(i) piece \(piece)", file: file, line: line)
            }
        }
    }

    func testC2Literals() {
        // C.2.1 literal with indexing, C.2.2 without, C.2.3 never indexed, C.2.4 indexed.
        var d = HPACKDecoder()
        XCTAssertEqual(decode(H2.hex("400a637573746f6d2d6b65790d637573746f6d2d686561646572"), &d, piece: 1)?.first?.1, "custom-header")
        XCTAssertEqual(d.table.size, 55)
        XCTAssertEqual(decode(H2.hex("040c2f73616d706c652f70617468"), &d, piece: 3)?.first?.1, "/sample/path")
        XCTAssertEqual(decode(H2.hex("100870617373776f726406736563726574"), &d, piece: 2)?.first?.0, "password")
        XCTAssertEqual(decode(H2.hex("82"), &d, piece: 1)?.first?.1, "GET")
        XCTAssertEqual(d.table.size, 55)
    }

    func testC3RequestsWithoutHuffman() { check(Self.c3, Self.requests, sizes: [57, 110, 164], tableSize: 4096) }
    func testC4RequestsWithHuffman() { check(Self.c4, Self.requests, sizes: [57, 110, 164], tableSize: 4096) }
    func testC5ResponsesWithEviction() { check(Self.c5, Self.responses, sizes: [222, 222, 215], tableSize: 256) }
    func testC6ResponsesHuffmanWithEviction() { check(Self.c6, Self.responses, sizes: [222, 222, 215], tableSize: 256) }

    func testEvictionKeepsNewestEntries() {
        var d = HPACKDecoder()
        d.table.setMaxSize(256)
        for hex in Self.c6 { _ = decode(H2.hex(hex), &d, piece: 1000) }
        // RFC 7541 C.6.3: [1] set-cookie, [2] content-encoding, [3] date.
        XCTAssertEqual(d.table.count, 3)
        var block = H2.hex("be")  // index 62: newest
        XCTAssertEqual(decode(block, &d, piece: 1)?.first?.0, "set-cookie")
        block = H2.hex("c0")
        XCTAssertEqual(decode(block, &d, piece: 1)?.first?.1, "Mon, 21 Oct 2013 20:13:22 GMT")
        XCTAssertNil(decode(H2.hex("c1"), &d, piece: 1), "index past the table is an error")
        XCTAssertTrue(d.lost)
    }

    func testRingWrapsManyTimes() {
        // Thousands of insertions through a 4 KiB ring, each read back by index 62.
        var d = HPACKDecoder()
        for i in 0..<3000 {
            let name = "x-h\(i % 7)", value = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: 1 + (i * 37) % 300)
            XCTAssertEqual(decode(H2.indexed(name, value, huffman: i % 2 == 0), &d, piece: 64)?.first?.1, String(value.prefix(256)))
            let back = decode([0xbe], &d, piece: 1)
            XCTAssertEqual(back?.first?.0, name)
            XCTAssertEqual(back?.first?.1.count, min(value.count, 256))
            XCTAssertLessThanOrEqual(d.table.size, 4096)
        }
    }

    func testSizeUpdateLimits() {
        var d = HPACKDecoder()
        XCTAssertNotNil(decode(H2.integer(100, prefix: 5, first: 0x20), &d, piece: 1))
        XCTAssertEqual(d.table.maxSize, 100)
        // Larger than SETTINGS_HEADER_TABLE_SIZE allows: error, decoder lost.
        XCTAssertNil(decode(H2.integer(5000, prefix: 5, first: 0x20), &d, piece: 1))
        XCTAssertEqual(d.failure, .sizeUpdateTooLarge)
        // Allowed by SETTINGS but beyond the fixed storage (issue 18: servers answering a
        // 64 KiB SETTINGS_HEADER_TABLE_SIZE): followed while the entries fit the storage...
        var e = HPACKDecoder()
        e.settingsLimit = 65536
        XCTAssertNotNil(decode(H2.integer(8192, prefix: 5, first: 0x20), &e, piece: 1))
        XCTAssertEqual(e.table.maxSize, 8192)
        let status = H2.indexed(":status", "202")
        XCTAssertEqual(decode(status + [0xbe], &e, piece: 1)?.map { $0.1 }, ["202", "202"])
        // ...and lost, counted, once the peer's table holds more than the storage can.
        let big = (0..<3).flatMap { H2.indexed("x-filler-\($0)", String(repeating: "v", count: 1500)) }
        XCTAssertNil(decode(big, &e, piece: 1))
        XCTAssertEqual(e.failure, .tableBeyondCapacity)
    }

    func testMalformedInputsNeverCrash() {
        var rng = TestRandom(state: 7)
        for _ in 0..<3000 {
            var d = HPACKDecoder()
            let block = (0..<(1 + rng.below(40))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = decode(block, &d, piece: 1 + rng.below(8))
            XCTAssertLessThanOrEqual(d.table.size, 4096)
        }
        var d = HPACKDecoder()
        XCTAssertNil(decode([0x80], &d, piece: 1), "index 0 is an error")
        var e = HPACKDecoder()
        XCTAssertNil(decode([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], &e, piece: 1), "integer overflow")
    }
}

final class HuffmanTests: XCTestCase {
    func decode(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        let ok = bytes.withUnsafeBytes { HuffmanDecoder.decode($0) { out.append($0) } }
        return ok ? out : nil
    }

    func testEveryByteRoundTrips() {
        for b in 0...255 {
            for count in [1, 2, 3, 7] {
                let input = [UInt8](repeating: UInt8(b), count: count)
                XCTAssertEqual(decode(H2.huffmanEncode(input)), input, "byte \(b) x\(count)")
            }
        }
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(decode(H2.huffmanEncode(all)), all)
        XCTAssertEqual(decode(H2.huffmanEncode(all.reversed())), all.reversed())
    }

    func testRFCExample() {
        XCTAssertEqual(decode(H2.hex("f1e3c2e5f23a6ba0ab90f4ff")).map { String(decoding: $0, as: UTF8.self) }, "www.example.com")
    }

    func testPaddingAndEOSErrors() {
        // 'a' is 00011 (5 bits): padding with zeros instead of ones is invalid.
        XCTAssertNil(decode([0b0001_1000]))
        XCTAssertEqual(decode([0b0001_1111]), [UInt8(ascii: "a")])
        // A whole byte of padding (8 ones after a complete symbol) is too long.
        XCTAssertNil(decode([0b0001_1111, 0xff]))
        // EOS itself (30 ones) inside the string.
        XCTAssertNil(decode([0xff, 0xff, 0xff, 0xfc]))
        XCTAssertNil(decode([0xff, 0xff, 0xff, 0xff]))
        XCTAssertEqual(decode([]), [])
    }
}
