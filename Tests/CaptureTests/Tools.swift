import Foundation
import PacketIO
import XCTest

/// The real tools the tests compare against, and the repository's recorded captures.
enum Tools {
    /// `Tests/Captures/real`.
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures/real")

    /// `mixed.pcap`: HTTP, DNS, TLS and more, recorded from real clients and servers.
    static var mixed: String { captures.appendingPathComponent("mixed.pcap").path }

    /// Runs `tool` with `arguments`; returns its standard output, or skips the test when the
    /// tool is not installed.
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        guard let path = ["/usr/bin/\(tool)", "/usr/sbin/\(tool)", "/usr/local/bin/\(tool)"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("\(tool) is not installed")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// `tshark -r FILE [-Y FILTER] -T fields -e frame.len -e frame.cap_len -e frame.time_epoch`:
    /// one "len caplen seconds.nanoseconds" line per frame.
    static func frames(_ file: String, displayFilter: String? = nil, extra: [String] = []) throws -> [String] {
        var args = ["-r", file]
        if let f = displayFilter { args += ["-Y", f] }
        args += ["-T", "fields", "-E", "separator= ", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch"] + extra
        let r = try run("tshark", args)
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.split(separator: "\n").map(String.init)
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}

/// One frame of a capture file, copied out of libpcap's buffer.
struct Frame {
    var bytes: [UInt8]
    var wireLength: Int
    var timestamp: UInt64
}

/// Every frame of the capture at `path`, read through PacketIO's libpcap reader.
func readFrames(_ path: String) throws -> [Frame] {
    var file = try PcapFile(path: path)
    var out: [Frame] = []
    while let p = try file.nextPacket() {
        out.append(Frame(bytes: Array(p.data), wireLength: p.wireLength, timestamp: p.timestamp))
    }
    return out
}
