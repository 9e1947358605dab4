import Capture
import Foundation
import XCTest

/// PcapngWriter's files against tshark, and PacketFilter against tcpdump, on a real capture.
final class PcapngWriterTests: XCTestCase {
    /// The frames of mixed.pcap that `tcp port 80` selects, written with PcapngWriter, are
    /// exactly the frames tcpdump selects with the same expression: same count, lengths and
    /// nanosecond timestamps, as tshark reads both files.
    func testFilteredFramesMatchTcpdump() throws {
        let dir = try Tools.temporaryDirectory(self)
        let out = dir + "/port80.pcapng"
        let filter = try PacketFilter("tcp port 80")
        let writer = try PcapngWriter(path: out)
        let eth = try writer.addInterface(name: "eth-test", snapLength: 262_144)
        var kept = 0
        for f in try readFrames(Tools.mixed) {
            let match = f.bytes.withUnsafeBytes { filter.matches(frame: $0, wireLength: f.wireLength) }
            guard match else { continue }
            try f.bytes.withUnsafeBytes { _ = try writer.writePacket(interface: eth, timestamp: f.timestamp, frame: $0, wireLength: f.wireLength) }
            kept += 1
        }
        try writer.close()
        XCTAssertGreaterThan(kept, 100)

        let reference = dir + "/reference.pcap"
        let td = try Tools.run("tcpdump", ["-r", Tools.mixed, "-w", reference, "tcp port 80"])
        XCTAssertEqual(td.status, 0, td.err)
        let expected = try Tools.frames(reference)
        let got = try Tools.frames(out)
        XCTAssertEqual(got.count, kept)
        XCTAssertEqual(got, expected)
        // tshark's own display filter agrees on the count too.
        XCTAssertEqual(try Tools.frames(Tools.mixed, displayFilter: "tcp.port == 80").count, kept)

        // The interface block: name and nanosecond resolution.
        let info = try Tools.run("capinfos", ["-T", "-r", "-a", "-e", out])
        XCTAssertEqual(info.status, 0, info.err)
        let ifaces = try Tools.run("tshark", ["-r", out, "-T", "fields", "-e", "frame.interface_name", "-c", "1"])
        XCTAssertEqual(ifaces.out.trimmingCharacters(in: .whitespacesAndNewlines), "eth-test")
        let details = try Tools.run("capinfos", ["-M", out])
        XCTAssertTrue(details.out.contains("nanoseconds"), details.out)
    }

    /// A snap length cuts the data but keeps the original length; two interfaces keep their names.
    func testSnapLengthAndInterfaces() throws {
        let dir = try Tools.temporaryDirectory(self)
        let out = dir + "/snap.pcapng"
        let writer = try PcapngWriter(path: out, bufferSize: 4096)
        let a = try writer.addInterface(name: "veth-a", snapLength: 96)
        let b = try writer.addInterface(name: "veth-b", snapLength: 65535)
        let frames = try readFrames(Tools.mixed)
        for (i, f) in frames.prefix(50).enumerated() {
            try f.bytes.withUnsafeBytes { _ = try writer.writePacket(interface: i % 2 == 0 ? a : b, timestamp: f.timestamp, frame: $0, wireLength: f.wireLength) }
        }
        // A frame larger than the whole write buffer goes straight to the file.
        let big = [UInt8](repeating: 0xab, count: 9000)
        try big.withUnsafeBytes { _ = try writer.writePacket(interface: b, timestamp: 1_700_000_000_123_456_789, frame: $0, wireLength: 9000) }
        try writer.close()
        let lines = try Tools.frames(out, extra: ["-e", "frame.interface_name"])
        XCTAssertEqual(lines.count, 51)
        for (i, f) in frames.prefix(50).enumerated() {
            let cols = lines[i].split(separator: " ")
            XCTAssertEqual(Int(cols[0]), f.wireLength)
            XCTAssertEqual(Int(cols[1]), i % 2 == 0 ? min(96, f.bytes.count) : f.bytes.count)
            XCTAssertEqual(String(cols[3]), i % 2 == 0 ? "veth-a" : "veth-b")
        }
        XCTAssertEqual(lines[50], "9000 9000 1700000000.123456789 veth-b")
    }

    /// A filter libpcap rejects carries libpcap's own message.
    func testBadFilterCarriesLibpcapMessage() {
        XCTAssertThrowsError(try PacketFilter("tcp port eighty")) { error in
            guard let e = error as? PacketFilterError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.expression, "tcp port eighty")
            XCTAssertTrue(e.message.contains("unknown port") || e.message.contains("eighty"), e.message)
        }
        XCTAssertThrowsError(try PacketFilter("tcp and and")) { error in
            XCTAssertTrue("\(error)".contains("syntax error"), "\(error)")
        }
    }
}
