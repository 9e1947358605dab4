import Engine
import Foundation
import PacketIO
import SluiceTestSupport

/// Paths of the repository's captures and of the shared peer test suite.
enum Fixtures {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let captures = repoRoot.appendingPathComponent("Tests/Captures")
    static let suricataVerify = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/suricata-verify/tests")

    /// Replays `path` through a real worker; see `TestReplay.run`.
    static func replay(_ path: String, config: EngineConfig = EngineConfig(), keepAllDatagrams: Bool = false,
                       eveFD: Int32 = -1) throws -> (stage: CollectingStage, stats: EngineStats) {
        try TestReplay.run(path, config: config, keepAllDatagrams: keepAllDatagrams, eveFD: eveFD)
    }

    /// Runs a program and returns its standard output; nil when it cannot be started.
    static func run(_ executable: String, _ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The path of a program on PATH, if installed.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
