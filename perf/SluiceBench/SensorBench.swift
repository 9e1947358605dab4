// Sensors: the capture from memory through the L7 stage with every built-in sensor set on,
// then raw Hyperscan over the same reassembled payload bytes with the same databases, so the
// two numbers show what the sensor runtime adds around Hyperscan itself.
import CAllocCounter
import Engine
import Flow
import L7
import PacketIO
import PatternMatch
import Sensors
import SluiceConfig
import Stream
import Codecs
#if canImport(Glibc)
import Glibc
#endif

/// Keeps every reassembled chunk (and UDP payload) of a capture, in order.
struct PayloadCollector: InspectionStage {
    var chunks: [[UInt8]] = []
    mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                         direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict {
        if flow != nil, p.ipProto == IPProto.udp, p.payloadLength > 0 {
            let s = Int(p.payloadOffset)
            chunks.append(Array(bytes[s..<(s + Int(p.payloadLength))]))
        }
        return .pass
    }
    mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason) {}
    mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) { chunks.append(Array(bytes)) }
    mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {}
}

@MainActor
func runSensorBench(_ file: String, settings: SluiceSettings, files: [String], warmup: Double, passes: Int, devnull: Int32,
                    withoutSensors: Double) throws {
    let t0 = now()
    let set = try settings.compileSensors(extraFiles: files, builtIns: files.isEmpty)!
    print("sensors: sets=\(set.sensors.map(\.name).joined(separator: ",")) rules=\(set.rules.count)"
          + " compile_or_load_seconds=\(fixed(now() - t0, 3)) databases=[\(set.origins.joined(separator: "; "))]"
          + " stream_depth=\(settings.sensors.streamDepth) body_depth=\(settings.sensors.bodyDepth)")
    let what = files.isEmpty ? "all built-in sensors" : files.joined(separator: ",")
    let (_, counters, seconds) = try memoryPasses(file, label: "sensors (memory, 1 worker, L7 + \(what)", passes: passes,
                                                  warmup: warmup) {
        L7Stage(config: settings.l7, eveFD: devnull, sensors: try SensorEngine(set: set, config: settings.sensors))
    }
    print("sensors: scans=\(counters.scans) bytes_scanned=\(counters.bytesScanned) matches=\(counters.matches)"
          + " alerts=\(counters.alerts) validation_rejected=\(counters.validationRejected)"
          + " confirm_scans=\(counters.confirmScans) redundant_matches=\(counters.redundantMatches)"
          + " depth_exceeded=\(counters.depthExceeded) scanners_exhausted=\(counters.scannersExhausted)"
          + " matches_dropped=\(counters.matchesDropped)")

    // The same rules compiled the way they were before the prefilter (start tracking in the
    // scan for every validated pattern), for the before/after figures in one run.
    let old = try settings.compileSensors(extraFiles: files, builtIns: files.isEmpty, prefilter: false)!
    let (_, oldCounters, oldSeconds) = try memoryPasses(file, label: "sensors without prefilter (memory, 1 worker, L7 + \(what)",
                                                        passes: passes, warmup: warmup) {
        L7Stage(config: settings.l7, eveFD: devnull, sensors: try SensorEngine(set: old, config: settings.sensors))
    }
    print("sensors without prefilter: matches=\(oldCounters.matches) alerts=\(oldCounters.alerts)"
          + " validation_rejected=\(oldCounters.validationRejected) (alerts \(oldCounters.alerts == counters.alerts ? "equal" : "DIFFER"))")

    // Raw Hyperscan: the very calls the sensors made (recorded in one more, untimed pass),
    // with the same databases, a callback that only stores the match, nothing around it.
    let recorder = ScanRecorder()
    do {
        var capture = try MemoryCapture(path: file)
        let link = capture.linkType
        var engine = try SensorEngine(set: set, config: settings.sensors)
        engine.record(into: recorder)
        var worker = Worker(config: settings.engine, stage: L7Stage(config: settings.l7, eveFD: devnull, sensors: engine), eveFD: devnull)
        while let p = try capture.nextPacket() { _ = sluiceBenchPacket(&worker, p, link) }
        worker.shutdown()
    }
    let bytes = Double(recorder.scannedBytes)
    let sensorSeconds = seconds - withoutSensors
    let (raw, rawMatches) = try rawHyperscan(recorder, set: set, settings: settings)
    let (rawOld, rawOldMatches) = try rawHyperscan(recorder, set: old, settings: settings)
    print("hyperscan (raw, the sensors' calls): calls=\(recorder.calls.count) bytes=\(recorder.scannedBytes)"
          + " seconds=\(fixed(raw, 3)) mb_per_s=\(fixed(bytes / raw / 1e6, 1)) matches=\(rawMatches)")
    print("hyperscan (raw, the sensors' calls, databases without prefilter): seconds=\(fixed(rawOld, 3))"
          + " mb_per_s=\(fixed(bytes / rawOld / 1e6, 1)) matches=\(rawOldMatches)")
    if getenv("SLUICE_BENCH_PATTERN_COSTS") != nil { try patternCosts(recorder, set: set, settings: settings) }
    print("scan rate: sluice sensors \(fixed(bytes / sensorSeconds / 1e6, 1)) MB/s (bytes scanned / time the sensors add over L7"
          + " alone: \(fixed(seconds, 3)) - \(fixed(withoutSensors, 3)) s), raw hyperscan \(fixed(bytes / raw / 1e6, 1)) MB/s:"
          + " \(fixed(100 * raw / sensorSeconds, 1))% of raw; without prefilter \(fixed(bytes / (oldSeconds - withoutSensors) / 1e6, 1)) MB/s;"
          + " whole pipeline with sensors \(fixed(bytes / seconds / 1e6, 1)) MB/s of scanned bytes")
}

