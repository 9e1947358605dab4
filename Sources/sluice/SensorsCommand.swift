import ArgumentParser
import Engine
import Foundation
import L7
import PacketIO
import Sensors
import SluiceConfig

/// `sluice sensors ...`: list, show, check and debug DLP/WAF sensors.
struct SensorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensors", abstract: "Work with DLP and WAF sensors.",
        subcommands: [List.self, Show.self, Check.self, Test.self])

    /// Loads `name`: a built-in set's name or a sensor file's path.
    static func load(_ name: String) throws -> [Sensor] {
        do {
            return BuiltInSensors.names.contains(name) ? try SensorFile.builtIn(name) : try SensorFile.load(path: name)
        } catch {
            throw RuntimeError.rejected(error)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the built-in sensor sets and their rules.")
        @Flag(name: .long, help: "Print the sets as one JSON object.") var json = false
        func run() throws {
            if json {
                var sets: [SensorListing.Set] = []
                for name in BuiltInSensors.names { sets.append(SensorListing.Set(name: name, sensors: try SensorsCommand.load(name))) }
                print(SensorListing(sets: sets).json())
                return
            }
            for name in BuiltInSensors.names {
                for s in try SensorsCommand.load(name) {
                    print("\(s.name): \(s.rules.count) rules")
                    for r in s.rules {
                        print("  \(r.id)  \(r.context)\(r.validate == .none ? "" : " +\(r.validate)")  sev \(r.severity)  \(r.action)  \(r.name)")
                    }
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a built-in sensor set as a sensor file.")
        @Argument(help: "dlp-pii, dlp-secrets or waf-core.") var name: String
        func run() throws {
            guard let text = BuiltInSensors.yaml(named: name) else {
                throw RuntimeError(.noInput, "no built-in set \"\(name)\" (there are \(BuiltInSensors.names.joined(separator: ", ")))")
            }
            print(text)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a sensor file and compile its patterns.")
        @Argument(help: "The sensor YAML file.") var file: String
        @Flag(name: .long, help: "Print the result as one JSON object on stdout.") var json = false
        func run() throws {
            do {
                let sensors = try SensorFile.load(path: file)
                let set = try SensorSet(sensors: sensors)
                if json {
                    var r = CheckResult(file: file)
                    r.sensors = .init(sensors: sensors.count, rules: set.rules.count, origins: set.origins)
                    print(r.json())
                } else {
                    print("\(file): ok: \(sensors.count) sensors, \(set.rules.count) rules (\(set.origins.joined(separator: "; ")))")
                }
            } catch {
                try CheckResult.reject(file: file, error, json: json)
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which rules match an input, where, and after which normalization.",
            discussion: """
                --input is literal text, a file, or a capture (.pcap/.pcapng). Text and files are \
                matched in every rule's context with that context's normalization; a capture is \
                replayed with only these sensors and its alerts are listed.
                """)
        @Argument(help: "A sensor file, or a built-in set's name.") var file: String
        @Option(name: .long, help: "Text, a file path, or a capture.") var input: String
        @Flag(name: .long, help: "Also list rules that do not fire, with what each pattern found.") var all = false

        func run() throws {
            let sensors = try SensorsCommand.load(file)
            if input.hasSuffix(".pcap") || input.hasSuffix(".pcapng") {
                try replay(sensors)
                return
            }
            let bytes: [UInt8] = FileManager.default.fileExists(atPath: input)
                ? Array((try? Data(contentsOf: URL(fileURLWithPath: input))) ?? Data()) : Array(input.utf8)
            var fired = 0
            for r in SensorTester.run(sensors, input: bytes) where r.fires || all {
                if r.fires { fired += 1 }
                print("\(r.fires ? "FIRES" : "no   ") \(r.rule.id) \(r.rule.name)  [\(r.sensor), \(r.rule.context)]")
                print("      \(r.normalization)")
                print("      input: \(printable(r.normalized[...]))")
                for (k, p) in r.patterns.enumerated() {
                    if let e = p.compileError { print("      pattern \(k + 1): does not compile: \(e)"); continue }
                    if p.matches.isEmpty { print("      pattern \(k + 1) /\(p.expression)/: no match"); continue }
                    for (i, m) in p.matches.prefix(5).enumerated() {
                        var line = "      pattern \(k + 1) /\(p.expression)/: \(m.lowerBound)..<\(m.upperBound) \"\(printable(r.normalized[m]))\""
                        if i < p.validated.count { line += p.validated[i] ? " (\(r.rule.validate) ok)" : " (\(r.rule.validate) FAILS)" }
                        print(line)
                    }
                }
            }
            print("\(fired) rule\(fired == 1 ? "" : "s") fire\(fired == 1 ? "s" : "")")
        }

        /// Replays the capture with only these sensors and prints each alert.
        func replay(_ sensors: [Sensor]) throws {
            let set: SensorSet
            do { set = try SensorSet(sensors: sensors) } catch { throw RuntimeError(.invalid, "\(error)") }
            let path = NSTemporaryDirectory() + "sluice-sensors-test-\(getpid()).json"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { throw RuntimeError(.cantCreate, "\(path): \(String(cString: strerror(errno)))") }
            defer { unlink(path) }
            var source = try openCapture(input, filter: nil)
            let engine: SensorEngine
            do { engine = try SensorEngine(set: set) } catch { throw RuntimeError(.osError, "\(error)") }
            var worker = Worker(config: EngineConfig(), stage: L7Stage(eveFD: fd, sensors: engine), eveFD: -1)
            do { _ = try Replay.run(&source, through: &worker) } catch { throw RuntimeError(.dataError, error.description) }
            worker.shutdown()
            close(fd)
            var alerts = 0
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      o["event_type"] as? String == "alert", let a = o["alert"] as? [String: Any] else { continue }
                alerts += 1
                // Sluice's own `sluice` object is an item of metadata.flowvars (docs/eve.md).
                let vars = (o["metadata"] as? [String: Any])?["flowvars"] as? [[String: Any]] ?? []
                let s = vars.compactMap { $0["sluice"] as? [String: Any] }.first ?? [:]
                let where_ = "\(o["src_ip"] ?? ""):\(o["src_port"] ?? "") -> \(o["dest_ip"] ?? ""):\(o["dest_port"] ?? "")"
                print("\(a["signature_id"] ?? "") \(a["signature"] ?? "")  [\(a["category"] ?? ""), \(s["context"] ?? ""), \(o["direction"] ?? "")]")
                print("      \(o["timestamp"] ?? "") \(where_)  \(o["app_proto"] ?? "")")
                if let http = o["http"] as? [String: Any] {
                    print("      http \(http["http_method"] ?? "") \(http["hostname"] ?? "")\(http["url"] ?? "")")
                }
                print("      excerpt at \(s["excerpt_offset"] ?? ""): \(o["payload_printable"] ?? "")")
            }
            print("\(alerts) alert\(alerts == 1 ? "" : "s")")
            try reportDamage(source, input)
        }
    }
}

/// Bytes as text, non-printable ones as `.`.
func printable(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
}
