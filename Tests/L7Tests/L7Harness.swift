import Engine
import Foundation
import L7
import PacketIO
import XCTest

/// Replays recorded captures through a worker with the L7 stage, and asks tshark (the
/// reference dissector) about the same files.
enum L7Harness {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures/real")

    static func path(_ name: String) -> String { captures.appendingPathComponent(name).path }

    /// The EVE records of `name` replayed through the L7 stage, and the stage's counters.
    static func replay(_ name: String) throws -> (events: [[String: Any]], counters: L7Counters) {
        try replay(file: path(name))
    }

    /// The EVE records of the capture at `file` replayed through the L7 stage, and the stage's counters.
    static func replay(file: String, config: L7Config = L7Config()) throws -> (events: [[String: Any]], counters: L7Counters) {
        let name = file
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-l7-\(getpid())-\((name as NSString).lastPathComponent).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let fd = open(out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        var source = try PcapFile(path: file)
        var worker = Worker(config: EngineConfig(), stage: L7Stage(config: config, eveFD: fd), eveFD: fd)
        _ = try Replay.run(&source, through: &worker)
        worker.shutdown()
        close(fd)
        let counters = worker.stage.counters
        let text = try String(contentsOf: out, encoding: .utf8)
        let events = try text.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], String($0))
        }
        return (events, counters)
    }

    /// tshark's standard output for `args` (with `-n`).
    static func tsharkOutput(_ args: [String]) throws -> Data {
        let tool = try XCTUnwrap(["/usr/bin/tshark", "/usr/local/bin/tshark"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                 "tshark is not installed (scripts/install-deps.sh installs it)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-n"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return data
    }

    /// tshark `-T fields` rows, split at tabs.
    static func tshark(_ args: [String]) throws -> [[String]] {
        String(decoding: try tsharkOutput(args), as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// The `layers` objects of tshark's `-T json` output for packets matching `filter`.
    static func tsharkJSON(_ name: String, filter: String, extra: [String] = []) throws -> [[String: Any]] {
        let data = try tsharkOutput(["-r", path(name), "-Y", filter, "-T", "json"] + extra)
        let packets = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return packets.compactMap { ($0["_source"] as? [String: Any])?["layers"] as? [String: Any] }
    }

    /// The lines of a capture's `.expected` file (what the recording script's clients sent).
    static func expected(_ name: String) throws -> [String] {
        try String(contentsOfFile: path(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }
}
