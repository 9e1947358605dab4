import ArgumentParser
import DPDKIO
import Enforce
import Engine
import L7
import L7Core
import Output
import PacketIO
import Policy
import Sensors
import SluiceConfig
#if canImport(Glibc)
import Glibc
#endif

/// The `sluice` command line.
struct Sluice: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A userspace deep-packet-inspection dataplane for container traffic.",
        version: "sluice \(sluiceVersion)",
        subcommands: [ReplayCommand.self, RunCommand.self, CtlCommand.self, ControlCommand.self, ConfigCommand.self, PolicyCommand.self, SensorsCommand.self,
                      RestoreCommand.self])
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run a pcap or pcapng file through the same pipeline the live dataplane runs.")

    @Argument(help: "The capture to replay (pcap or pcapng).")
    var file: String

    @Option(name: .long, help: "Write Suricata-style EVE JSON events to this file ('-' for stdout).")
    var eve: String?

    @Option(name: .long, help: "A YAML config file (see configs/engine.yaml).")
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Write only these EVE event types, comma-separated (Suricata's eve-log `types:`), e.g. alert,http,dns.",
                                            valueName: "types"))
    var eveTypes: String?

    @Option(name: .long, help: "Only replay frames matching this tcpdump-syntax filter.")
    var filter: String?

    @Option(name: .long, help: "Apply this whitelist policy (see configs/policy.yaml): policy records, drops.")
    var policy: String?

    @Option(name: .long, help: "With --policy: also classify every flow under this policy and list the flows the two decide differently.")
    var against: String?

    @Option(name: .long, help: "Also load the sensors in this file (repeatable; see configs/sensors-example.yaml).")
    var sensors: [String] = []

    @Flag(name: .long, help: "Do not load the built-in sensor sets (dlp-pii, dlp-secrets, waf-core).")
    var noBuiltinSensors = false

    @Flag(name: .long, help: "Print the summary as one JSON object.")
    var json = false

    @Flag(name: .long, help: "Read the capture through DPDK's net_pcap driver instead of libpcap (Ethernet pcap only; EAL without hugepages or PCI; docs/dpdk.md).")
    var dpdk = false

    @Option(name: .long, help: "With --dpdk: one more EAL argument (repeatable).")
    var dpdkEal: [String] = []

    @Option(name: .long, help: "Split the flows among this many workers, one thread each (by a symmetric hash of the addresses, as the daemon's fanout does); one summary and one EVE file for all.")
    var workers: Int = 1

    /// The event types `--eve-types` may name: every record type Sluice writes.
    static let eventTypes: [String] = ["alert", "flow", "policy"]
        + AppProto.allCases.filter { $0 != .unknown && $0 != .failed && $0 != .http2 }.map { "\($0.name)" }

    /// `--eve-types` as a filter; an unknown type is a usage error naming the known ones.
    func typeFilter() throws -> EveTypeFilter? {
        guard let eveTypes else { return nil }
        let names = eveTypes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for n in names where !Self.eventTypes.contains(n) {
            throw RuntimeError(.usage, "--eve-types: unknown event type \"\(n)\" (known: \(Self.eventTypes.joined(separator: ", ")))")
        }
        return EveTypeFilter(names)
    }

    mutating func run() throws {
        var settings = SluiceSettings()
        if let config {
            do { settings = try SluiceSettings.load(path: config) } catch { throw RuntimeError.rejected(error) }
        }
        let evePath = eve ?? settings.evePath
        var fd: Int32 = -1
        if let evePath {
            fd = evePath == "-" ? 1 : open(evePath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw RuntimeError(.cantCreate, "\(evePath): \(String(cString: strerror(errno)))") }
        }
        defer { if fd > 2 { close(fd) } }
        let sensorSet: SensorSet?
        do {
            sensorSet = try settings.compileSensors(extraFiles: sensors, builtIns: !noBuiltinSensors)
        } catch {
            throw RuntimeError.rejected(error)
        }
        guard workers >= 1 && workers <= 64 else { throw RuntimeError(.usage, "--workers must be 1 to 64") }
        if workers > 1 {
            guard !dpdk, policy == nil else { throw RuntimeError(.usage, "--workers cannot be combined with --dpdk or --policy") }
            let (summary, damage) = try inspectParallel(settings: settings, fd: fd, sensorSet: sensorSet)
            show(summary, evePath: evePath)
            if let damage {
                FileHandleStderr.write("sluice: warning: \(file): \(damage); every frame before it was processed and the output is complete\n")
                throw ExitCode(ExitStatus.damagedCapture.rawValue)
            }
            return
        }
        if dpdk {
            guard filter == nil else { throw RuntimeError(.usage, "--filter cannot be combined with --dpdk") }
            var source: DPDKCaptureSource
            do { source = try DPDKCaptureSource(pcap: file, extraEAL: dpdkEal) } catch { throw RuntimeError(.unavailable, error.description) }
            show(try inspect(&source, settings: settings, fd: fd, sensorSet: sensorSet), evePath: evePath)
        } else {
            var source = try openCapture(file, filter: filter)
            show(try inspect(&source, settings: settings, fd: fd, sensorSet: sensorSet), evePath: evePath)
            try reportDamage(source, file)
        }
    }

    /// The summary goes to stderr when the EVE records take stdout.
    func show(_ summary: String, evePath: String?) {
        if evePath == "-" {
            FileHandleStderr.write(summary)
        } else {
            print(summary, terminator: "")
        }
    }

    /// Runs `source` through the pipeline (policy stage over L7 and sensors, or L7 alone);
    /// generic so libpcap and DPDK sources get the same specialised loop. Returns the summary.
    func inspect<Source: PacketSource & ~Copyable>(_ source: inout Source, settings: SluiceSettings, fd: Int32,
                                                  sensorSet: SensorSet?) throws -> String {
        let summary: String
        if let policy {
            let compiled: CompiledPolicy
            var old: CompiledPolicy?
            do {
                compiled = try CompiledPolicy(PolicyDocument.load(path: policy))
                if let against { old = try CompiledPolicy(PolicyDocument.load(path: against)) }
            } catch {
                throw RuntimeError.rejected(error)
            }
            if let sensorSet {
                for w in compiled.document.workloads {
                    let unknown = sensorSet.unknownSensors(in: w.sensors)
                    if !unknown.isEmpty {
                        throw RuntimeError(.invalid, "\(policy): workload \(w.name) names sensors that are not loaded: \(unknown.joined(separator: ", "))")
                    }
                    for b in w.bindings {
                        if let why = sensorSet.bindingProblem(sensor: b.name, disabledRules: b.disabledRules) {
                            throw RuntimeError(.invalid, "\(policy): workload \(w.name): \(why)")
                        }
                    }
                }
            }
            let l7 = L7Stage(config: settings.l7, eveFD: fd, sensors: try makeSensorEngine(sensorSet, settings))
            let stage = PolicyStage(l7: l7, policy: compiled, against: old)
            var worker = Worker(config: settings.engine, stage: stage, eveFD: fd)
            let types = try typeFilter()
            worker.eve?.eventTypes = types
            worker.stage.l7.eve?.eventTypes = types
            let start = monotonicSeconds()
            let packets: Int
            do { packets = try Replay.run(&source, through: &worker) } catch { throw RuntimeError(.dataError, error.description) }
            worker.shutdown()
            let c = worker.stage.counters
            if json {
                var report = ReplayReport(worker.stats(), source: file, packets: packets, wallSeconds: monotonicSeconds() - start,
                                          l7: worker.stage.l7)
                report.add(c, differences: worker.stage.differences, against: against)
                summary = report.json()
            } else {
                summary = Summary.render(worker.stats(), source: file, packets: packets, wallSeconds: monotonicSeconds() - start)
                    + worker.stage.l7.summaryLines()
                    + worker.stage.l7.sensorSummaryLines()
                    + worker.stage.l7.threatSummaryLines()
                    + "  policy       allowed \(c.allowed)  violations \(c.violations)  denied \(c.denied)  learned \(c.learned)"
                    + "  exempt \(c.exempt)  (packets dropped \(c.droppedPackets), resets \(c.resets))\n"
                    + (against.map { differenceLines(worker.stage.differences, against: $0) } ?? "")
            }
        } else {
            let l7 = L7Stage(config: settings.l7, eveFD: fd, sensors: try makeSensorEngine(sensorSet, settings))
            var worker = Worker(config: settings.engine, stage: l7, eveFD: fd)
            let types = try typeFilter()
            worker.eve?.eventTypes = types
            worker.stage.eve?.eventTypes = types
            let start = monotonicSeconds(), cpu0 = threadCPUSeconds()
            let packets: Int
            do { packets = try Replay.run(&source, through: &worker) } catch { throw RuntimeError(.dataError, error.description) }
            worker.shutdown()
            var report = ReplayReport(worker.stats(), source: file, packets: packets, wallSeconds: monotonicSeconds() - start,
                                      l7: worker.stage)
            report.workerCPUSeconds = [threadCPUSeconds() - cpu0]
            summary = json
                ? report.json()
                : Summary.render(worker.stats(), source: file, packets: packets, wallSeconds: monotonicSeconds() - start)
                    + worker.stage.summaryLines()
                    + worker.stage.sensorSummaryLines()
                    + worker.stage.threatSummaryLines()
        }
        return summary
    }
}

