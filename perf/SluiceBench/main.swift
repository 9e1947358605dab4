// Replay benchmark: throughput per core and heap allocations per packet of the engine.
//
//   sluice-bench FILE [--config engine.yaml] [--warmup-fraction 0.1]
//   sluice-bench FILE --policy configs/policy.yaml   (adds a run through the policy stage; with --sensors,
//                                                     its workloads run the built-in sets through their bindings)
//   sluice-bench --parsers Tests/Captures/real     (per-protocol parser throughput, ParserBench.swift)
//   sluice-bench FILE --sensors [--sensor-file F]  (adds L7 + every built-in sensor (or only F's), and raw Hyperscan
//                                                     over the bytes the sensors scanned, SensorBench.swift)
//   sluice-bench --inline CONFIG --seconds N       (the live daemon for N s, counting allocations; InlineBench.swift)
//
// Two runs of one worker on one core:
//   engine  frames replayed from memory (MemoryCapture), so the figure is the pipeline's own cost;
//   replay  frames read through libpcap from the file, as `sluice replay` does.
// Allocations are counted by CAllocCounter, which interposes malloc for the whole process. The
// steady-state figure covers the packets after the warm-up fraction, up to the end of the
// input (before the final flow flush), and must be zero.
import CAllocCounter
import Codecs
import Enforce
import Engine
import L7
import PacketIO
import Policy
import Sensors
import SluiceConfig
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fixed(_ v: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int((v * scale).rounded())
    let whole = n / Int(scale), frac = String(n % Int(scale))
    return digits == 0 ? "\(whole)" : "\(whole).\(String(repeating: "0", count: digits - frac.count))\(frac)"
}

/// One packet through the worker. Kept out of line so perf/callgrind.sh can count exactly the
/// instructions of the per-packet path (its name is the toggle it collects on).
@inline(never)
func sluiceBenchPacket(_ worker: inout Worker<L7Stage>, _ p: CapturedPacket, _ link: LinkType) -> Verdict {
    worker.process(frame: p.data, wireLength: p.wireLength, timestamp: p.timestamp, linkType: link)
}

struct Options {
    var file = ""
    var config: String?
    var warmup = 0.1
    var passes = 5
    /// A whitelist policy: also run the capture from memory through the policy stage.
    var policy: String?
    /// Run the Hyperscan wrapper's scan benchmark instead.
    var hyperscan = false
    /// Folder of the recorded L7 captures: run the per-protocol parser benchmark instead.
    var parsers: String?
    /// Also run the capture with every built-in sensor set, and raw Hyperscan.
    var sensors = false
    /// With `sensors`: this sensor file instead of the built-in sets.
    var sensorFiles: [String] = []
    /// A daemon config: run the live dataplane instead, for `seconds`.
    var inline: String?
    var seconds = 10
}

func parse() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        switch a {
        case "--config": o.config = args.popFirst()
        case "--warmup-fraction": o.warmup = Double(args.popFirst() ?? "") ?? 0.1
        case "--passes": o.passes = max(1, Int(args.popFirst() ?? "") ?? 5)
        case "--parsers": o.parsers = args.popFirst()
        case "--hyperscan": o.hyperscan = true
        case "--sensors": o.sensors = true
        case "--sensor-file": if let f = args.popFirst() { o.sensorFiles.append(f) }
        case "--inline": o.inline = args.popFirst()
        case "--seconds": o.seconds = max(2, Int(args.popFirst() ?? "") ?? 10)
        case "--policy": o.policy = args.popFirst()
        case "-h", "--help":
            print("usage: sluice-bench FILE [--config engine.yaml] [--warmup-fraction 0.1] [--passes 5]"); exit(0)
        default: o.file = a
        }
    }
    if o.file.isEmpty && o.parsers == nil && !o.hyperscan && o.inline == nil { print("usage: sluice-bench FILE [--config engine.yaml]"); exit(2) }
    return o
}

