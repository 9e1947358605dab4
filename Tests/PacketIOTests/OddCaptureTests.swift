import Codecs
import Foundation
import PacketIO
import XCTest

/// Captures as they come from the field: cut short, stamped past 2038 and 2106, snap-length
/// cut, and pcapng with interfaces of different link types. Each is read up to what can be
/// read, with the damage named, never a trap or a refusal of the whole file.
final class OddCaptureTests: XCTestCase {
    static let mixed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures/real/mixed.pcap").path

    /// mixed.pcap's records: (seconds, microseconds, frame).
    static func records() throws -> [(UInt32, UInt32, [UInt8])] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: mixed)))
        var out: [(UInt32, UInt32, [UInt8])] = []
        var o = 24
        func u32(_ at: Int) -> UInt32 { data[at..<at + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        while o + 16 <= data.count {
            let cap = Int(u32(o + 8))
            out.append((u32(o), u32(o + 4), Array(data[(o + 16)..<(o + 16 + cap)])))
            o += 16 + cap
        }
        return out
    }

    static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    static func pcap(_ records: [(UInt32, UInt32, [UInt8])], snap: Int = .max) -> [UInt8] {
        var out = le32(0xA1B2C3D4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(262_144) + le32(1)
        for (s, u, f) in records {
            let cap = min(f.count, snap)
            out += le32(s) + le32(u) + le32(UInt32(cap)) + le32(UInt32(f.count)) + f[0..<cap]
        }
        return out
    }

    static func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "sluice-odd-\(getpid())-\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func readAll(_ path: String) throws -> (frames: [CapturedPacketCopy], damage: String?) {
        var f = try PcapFile(path: path)
        var out: [CapturedPacketCopy] = []
        while let p = try f.nextPacket() {
            out.append(CapturedPacketCopy(bytes: Array(p.data), wire: p.wireLength, ts: p.timestamp, link: f.linkType))
        }
        return (out, f.damage)
    }

    struct CapturedPacketCopy { var bytes: [UInt8]; var wire: Int; var ts: UInt64; var link: LinkType }

    func testTruncatedLastRecordYieldsEverythingBeforeIt() throws {
        let recs = try Self.records()
        var bytes = Self.pcap(recs)
        bytes.removeLast(30)
        let path = try Self.write(bytes, "cut.pcap")
        defer { unlink(path) }
        let (frames, damage) = try Self.readAll(path)
        XCTAssertEqual(frames.count, recs.count - 1)
        XCTAssertNotNil(damage)
        XCTAssertTrue(damage?.contains("truncated") ?? false, damage ?? "")
    }

    func testTimestampsPast2038And2106() throws {
        let recs = try Self.records()
        for (name, seconds) in [("2038", UInt32(1) << 31), ("2106", UInt32.max - 1)] {
            let path = try Self.write(Self.pcap(recs.map { (seconds, $0.1, $0.2) }), "\(name).pcap")
            defer { unlink(path) }
            let (frames, damage) = try Self.readAll(path)
            XCTAssertNil(damage)
            XCTAssertEqual(frames.count, recs.count)
            XCTAssertEqual(frames.first?.ts, UInt64(seconds) * 1_000_000_000 + UInt64(recs[0].1) * 1000, name)
        }
    }

    func testSnapLengthCutFramesKeepTheirWireLength() throws {
        let recs = try Self.records()
        let path = try Self.write(Self.pcap(recs, snap: 60), "snap.pcap")
        defer { unlink(path) }
        let (frames, _) = try Self.readAll(path)
        XCTAssertEqual(frames.count, recs.count)
        for (f, r) in zip(frames, recs) {
            XCTAssertEqual(f.bytes.count, min(60, r.2.count))
            XCTAssertEqual(f.wire, r.2.count)
        }
    }

    /// Two interfaces, Ethernet and raw IP (libpcap refuses such a file): frames alternate,
    /// each with its interface's link type; nanosecond resolution on the second.
    func testPcapngWithInterfacesOfDifferentLinkTypes() throws {
        let recs = try Self.records()
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
            let n = UInt32(12 + padded.count)
            return Self.le32(type) + Self.le32(n) + padded + Self.le32(n)
        }
        var out = block(0x0A0D0D0A, Self.le32(0x1A2B3C4D) + Self.le16(1) + Self.le16(0) + [UInt8](repeating: 0xFF, count: 8))
        out += block(1, Self.le16(1) + Self.le16(0) + Self.le32(0))
        // if_tsresol = 9 (nanoseconds), then the end of options.
        out += block(1, Self.le16(101) + Self.le16(0) + Self.le32(0) + Self.le16(9) + Self.le16(1) + [9, 0, 0, 0] + Self.le32(0))
        for (i, (s, u, f)) in recs.enumerated() {
            let raw = i % 2 == 1
            let frame = raw ? Array(f[14...]) : f
            let ts = raw ? UInt64(s) * 1_000_000_000 + UInt64(u) * 1000 : UInt64(s) * 1_000_000 + UInt64(u)
            out += block(6, Self.le32(raw ? 1 : 0) + Self.le32(UInt32(ts >> 32)) + Self.le32(UInt32(ts & 0xFFFF_FFFF))
                         + Self.le32(UInt32(frame.count)) + Self.le32(UInt32(frame.count)) + frame)
        }
        let path = try Self.write(out, "multi.pcapng")
        defer { unlink(path) }
        let (frames, damage) = try Self.readAll(path)
        XCTAssertNil(damage)
        XCTAssertEqual(frames.count, recs.count)
        for (i, (f, r)) in zip(frames, recs).enumerated() {
            XCTAssertEqual(f.link, i % 2 == 1 ? .rawLinktype : .ethernet)
            XCTAssertEqual(f.ts, UInt64(r.0) * 1_000_000_000 + UInt64(r.1) * 1000)
        }
        // A block length past the file's end: everything before it, then the damage named.
        let cut = try Self.write(Array(out.dropLast(40)), "cut.pcapng")
        defer { unlink(cut) }
        let (some, why) = try Self.readAll(cut)
        XCTAssertEqual(some.count, recs.count - 1)
        XCTAssertNotNil(why)
    }

    func testPcapngFromTheRepoMatchesItsPcap() throws {
        let ng = try Self.readAll(Self.mixed + "ng")
        let classic = try Self.readAll(Self.mixed)
        XCTAssertNil(ng.damage)
        XCTAssertEqual(ng.frames.map(\.bytes), classic.frames.map(\.bytes))
        XCTAssertEqual(ng.frames.map(\.ts), classic.frames.map(\.ts))
    }
}