/// Warns about a capture damaged part-way and exits with ``ExitStatus/damagedCapture``: the
/// output is complete for every frame before the damage (as tshark and Suricata read such
/// files), and the distinct status lets a script tell a cut capture from a clean one.
func reportDamage(_ source: borrowing PcapFile, _ file: String) throws {
    guard let damage = source.damage else { return }
    FileHandleStderr.write("sluice: warning: \(file): \(damage); every frame before it was processed and the output is complete\n")
    throw ExitCode(ExitStatus.damagedCapture.rawValue)
}

/// A worker's sensor runtime for `set` (one without sensors when there is none).
func makeSensorEngine(_ set: SensorSet?, _ settings: SluiceSettings) throws -> SensorEngine {
    guard let set else { return SensorEngine() }
    do { return try SensorEngine(set: set, config: settings.sensors) } catch { throw RuntimeError(.osError, "sensors: \(error)") }
}

/// The flows `--against` found decided differently, one line each (the first 100).
func differenceLines(_ d: borrowing PolicyDifferences, against: String) -> String {
    let all = d.all
    var out = "  against \(against): \(all.count + Int(d.overflow)) flows decided differently (new / old)\n"
    for e in all.prefix(100) {
        let ports = e.proto == 6 || e.proto == 17 ? ":\(e.clientPort) -> \(e.server):\(e.serverPort)" : " -> \(e.server)"
        let proto = [1: "ICMP", 6: "TCP", 17: "UDP", 58: "IPv6-ICMP"][Int(e.proto)] ?? "proto \(e.proto)"
        out += "    \(proto) \(e.client)\(ports)  \(e.new) / \(e.old)\n"
    }
    if all.count > 100 { out += "    ... \(all.count - 100) more\n" }
    return out
}