let options = parse()
if options.hyperscan {
    do { try runHyperscanBench() } catch { print("sluice-bench: \(error)"); exit(1) }
    exit(0)
}
if let config = options.inline {
    do { try runInlineBench(config, seconds: options.seconds) } catch { print("sluice-bench: \(error)"); exit(1) }
    exit(0)
}
if let dir = options.parsers {
    do { try runParserBench(dir) } catch { print("sluice-bench: \(error)"); exit(1) }
    exit(0)
}
var settings = SluiceSettings()
if let c = options.config {
    do { settings = try SluiceSettings.load(path: c) } catch { print(error.description); exit(2) }
}
let devnull = open("/dev/null", O_WRONLY)

func report(_ label: String, packets: Int, bytes: UInt64, seconds: Double, steadyAllocs: UInt64, steadyPackets: Int,
            totalAllocs: UInt64, stats: EngineStats) {
    let mpps = Double(packets) / seconds / 1e6
    let gbps = Double(bytes) * 8 / seconds / 1e9
    let perPacket = steadyPackets > 0 ? Double(steadyAllocs) / Double(steadyPackets) : 0
    print("\(label): packets=\(packets) bytes=\(bytes) seconds=\(fixed(seconds, 3)) mpps=\(fixed(mpps, 3)) gbps=\(fixed(gbps, 3))"
          + " ns_per_packet=\(fixed(seconds * 1e9 / Double(max(packets, 1)), 1))"
          + " allocs_total=\(totalAllocs) allocs_steady=\(steadyAllocs) steady_packets=\(steadyPackets)"
          + " allocs_per_packet=\(fixed(perPacket, 6))"
          + " flows=\(stats.flows.created) stream_bytes_gaps=\(stats.stream.gapBytes)")
}

/// Replays `file` from memory `passes` times, each through a fresh worker around the stage
/// `makeStage` builds, and reports the median pass with the steady-state allocations.
@MainActor
func memoryPasses(_ file: String, label: String, passes: Int, warmup: Double,
                  makeStage: () throws -> L7Stage) throws -> (L7Counters, SensorCounters, Double) {
    var capture = try MemoryCapture(path: file)
    let link = capture.linkType
    let total = capture.packetCount
    // At least one packet warms up: first use of a code path may allocate once (runtime metadata).
    let warm = max(1, Int(Double(total) * warmup))
    // Each pass replays the whole capture through a fresh worker; the median pass is reported
    // (short runs on a shared machine are noisy) and allocations are summed over all passes.
    var times: [Double] = []
    var steadyAllocs: UInt64 = 0
    var totalAllocs: UInt64 = 0
    var lastStats = EngineStats()
    var counters = L7Counters()
    var sensorCounters = SensorCounters()
    for _ in 0..<passes {
        capture.rewind()
        let before = sluice_alloc_count()
        var worker = Worker(config: settings.engine, stage: try makeStage(), eveFD: devnull)
        var i = 0
        var steadyStart: UInt64 = 0
        let t0 = now()
        while let p = try capture.nextPacket() {
            if i == warm { steadyStart = sluice_alloc_count() }
            _ = sluiceBenchPacket(&worker, p, link)
            i += 1
        }
        steadyAllocs += sluice_alloc_count() - steadyStart
        worker.shutdown()
        times.append(now() - t0)
        totalAllocs += sluice_alloc_count() - before
        lastStats = worker.stats()
        counters = worker.stage.counters
        sensorCounters = worker.stage.sensors.counters
    }
    let median = times.sorted()[times.count / 2]
    report("\(label), median of \(passes))", packets: total, bytes: capture.wireBytes,
           seconds: median, steadyAllocs: steadyAllocs, steadyPackets: (total - warm) * passes,
           totalAllocs: totalAllocs, stats: lastStats)
    return (counters, sensorCounters, median)
}