/// Replays the recorded scan calls through `set`'s databases (block scans, and streams in
/// the same slots, reset where the engine ended them); returns seconds and matches.
func rawHyperscan(_ rec: ScanRecorder, set: SensorSet, settings: SluiceSettings) throws -> (Double, Int) {
    let dbs = [set.url, set.header, set.query, set.body, set.stream].compactMap { $0 }
    let scratch = try HyperscanScratch(for: dbs[0])
    for db in dbs.dropFirst() { try scratch.grow(for: db) }
    let h = scratch.handle
    let matches = MatchBuffer(capacity: settings.sensors.matchesPerScan)
    let body = try set.body.map { try StreamSlots(database: $0, count: settings.sensors.bodyStreams) } ?? StreamSlots()
    let stream = try set.stream.map { try StreamSlots(database: $0, count: settings.sensors.rawStreams) } ?? StreamSlots()
    defer { matches.deallocate(); body.deallocate(); stream.deallocate() }
    let url = set.url?.handle, header = set.header?.handle, query = set.query?.handle
    var found = 0
    let t0 = now()
    rec.bytes.withUnsafeBytes { all in
        for c in rec.calls {
            let b = UnsafeRawBufferPointer(rebasing: all[c.offset..<(c.offset + c.count)])
            switch c.kind {
            case .url: _ = url?.scan(b, scratch: h, into: matches)
            case .header: _ = header?.scan(b, scratch: h, into: matches)
            case .query: _ = query?.scan(b, scratch: h, into: matches)
            case .body: _ = body.scan(c.slot, b, scratch: h, into: matches)
            case .stream: _ = stream.scan(c.slot, b, scratch: h, into: matches)
            case .bodyEnd: _ = body.finish(c.slot, scratch: h, into: matches)
            case .streamEnd: _ = stream.finish(c.slot, scratch: h, into: matches)
            }
            found += matches.count
        }
    }
    return (now() - t0, found)
}

/// Each body pattern alone over the recorded body calls (SLUICE_BENCH_PATTERN_COSTS=1), then
/// the body database with and without its validated patterns: which patterns the scan time
/// goes to.
func patternCosts(_ rec: ScanRecorder, set: SensorSet, settings: SluiceSettings) throws {
    /// The recorded body calls through a stream database of `patterns` alone: seconds, matches.
    func bodyScan(_ patterns: [Pattern]) throws -> (Double, Int) {
        let db = try HyperscanDatabase.compile(patterns, mode: .stream)
        let scratch = try HyperscanScratch(for: db)
        let slots = try StreamSlots(database: db, count: settings.sensors.bodyStreams)
        let matches = MatchBuffer(capacity: settings.sensors.matchesPerScan)
        defer { slots.deallocate(); matches.deallocate() }
        var found = 0
        let t0 = now()
        rec.bytes.withUnsafeBytes { all in
            for c in rec.calls {
                if c.kind == .body {
                    _ = slots.scan(c.slot, UnsafeRawBufferPointer(rebasing: all[c.offset..<(c.offset + c.count)]), scratch: scratch.handle, into: matches)
                    found += matches.count
                } else if c.kind == .bodyEnd {
                    _ = slots.finish(c.slot, scratch: scratch.handle, into: matches)
                }
            }
        }
        return (now() - t0, found)
    }
    var costs: [(Double, String)] = []
    for (ri, rule) in set.rules.enumerated() where rule.context == .body {
        for (k, p) in rule.patterns.enumerated() {
            var flags: Pattern.Flags = rule.nocase ? [.caseless] : []
            flags.insert(k == 0 && rule.validate != .none ? [] : .singleMatch)
            let (t, found) = try bodyScan([Pattern(id: 0, expression: p, flags: flags)])
            costs.append((t, "rule \(rule.id) #\(ri) pattern \(k + 1) matches=\(found): \(p.prefix(80))"))
        }
    }
    for (t, what) in costs.sorted(by: { $0.0 > $1.0 }).prefix(15) { print("pattern cost: \(fixed(t, 3)) s \(what)") }
    func run(_ label: String, _ pats: [Pattern]) throws {
        let (t, found) = try bodyScan(pats)
        print("variant \(label): \(fixed(t, 3)) s matches=\(found)")
    }
    var plain: [Pattern] = [], validated: [Pattern] = []
    for rule in set.rules where rule.context == .body {
        for (k, p) in rule.patterns.enumerated() {
            let f: Pattern.Flags = rule.nocase ? [.caseless] : []
            if k == 0 && rule.validate != .none { validated.append(Pattern(id: UInt32(validated.count + 1000), expression: p, flags: f)) }
            else { plain.append(Pattern(id: UInt32(plain.count), expression: p, flags: f.union(.singleMatch))) }
        }
    }
    try run("all", plain + validated)
    try run("not validated", plain)
    try run("validated only", validated)
}