/// Opens a capture for replay: a file that is missing or unreadable is ``ExitStatus/noInput``;
/// one that is not a capture, or a filter that does not compile, ``ExitStatus/dataError``.
func openCapture(_ path: String, filter: String?) throws -> PcapFile {
    var source: PcapFile
    do {
        source = try PcapFile(path: path)
    } catch {
        // PcapFile says why in its message; whether the file could be read decides the status.
        throw RuntimeError(access(path, R_OK) == 0 ? .dataError : .noInput, error.description)
    }
    if let filter {
        do { try source.setFilter(filter) } catch { throw RuntimeError(.dataError, error.description) }
    }
    return source
}

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with config files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a config file without running anything.")
        @Argument(help: "The YAML file to check.") var file: String
        @Flag(name: .long, help: "Print the result as one JSON object on stdout.") var json = false
        func run() throws {
            do {
                _ = try SluiceSettings.load(path: file)
                print(json ? CheckResult(file: file).json() : "\(file): ok")
            } catch {
                try CheckResult.reject(file: file, error, json: json)
            }
        }
    }
}

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Work with whitelist policies.", subcommands: [Check.self, Learn.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy and compile its classifier without applying it.")
        @Argument(help: "The policy YAML file (see configs/policy.yaml).") var file: String
        @Flag(name: .long, help: "Print the result as one JSON object on stdout.") var json = false
        func run() throws {
            let document: PolicyDocument
            do {
                document = try PolicyDocument.load(path: file)
            } catch {
                try CheckResult.reject(file: file, error, json: json)
            }
            let compiled = CompiledPolicy(document)
            let cidrs = document.groups.reduce(0) { $0 + $1.cidrs.count }
            let fqdns = document.groups.reduce(0) { $0 + $1.fqdns.count }
            if json {
                var r = CheckResult(file: file)
                r.policy = .init(mode: document.mode.name, default: document.defaultAction.name, groups: document.groups.count,
                                 cidrs: cidrs, fqdnPatterns: fqdns, workloads: document.workloads.count, rules: compiled.ruleCount)
                print(r.json())
                return
            }
            print("\(file): ok: mode \(document.mode.name), default \(document.defaultAction.name), "
                  + "\(document.groups.count) groups (\(cidrs) CIDRs, \(fqdns) FQDN patterns), "
                  + "\(document.workloads.count) workloads, \(compiled.ruleCount) rules")
        }
    }
}

extension PolicyCommand {
    struct Learn: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a capture in discover mode and print a policy allowing exactly what it saw.")
        @Argument(help: "The capture to learn from (pcap or pcapng).") var file: String
        @Option(name: .long, help: "A policy whose CIDR groups the learned rules should use.") var groups: String?
        @Option(name: .long, help: "The mode the learned policy sets: discover, monitor or protect.") var mode = "protect"
        @Option(name: .long, help: "A YAML config file (see configs/engine.yaml).") var config: String?

        func run() throws {
            var settings = SluiceSettings()
            if let config {
                do { settings = try SluiceSettings.load(path: config) } catch { throw RuntimeError.rejected(error) }
            }
            guard let mode = PolicyMode(name: mode) else { throw ValidationError("unknown mode \"\(mode)\"") }
            var known: [PolicyGroup] = []
            if let groups {
                do { known = try PolicyDocument.load(path: groups).groups } catch { throw RuntimeError.rejected(error) }
            }
            var source = try openCapture(file, filter: nil)
            var worker = Worker(config: settings.engine, stage: LearningStage(l7: L7Stage(config: settings.l7)), eveFD: -1)
            do { _ = try Replay.run(&source, through: &worker) } catch { throw RuntimeError(.dataError, error.description) }
            worker.shutdown()
            print(LearnedPolicy.yaml(worker.stage.learned, groups: known, mode: mode), terminator: "")
            try reportDamage(source, file)
        }
    }
}

enum FileHandleStderr {
    static func write(_ s: String) {
        var s = s
        s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

runSluice()
