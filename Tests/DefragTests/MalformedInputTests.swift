import SluiceTestSupport
import XCTest
@testable import Defrag

/// Hostile bytes must be counted and dropped, never trap or read outside `ip`.
final class MalformedInputTests: XCTestCase {
    typealias B = FragmentBuilder

    func testTruncatedHeadersAreInvalid() {
        var d = Defragmenter(config: DefragConfig())
        let v4 = B.ipv4(offset: 8, more: true, payload: B.pattern(16))
        for n in 0..<v4.count {
            XCTAssertEqual(d.feed(Array(v4[0..<n])), .dropped, "IPv4 cut to \(n)")
        }
        let v6 = B.ipv6(hopByHop: true, offset: 8, more: true, payload: B.pattern(16))
        for n in 0..<v6.count {
            XCTAssertEqual(d.feed(Array(v6[0..<n]), fragmentHeaderOffset: 48), .dropped, "IPv6 cut to \(n)")
        }
        XCTAssertEqual(d.counters.invalid, UInt64(v4.count + v6.count))
        XCTAssertEqual(d.inFlight, 0)
        XCTAssertEqual(d.feed(UnsafeRawBufferPointer(start: nil, count: 0)), .dropped)
    }

    func testBadIPv4Fields() {
        var d = Defragmenter(config: DefragConfig())
        let good = B.ipv4(offset: 8, more: true, payload: B.pattern(16))
        var ihlTooSmall = good; ihlTooSmall[0] = 0x44
        var ihlTooBig = good; ihlTooBig[0] = 0x4f
        var totalShort = good; totalShort[2] = 0; totalShort[3] = 20
        var totalLong = good; totalLong[3] = UInt8(good.count + 1)
        var notMultipleOf8 = good; notMultipleOf8[3] -= 1
        var version5 = good; version5[0] = 0x55
        for p in [ihlTooSmall, ihlTooBig, totalShort, totalLong, version5, Array(notMultipleOf8.dropLast())] {
            XCTAssertEqual(d.feed(p), .dropped)
        }
        XCTAssertEqual(d.counters.invalid, 6)
    }

    func testRandomBytesNeverCrash() {
        var rng = SplitMix(state: 1234)
        var d = Defragmenter(config: .with { $0.maxDatagrams = 16; $0.maxFragmentsPerDatagram = 8; $0.maxDatagramSize = 3000 })
        let templates = [B.ipv4(offset: 8, more: true, payload: B.pattern(32)),
                         B.ipv6(offset: 8, more: true, payload: B.pattern(32)),
                         B.ipv6(hopByHop: true, offset: 0, more: true, payload: B.pattern(32))]
        for i in 0..<50_000 {
            var p = templates[i % 3]
            // Flip a few bytes of a plausible packet so parsing gets deep, or use pure noise.
            if i % 10 == 0 {
                p = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    p[Int.random(in: 0..<p.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                p = Array(p.prefix(Int.random(in: 0...p.count, using: &rng)))
            }
            let fho = [0, 40, 48, Int.random(in: -100...200, using: &rng)][i % 4]
            if case .reassembled(let out) = d.feed(p, fragmentHeaderOffset: fho, now: UInt64(i)) {
                XCTAssertLessThanOrEqual(out.count, 3000)
            }
        }
        XCTAssertLessThanOrEqual(d.inFlight, 16)
        // Still works afterwards.
        let payload = B.pattern(100)
        var last = Outcome.incomplete
        for f in B.ipv4Fragments(id: 4242, size: 16, payload: payload) { last = d.feed(f, now: 50_000) }
        XCTAssertEqual(last, .reassembled(B.ipv4(id: 4242, offset: 0, more: false, payload: payload)))
    }
}

extension Defragmenter {
    mutating func feed(_ raw: UnsafeRawBufferPointer) -> Outcome {
        switch insert(ip: raw, fragmentHeaderOffset: 0, vlan: 0, now: 0) {
        case .incomplete: return .incomplete
        case .dropped: return .dropped
        case .reassembled(let b): return .reassembled(Array(b))
        }
    }
}
