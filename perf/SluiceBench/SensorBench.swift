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
func runSensorBench(_ file: String, settings: SluiceSettings, warmup: Double, passes: Int, devnull: Int32) throws {
    let t0 = now()
    let set = try settings.compileSensors()!
    print("sensors: sets=\(set.sensors.map(\.name).joined(separator: ",")) rules=\(set.rules.count)"
          + " compile_or_load_seconds=\(fixed(now() - t0, 3)) databases=[\(set.origins.joined(separator: "; "))]"
          + " stream_depth=\(settings.sensors.streamDepth) body_depth=\(settings.sensors.bodyDepth)")
    let (_, counters) = try memoryPasses(file, label: "sensors (memory, 1 worker, L7 + all built-in sensors", passes: passes,
                         warmup: warmup) {
        L7Stage(config: settings.l7, eveFD: devnull, sensors: try SensorEngine(set: set, config: settings.sensors))
    }
    print("sensors: scans=\(counters.scans) bytes_scanned=\(counters.bytesScanned) matches=\(counters.matches)"
          + " alerts=\(counters.alerts) validation_rejected=\(counters.validationRejected)"
          + " depth_exceeded=\(counters.depthExceeded) scanners_exhausted=\(counters.scannersExhausted)")

    // Raw Hyperscan: the same databases over the same reassembled payload bytes.
    var capture = try MemoryCapture(path: file)
    let link = capture.linkType
    var collector = Worker(config: settings.engine, stage: PayloadCollector(), eveFD: -1)
    while let p = try capture.nextPacket() {
        _ = collector.process(frame: p.data, wireLength: p.wireLength, timestamp: p.timestamp, linkType: link)
    }
    collector.shutdown()
    let chunks = collector.stage.chunks
    let payloadBytes = chunks.reduce(0) { $0 + $1.count }
    let matches = MatchBuffer(capacity: settings.sensors.matchesPerScan)
    defer { matches.deallocate() }
    for (name, db) in [("url", set.url), ("header", set.header), ("body", set.body), ("stream", set.stream)] {
        guard let db else { continue }
        let scratch = try HyperscanScratch(for: db)
        let h = scratch.handle, dh = db.handle
        let slots = db.mode == .stream ? try StreamSlots(database: db, count: 1) : StreamSlots()
        defer { slots.deallocate() }
        let slot = db.mode == .stream ? slots.borrow() : -1
        var found = 0
        let t2 = now()
        for c in chunks {
            c.withUnsafeBytes { b in
                if slot >= 0 { _ = slots.scan(slot, b, scratch: h, into: matches) } else { _ = dh.scan(b, scratch: h, into: matches) }
            }
            found += matches.count
        }
        let seconds = now() - t2
        print("hyperscan \(name) (\(db.mode), same payload bytes): bytes=\(payloadBytes) chunks=\(chunks.count)"
              + " seconds=\(fixed(seconds, 3)) gbps=\(fixed(Double(payloadBytes) * 8 / seconds / 1e9, 2)) matches=\(found)")
    }
}
