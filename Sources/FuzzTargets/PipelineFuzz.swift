#if canImport(Glibc)
import Glibc
#endif
import Codecs
import Foundation
import Engine
import L7
import Sensors
import SluiceConfig

/// A capture's worth of frames through the replay pipeline with the built-in sensors: what
/// `sluice replay` and every live worker run. Input: one byte picking the link type (and, with
/// its high bit, a clock near its end), then
/// records of one byte of time step (milliseconds) and a length-prefixed frame. Sequences of
/// frames reach what single packets cannot: defrag across fragments, TCP reassembly across
/// segments (overlaps, gaps, window wrap), and every L7 parser fed a stream.
enum PipelineFuzz {
    /// The built-in sensors, compiled once per process (Hyperscan compile is seconds) and cached
    /// in the temporary folder: on a busy machine the compile alone can outlast libFuzzer's
    /// per-input timeout, which then blames the first input.
    nonisolated(unsafe) static let sensorSet: SensorSet? = {
        var s = SluiceSettings()
        s.sensorCacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-fuzz-hyperscan").path
        return try? s.compileSensors()
    }()
    /// EVE records are written (the writers are part of what is fuzzed) to /dev/null.
    nonisolated(unsafe) static let eveFD: Int32 = open("/dev/null", O_WRONLY)

    static var config: EngineConfig {
        // Small tables: the fuzzer builds a worker per input, and limits are hit sooner.
        var c = EngineConfig()
        c.flow.capacity = 64
        c.stream.poolBytes = 1 << 20
        c.stream.perFlowBytes = 64 << 10
        c.defrag.maxDatagrams = 16
        c.talkerCapacity = 16
        return c
    }

    static var l7Config: L7Config {
        var c = L7Config()
        c.tlsHandshakes = 8; c.dnsTCPFlows = 8; c.httpFlows = 8; c.http2Flows = 8
        c.datastoreFlows = 8; c.inflaters = 4; c.nameCache = 64
        return c
    }

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let first = input.byte()
        let link = DecodeFuzz.linkTypes[Int(first & 0x7f) % DecodeFuzz.linkTypes.count]
        let sensors = sensorSet.flatMap { try? SensorEngine(set: $0) } ?? SensorEngine()
        let stage = L7Stage(config: l7Config, eveFD: eveFD, sensors: sensors)
        var worker = Worker(config: config, stage: stage, eveFD: eveFD)
        // The high bit of the first byte starts the clock 10 s before its end (a file may say
        // anything): timeouts and expiry there must neither trap nor wrap.
        var now: UInt64 = first & 0x80 != 0 ? UInt64.max - 10_000_000_000 : 1_700_000_000_000_000_000
        while !input.isAtEnd {
            now &+= UInt64(input.byte()) &* 1_000_000
            guard let frame = input.record() else { break }
            _ = worker.process(frame: frame, wireLength: frame.count, timestamp: now, linkType: link)
        }
        worker.shutdown()
    }
}
