import DNS
import XCTest

final class DNSTCPReassemblyTests: XCTestCase {
    private func framed(_ m: [UInt8]) -> [UInt8] { [UInt8(m.count >> 8), UInt8(m.count & 0xff)] + m }

    private func query(_ name: String, id: UInt16) -> [UInt8] {
        var b = MessageBuilder(id: id)
        b.question(name)
        return b.bytes
    }

    /// Feeds `chunks` and returns the messages delivered and the state after.
    private func run(_ chunks: [[UInt8]], storage: Int = 65535) -> ([[UInt8]], UInt64, UInt64) {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: storage, alignment: 1)
        defer { buf.deallocate() }
        var r = DNSTCPReassembly(storage: buf)
        var out: [[UInt8]] = []
        for c in chunks { c.withUnsafeBytes { r.feed($0) { out.append(Array($0)) } } }
        return (out, r.messages, r.oversized)
    }

    func testMessageSplitAcrossThreeChunks() throws {
        let m = query("split.example.com", id: 1)
        let f = framed(m)
        // Split inside the length prefix and inside the name.
        let (out, count, _) = run([Array(f[0..<1]), Array(f[1..<10]), Array(f[10...])])
        XCTAssertEqual(out, [m])
        XCTAssertEqual(count, 1)
        XCTAssertEqual(parseError(out[0]), nil)
        XCTAssertEqual(eveDNS(out[0])?["rrname"] as? String, "split.example.com")
    }

    func testTwoMessagesInOneChunk() {
        let a = query("a.test", id: 1), b = query("b.test", id: 2)
        let (out, count, _) = run([framed(a) + framed(b)])
        XCTAssertEqual(out, [a, b])
        XCTAssertEqual(count, 2)
    }

    func testByteAtATimeAndMixedBoundaries() {
        let a = query("a.test", id: 1), b = query("bb.test", id: 2), c = query("ccc.test", id: 3)
        let stream = framed(a) + framed(b) + framed(c)
        let (out1, _, _) = run(stream.map { [$0] })
        XCTAssertEqual(out1, [a, b, c])
        let cut = framed(a).count + 5
        let (out2, _, _) = run([Array(stream[..<cut]), Array(stream[cut...])])
        XCTAssertEqual(out2, [a, b, c])
    }

    func testOversizedMessageIsSkipped() {
        let big = [UInt8](repeating: 0xab, count: 300)
        let small = query("after.test", id: 9)
        let stream = framed(big) + framed(small)
        let (out, count, skipped) = run([Array(stream[..<100]), Array(stream[100...])], storage: 128)
        XCTAssertEqual(out, [small])
        XCTAssertEqual(count, 1)
        XCTAssertEqual(skipped, 1)
    }

    func testZeroLengthFrameIsIgnored() {
        let a = query("a.test", id: 1)
        let (out, _, _) = run([[0, 0] + framed(a)])
        XCTAssertEqual(out, [a])
    }
}

extension DNSTCPReassemblyTests {
    /// Feeds chunks, where a chunk `[-n]` is encoded as `nil` + length: a gap of n bytes.
    private func runWithGaps(_ steps: [([UInt8]?, Int)]) -> ([[UInt8]], UInt64) {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 65535, alignment: 1)
        defer { buf.deallocate() }
        var r = DNSTCPReassembly(storage: buf)
        var out: [[UInt8]] = []
        for (chunk, gap) in steps {
            if let chunk { chunk.withUnsafeBytes { r.feed($0) { out.append(Array($0)) } } } else { r.gap(gap) }
        }
        return (out, r.lostToGaps)
    }

    func testGapInsideAMessageCostsThatMessageOnly() {
        let a = query("a.test", id: 1), b = query("bb.test", id: 2), c = query("ccc.test", id: 3)
        let fb = framed(b)
        // The hole covers bytes 4..<9 of b; the rest of b arrives, then c.
        let (out, lost) = runWithGaps([(framed(a) + Array(fb[..<4]), 0), (nil, 5), (Array(fb[9...]) + framed(c), 0)])
        XCTAssertEqual(out, [a, c])
        XCTAssertEqual(lost, 1)
    }

    func testGapPastAMessageResynchronisesAtTheNextPlausibleMessage() {
        let a = query("a.test", id: 1), b = query("bb.test", id: 2), c = query("ccc.test", id: 3)
        let fb = framed(b)
        // The hole swallows the end of b and more: the next chunk starts mid-way through
        // garbage, then c follows whole.
        let (out, lost) = runWithGaps([(framed(a) + Array(fb[..<4]), 0), (nil, 500),
                                       ([0x41, 0x42, 0x00, 0x07, 0x99] + framed(c), 0), (framed(a), 0)])
        XCTAssertEqual(out, [a, c, a])
        XCTAssertEqual(lost, 1)
        // A hole at a message boundary: the next message starts the next chunk.
        let (out2, _) = runWithGaps([(framed(a), 0), (nil, fb.count), (framed(c), 0)])
        XCTAssertEqual(out2, [a, c])
    }
}
