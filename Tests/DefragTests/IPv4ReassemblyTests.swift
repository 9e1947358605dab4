import SluiceTestSupport
import XCTest
@testable import Defrag

final class IPv4ReassemblyTests: XCTestCase {
    typealias B = FragmentBuilder

    func testInOrder() {
        var d = Defragmenter(config: DefragConfig())
        let payload = B.pattern(3000)
        let frags = B.ipv4Fragments(size: 1480, payload: payload)
        XCTAssertEqual(frags.count, 3)
        XCTAssertEqual(d.feed(frags[0]), .incomplete)
        XCTAssertEqual(d.feed(frags[1]), .incomplete)
        XCTAssertEqual(d.inFlight, 1)
        XCTAssertEqual(d.feed(frags[2]), .reassembled(B.ipv4(offset: 0, more: false, payload: payload)))
        XCTAssertEqual(d.inFlight, 0)
        XCTAssertEqual(d.counters.fragments, 3)
        XCTAssertEqual(d.counters.reassembled, 1)
        XCTAssertEqual(d.counters.overlaps, 0)
        XCTAssertEqual(d.counters.dropped, 0)
    }

    func testReversed() {
        var d = Defragmenter(config: DefragConfig())
        let payload = B.pattern(1000)
        let frags = B.ipv4Fragments(size: 96, payload: payload)
        var outcomes = frags.reversed().map { d.feed($0) }
        XCTAssertEqual(outcomes.removeLast(), .reassembled(B.ipv4(offset: 0, more: false, payload: payload)))
        XCTAssertTrue(outcomes.allSatisfy { $0 == .incomplete })
        XCTAssertEqual(d.inFlight, 0)
    }

    func testShuffled() {
        var rng = SplitMix(state: 42)
        var d = Defragmenter(config: DefragConfig())
        for round in 0..<200 {
            let payload = B.pattern(Int.random(in: 1...4000, using: &rng), salt: round)
            let size = 8 * Int.random(in: 1...60, using: &rng)
            let id = UInt16(round)
            let frags = B.ipv4Fragments(id: id, size: size, payload: payload).shuffled(using: &rng)
            guard frags.count <= 64 else { continue }
            var last = Outcome.incomplete
            for (i, f) in frags.enumerated() {
                last = d.feed(f)
                if i < frags.count - 1 { XCTAssertEqual(last, .incomplete) }
            }
            XCTAssertEqual(last, .reassembled(B.ipv4(id: id, offset: 0, more: false, payload: payload)), "round \(round)")
        }
        XCTAssertEqual(d.inFlight, 0)
        XCTAssertEqual(d.counters.dropped, 0)
    }

    /// Many datagrams interleaved at once exercise the hash index (insert, find, remove with shifts).
    func testInterleavedDatagramsShareTheTable() {
        var rng = SplitMix(state: 7)
        var d = Defragmenter(config: .with { $0.maxDatagrams = 64 })
        var open: [(expected: [UInt8], rest: [[UInt8]], started: Bool)] = []
        var nextID: UInt16 = 0
        var done = 0
        while nextID < 3000 || !open.isEmpty {
            // Keep up to 48 datagrams open at once, below the table size, so nothing is evicted.
            while open.count < 48 && nextID < 3000 {
                let payload = B.pattern(Int.random(in: 9...600, using: &rng), salt: Int(nextID))
                open.append((B.ipv4(id: nextID, offset: 0, more: false, payload: payload),
                             B.ipv4Fragments(id: nextID, size: 64, payload: payload).shuffled(using: &rng), false))
                nextID += 1
            }
            let k = Int.random(in: 0..<open.count, using: &rng)
            let out = d.feed(open[k].rest.removeLast())
            open[k].started = true
            if open[k].rest.isEmpty {
                XCTAssertEqual(out, .reassembled(open[k].expected))
                open.remove(at: k)
                done += 1
            } else {
                XCTAssertEqual(out, .incomplete)
            }
            XCTAssertEqual(d.inFlight, open.filter(\.started).count)
        }
        XCTAssertEqual(done, 3000)
        XCTAssertEqual(d.inFlight, 0)
        XCTAssertEqual(d.counters.tableFull, 0)
        XCTAssertEqual(d.counters.reassembled, 3000)
    }