// Engine: from memory.
var engineSeconds = 0.0
do {
    let capture = try MemoryCapture(path: options.file)
    print("sluice-bench: capture=\(options.file) packets=\(capture.packetCount) bytes=\(capture.wireBytes)"
          + " warmup_packets=\(max(1, Int(Double(capture.packetCount) * options.warmup)))")
    engineSeconds = try memoryPasses(options.file, label: "engine (memory, 1 worker", passes: options.passes, warmup: options.warmup) {
        L7Stage(config: settings.l7, eveFD: devnull)
    }.2
}

// Replay: through libpcap from the file.
do {
    var file = try PcapFile(path: options.file)
    let link = file.linkType
    var worker = Worker(config: settings.engine, stage: L7Stage(config: settings.l7, eveFD: devnull), eveFD: devnull)
    let before = sluice_alloc_count()
    var i = 0
    var bytes: UInt64 = 0
    var steadyStart: UInt64 = 0
    var warm = 0
    let t0 = now()
    while let p = try file.nextPacket() {
        // The packet count is unknown up front here: warm up on the first 10,000 frames.
        if i == 10_000 { steadyStart = sluice_alloc_count(); warm = i }
        _ = sluiceBenchPacket(&worker, p, link)
        bytes &+= UInt64(p.wireLength)
        i += 1
    }
    let steadyEnd = sluice_alloc_count()
    worker.shutdown()
    let t1 = now()
    report("replay (libpcap file, 1 worker)", packets: i, bytes: bytes, seconds: t1 - t0,
           steadyAllocs: warm > 0 ? steadyEnd - steadyStart : 0, steadyPackets: warm > 0 ? i - warm : 0,
           totalAllocs: sluice_alloc_count() - before, stats: worker.stats())
}

if options.sensors {
    do {
        try runSensorBench(options.file, settings: settings, files: options.sensorFiles, warmup: options.warmup, passes: options.passes,
                           devnull: devnull, withoutSensors: engineSeconds)
    } catch {
        print("sluice-bench: \(error)")
        exit(1)
    }
}

// Policy: the same capture from memory through the policy stage (L7, then the verdict).
if let path = options.policy {
    do {
        let compiled = try CompiledPolicy(PolicyDocument.load(path: path))
        var capture = try MemoryCapture(path: options.file)
        let link = capture.linkType
        let warm = max(1, Int(Double(capture.packetCount) * options.warmup))
        let before = sluice_alloc_count()
        // With --sensors the policy's workloads run the built-in sets through their bindings
        // (action, disable, mode), as the daemon does.
        let sensorSet = options.sensors
            ? try settings.compileSensors(extraFiles: options.sensorFiles, builtIns: options.sensorFiles.isEmpty) : nil
        let sensors = try sensorSet.map { try SensorEngine(set: $0, config: settings.sensors) }
        var worker = Worker(config: settings.engine,
                            stage: PolicyStage(l7: L7Stage(config: settings.l7, eveFD: devnull, sensors: sensors ?? SensorEngine()),
                                               policy: compiled, learnCapacity: 65536), eveFD: devnull)
        var i = 0
        var steadyStart: UInt64 = 0
        let t0 = now()
        while let p = try capture.nextPacket() {
            if i == warm { steadyStart = sluice_alloc_count() }
            _ = worker.process(frame: p.data, wireLength: p.wireLength, timestamp: p.timestamp, linkType: link)
            i += 1
        }
        let steady = sluice_alloc_count() - steadyStart
        worker.shutdown()
        let c = worker.stage.counters
        report(sensorSet == nil ? "policy (memory, 1 worker, L7 + policy)" : "policy (memory, 1 worker, L7 + policy + sensor bindings)", packets: i, bytes: capture.wireBytes, seconds: now() - t0,
               steadyAllocs: steady, steadyPackets: i - warm, totalAllocs: sluice_alloc_count() - before, stats: worker.stats())
        print("policy: allowed=\(c.allowed) violations=\(c.violations) denied=\(c.denied) exempt=\(c.exempt)"
              + " dropped_packets=\(c.droppedPackets)")
    } catch {
        print("sluice-bench: \(error)")
        exit(1)
    }
}
