#if os(Linux)
import Foundation
import Glibc
import XCTest

/// The built `sluice` binary: `<package root>/.build/debug/sluice` (or `$SLUICE_BIN`).
enum SluiceBinary {
    static let path: String = {
        if let p = ProcessInfo.processInfo.environment["SLUICE_BIN"] { return p }
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/sluice").path
    }()

    /// The path; skips when the binary is missing or has no `run` command.
    static func require() throws -> String {
        guard usable else { throw XCTSkip("\(path) missing or without a `run` command: swift build --product sluice") }
        return path
    }

    /// Checked once per test process.
    private static let usable: Bool = FileManager.default.isExecutableFile(atPath: path) && sh("'\(path)' run --help").status == 0
}

/// `sluice run --config FILE` in the middle namespace of a `Bed`.
final class Daemon {
    let bed: Bed
    let process: Background
    let config: String
    let eve: String
    private(set) var exitStatus: Int32?

    /// Writes the config (interfaces given as YAML flow mappings, the policy and sensor files
    /// already in `bed.dir`), starts Sluice (`runOptions` added to its command line) and
    /// waits for `ready` on stderr.
    init(_ bed: Bed, interfaces: [String], policy: String? = "policy.yaml", sensorFiles: [String] = [],
         sensors: [String] = ["dlp-pii", "dlp-secrets", "waf-core"], workers: Int = 2, extra: String = "",
         logName: String = "sluice", failMode: String = "open", runOptions: String = "", io: String = "af_packet") throws {
        self.bed = bed
        let binary = try SluiceBinary.require()
        eve = "\(bed.dir)/eve.json"
        var yaml = "io: \(io)\nworkers: \(workers)\ninterfaces:\n"
        for i in interfaces { yaml += "  - \(i)\n" }
        if let policy { yaml += "policy: \(policy)\n" }
        yaml += "sensors: [\(sensors.joined(separator: ", "))]\n"
        if !sensorFiles.isEmpty { yaml += "sensor_files: [\(sensorFiles.joined(separator: ", "))]\n" }
        yaml += "eve: eve.json\nfail: \(failMode)\n" + extra
        config = try bed.write("sluice.yaml", yaml)
        process = try bed.start(bed.middle, logName, "'\(binary)' run --config '\(config)' \(runOptions)")
        guard process.wait(for: "ready", seconds: 60) else {
            process.stop(SIGKILL)
            throw BedError("sluice run did not print `ready`:\n\(process.text)")
        }
    }

    /// Sluice's stderr so far.
    var log: String { process.text }

    /// SIGHUP; waits for a new line containing `reloaded` or `reload rejected:`; returns that line.
    func reload(seconds: Double = 10) -> String? {
        let before = log.components(separatedBy: "\n").count
        kill(process.pid, SIGHUP)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let lines = log.components(separatedBy: "\n").dropFirst(before - 1)
            if let l = lines.first(where: { $0.contains("reloaded") || $0.contains("reload rejected:") }) { return l }
            usleep(50_000)
        }
        return nil
    }

    /// SIGTERM and wait; the exit status (nil when it did not exit by itself within `seconds`).
    @discardableResult
    func stop(seconds: Double = 10) -> Int32? {
        if exitStatus == nil { exitStatus = process.stop(SIGTERM, seconds: seconds) }
        return exitStatus
    }

    /// The EVE records written so far, each a JSON object.
    func records() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: eve, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Records of one `event_type`.
    func records(_ type: String) -> [[String: Any]] { records().filter { $0["event_type"] as? String == type } }
}

/// `record["a"]["b"]...` as a string (numbers too), or nil.
func field(_ record: [String: Any], _ path: String...) -> String? {
    var node: Any? = record
    for key in path { node = (node as? [String: Any])?[key] }
    switch node {
    case let s as String: return s
    case let n as NSNumber: return n.stringValue
    default: return nil
    }
}

/// A field of Sluice's own object `object` (an item of the record's `metadata.flowvars`,
/// docs/eve.md), as a string, or nil.
func sluiceField(_ record: [String: Any], _ object: String, _ key: String) -> String? {
    let items = (record["metadata"] as? [String: Any])?["flowvars"] as? [[String: Any]] ?? []
    guard let o = items.lazy.compactMap({ $0[object] as? [String: Any] }).first else { return nil }
    return field(o, key)
}

/// The protect policy most tests use: clients may reach the server's HTTP (tcp/80), DNS (udp
/// and tcp/53) and TLS (tcp/443, to `tlsTo`: the server's group `web`, or `example`, the names
/// `*.example.test`); ICMP (neighbour discovery) anywhere; everything else is denied by
/// default. `extraRules` are added as given.
func protectPolicy(mode: String = "protect", sensors: [String] = ["waf-core"], httpPort: Int? = 80,
                   tlsTo: String = "web", extraRules: [String] = []) -> String {
    var rules = [
        "{ id: 20, from: clients, to: web, ports: [udp/53, tcp/53], apps: [dns], action: allow }",
        "{ id: 30, from: clients, to: \(tlsTo), ports: [tcp/443], apps: [tls], action: allow }",
        "{ id: 40, from: any, to: any, ports: [icmp], action: allow }",
    ] + extraRules
    if let httpPort { rules.insert("{ id: 10, from: clients, to: web, ports: [tcp/\(httpPort)], apps: [http], action: allow }", at: 0) }
    return """
    version: 1
    mode: \(mode)
    default: deny
    groups:
      clients: { cidrs: [10.98.0.1/32, "fd98::1/128"] }
      web:     { cidrs: [10.98.0.2/32, "fd98::2/128"] }
      example: { fqdns: ["*.example.test", "example.test"] }
    workloads:
      web: { group: web, mode: \(mode), sensors: [\(sensors.joined(separator: ", "))] }
    rules:

    """ + rules.map { "  - \($0)\n" }.joined()
}

/// The inline interface entry for the bed's middle namespace.
let inlinePair = "{ name: web, mode: inline, pair: [ma, mb], workload: web }"
#endif