    func testHeaderChecksumVerifiesAndFlagsAreCleared() throws {
        var d = Defragmenter(config: DefragConfig())
        let payload = B.pattern(40)
        let options: [UInt8] = [0x01, 0x01, 0x01, 0x00]   // NOP NOP NOP EOL: a 24-byte header
        let first = B.ipv4(id: 77, ttl: 9, df: true, offset: 0, more: true, options: options, payload: Array(payload[0..<24]))
        let second = B.ipv4(id: 77, ttl: 9, df: true, offset: 24, more: false, payload: Array(payload[24...]))
        XCTAssertEqual(d.feed(second), .incomplete)
        guard case .reassembled(let out) = d.feed(first) else { return XCTFail("not reassembled") }
        XCTAssertEqual(out.count, 24 + 40)
        XCTAssertEqual(out[0], 0x46)
        XCTAssertEqual(Int(out[2]) << 8 | Int(out[3]), 64, "total length")
        XCTAssertEqual(out[6], 0x40, "DF kept, MF cleared")
        XCTAssertEqual(out[7], 0, "offset cleared")
        XCTAssertEqual(B.checksum(Array(out[0..<24])), 0, "header checksum verifies")
        XCTAssertEqual(Array(out[20..<24]), options)
        XCTAssertEqual(Array(out[24...]), payload)
        XCTAssertEqual(out, B.ipv4(id: 77, ttl: 9, df: true, offset: 0, more: false, options: options, payload: payload))
    }

    func testVLANSeparatesDatagrams() {
        var d = Defragmenter(config: DefragConfig())
        let a = B.pattern(16, salt: 1), b = B.pattern(16, salt: 2)
        XCTAssertEqual(d.feed(B.ipv4(offset: 0, more: true, payload: Array(a[0..<8])), vlan: 10), .incomplete)
        XCTAssertEqual(d.feed(B.ipv4(offset: 0, more: true, payload: Array(b[0..<8])), vlan: 20), .incomplete)
        XCTAssertEqual(d.inFlight, 2)
        XCTAssertEqual(d.feed(B.ipv4(offset: 8, more: false, payload: Array(b[8...])), vlan: 20),
                       .reassembled(B.ipv4(offset: 0, more: false, payload: b)))
        XCTAssertEqual(d.feed(B.ipv4(offset: 8, more: false, payload: Array(a[8...])), vlan: 10),
                       .reassembled(B.ipv4(offset: 0, more: false, payload: a)))
        XCTAssertEqual(d.counters.overlaps, 0)
    }

    func testProtocolIsPartOfTheKey() {
        var d = Defragmenter(config: DefragConfig())
        XCTAssertEqual(d.feed(B.ipv4(proto: 6, offset: 0, more: true, payload: B.pattern(8))), .incomplete)
        XCTAssertEqual(d.feed(B.ipv4(proto: 17, offset: 8, more: false, payload: B.pattern(8))), .incomplete)
        XCTAssertEqual(d.inFlight, 2)
    }

    /// A fragment tunnelled inside a rebuilt datagram is handed back in the returned buffer itself;
    /// the slot it lives in must not be reused while it is read, even with a one-slot table.
    func testFragmentInsideReturnedBufferIsReadSafely() {
        var d = Defragmenter(config: .with { $0.maxDatagrams = 1 })
        let innerPayload = B.pattern(48, salt: 3)
        let innerFirst = B.ipv4(src: [192, 168, 0, 1], id: 9, offset: 0, more: true, payload: Array(innerPayload[0..<24]))
        let innerSecond = B.ipv4(src: [192, 168, 0, 1], id: 9, offset: 24, more: false, payload: Array(innerPayload[24...]))
        XCTAssertEqual(d.feed(innerSecond), .incomplete)
        // The outer datagram (IP-in-IP) carries the inner first fragment; it evicts the inner
        // datagram from the one-slot table, so resend the second inner fragment afterwards.
        let outer = B.ipv4Fragments(id: 5, size: 24, payload: innerFirst, proto: 4)
        for f in outer.dropLast() { XCTAssertEqual(d.feed(f), .incomplete) }
        var rebuilt = Outcome.incomplete
        outer.last!.withUnsafeBytes { raw in
            guard case .reassembled(let buf) = d.insert(ip: raw, fragmentHeaderOffset: 0, vlan: 0, now: 0) else {
                return XCTFail("outer not reassembled")
            }
            let inner = UnsafeRawBufferPointer(rebasing: buf[20...])
            XCTAssertEqual(d.insert(ip: inner, fragmentHeaderOffset: 0, vlan: 0, now: 0).isIncomplete, true)
        }
        rebuilt = d.feed(innerSecond)
        XCTAssertEqual(rebuilt, .reassembled(B.ipv4(src: [192, 168, 0, 1], id: 9, offset: 0, more: false, payload: innerPayload)))
    }
}

extension DefragResult {
    var isIncomplete: Bool { if case .incomplete = self { return true } else { return false } }
}
