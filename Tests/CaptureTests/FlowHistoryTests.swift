import Capture
import Foundation
import XCTest

/// The 5-tuple of an IPv4 TCP or UDP frame as a direction-free id (both directions the same), nil otherwise.
func flowID(_ b: [UInt8]) -> UInt64? {
    guard b.count >= 34, b[12] == 0x08, b[13] == 0x00 else { return nil }
    let ihl = Int(b[14] & 0x0f) * 4
    let proto = b[23]
    guard proto == 6 || proto == 17, b.count >= 14 + ihl + 4 else { return nil }
    let src = b[26..<30].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, dst = b[30..<34].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    let sp = UInt64(b[14 + ihl]) << 8 | UInt64(b[15 + ihl]), dp = UInt64(b[16 + ihl]) << 8 | UInt64(b[17 + ihl])
    let a = src << 16 | sp, c = dst << 16 | dp
    return (min(a, c) &* 0x9E37_79B9_7F4A_7C15) ^ max(a, c) ^ UInt64(proto) << 56
}

/// Capture on alert: a flow's earlier frames from the history, then its next N, read back by tshark.
final class FlowHistoryTests: XCTestCase {
    /// The flow with most frames in mixed.pcap, and the frames with their flow ids.
    func busiestFlow() throws -> (frames: [(Frame, UInt64)], flow: UInt64) {
        let frames = try readFrames(Tools.mixed).compactMap { f in flowID(f.bytes).map { (f, $0) } }
        var counts: [UInt64: Int] = [:]
        for (_, id) in frames { counts[id, default: 0] += 1 }
        return (frames, counts.max { $0.value < $1.value }!.key)
    }

    func run(capacity: Int, alertAt: Int, next: Int, dir: String) throws -> (result: FlowHistory.SaveResult, flowBefore: [Frame], flowAfter: [Frame], history: FlowHistory) {
        let (frames, flow) = try busiestFlow()
        let history = FlowHistory(capacity: capacity, interfaceNames: ["web"])
        var result: FlowHistory.SaveResult?
        for (i, (f, id)) in frames.enumerated() {
            if i == alertAt { result = try history.saveFlow(flowID: flow, next: next, to: dir + "/alert.pcapng") }
            f.bytes.withUnsafeBytes { history.offer(frame: $0, wireLength: f.wireLength, timestamp: f.timestamp, iface: 0, flowID: id) }
        }
        let before = frames[..<alertAt].filter { $0.1 == flow }.map(\.0)
        let after = frames[alertAt...].filter { $0.1 == flow }.map(\.0)
        return (result!, before, after, history)
    }

    /// With a history larger than the capture, every earlier frame of the flow is saved, then
    /// exactly the next N; tshark reads the file with the frames' lengths and timestamps.
    func testSavesEarlierFramesAndNextN() throws {
        let dir = try Tools.temporaryDirectory(self)
        let r = try run(capacity: 4 << 20, alertAt: 200, next: 5, dir: dir)
        XCTAssertGreaterThan(r.flowBefore.count, 5)
        XCTAssertEqual(r.result.earlierFrames, r.flowBefore.count)
        XCTAssertEqual(r.history.armedCount, 0) // closed after the fifth
        let got = try Tools.frames(r.result.path)
        let want = (r.flowBefore + r.flowAfter.prefix(5)).map { f in
            "\(f.wireLength) \(f.bytes.count) \(f.timestamp / 1_000_000_000).\(String(format: "%09llu", f.timestamp % 1_000_000_000))"
        }
        XCTAssertEqual(got, want)
    }

    /// A small history keeps only the most recent frames: the save holds the latest of the
    /// flow's earlier frames, in order.
    func testSmallRingKeepsTheMostRecentFrames() throws {
        let dir = try Tools.temporaryDirectory(self)
        let r = try run(capacity: 16 * 1024 + 2 * (32 + 65_535 + 8), alertAt: 300, next: 0, dir: dir)
        XCTAssertGreaterThan(r.result.earlierFrames, 0)
        XCTAssertLessThan(r.result.earlierFrames, r.flowBefore.count)
        XCTAssertLessThan(r.history.frameCount, 300)
        let got = try Tools.frames(r.result.path).map { Int($0.split(separator: " ")[0])! }
        XCTAssertEqual(got, r.flowBefore.suffix(r.result.earlierFrames).map(\.wireLength))
    }
}
