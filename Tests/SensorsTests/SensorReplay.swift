import Engine
import Foundation
import L7
import PacketIO
import Sensors
import SluiceConfig
import XCTest

/// Replays a capture through the real pipeline (libpcap, engine, L7 stage with `sensors`) and
/// returns its EVE records, parsed.
enum SensorReplay {
    struct Result {
        var records: [[String: Any]]
        var counters: SensorCounters
        var drops: UInt64
        var resets: UInt64
        var alerts: [[String: Any]] { records.filter { $0["event_type"] as? String == "alert" } }
    }

    /// Pools sized for test captures (a few hundred flows), so each replay starts fast.
    static var smallEngine: EngineConfig {
        var c = EngineConfig()
        c.flow.capacity = 1024
        c.stream.poolBytes = 8 << 20
        c.talkerCapacity = 256
        return c
    }
    static var smallL7: L7Config {
        var c = L7Config()
        c.tlsHandshakes = 64; c.dnsTCPFlows = 4; c.httpFlows = 512; c.http2Flows = 16
        c.datastoreFlows = 64; c.inflaters = 16; c.nameCache = 256
        return c
    }
    static var smallSensors: SensorConfig {
        var c = SensorConfig()
        c.rawStreams = 128
        c.bodyStreams = 64
        return c
    }

    static func run(_ path: String, sensors: [Sensor], config: SensorConfig = smallSensors) throws -> Result {
        let set = try SensorSet(sensors: sensors)
        let engine = try SensorEngine(set: set, config: config)
        let out = NSTemporaryDirectory() + "sluice-sensor-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { unlink(out) }
        var source = try PcapFile(path: path)
        var worker = Worker(config: smallEngine, stage: L7Stage(config: smallL7, eveFD: fd, sensors: engine), eveFD: fd)
        _ = try Replay.run(&source, through: &worker)
        worker.shutdown()
        close(fd)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let records = text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return Result(records: records, counters: worker.stage.sensors.counters,
                      drops: worker.stage.counters.sensorDrops, resets: worker.stage.counters.sensorResets)
    }

    /// The repository's captures folder.
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Captures").standardized

    /// Shared suricata-verify cases.
    static let suricataVerify = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/suricata-verify/tests").standardized
}

/// A regular expression matching `literal` exactly.
func regexEscaped(_ literal: String) -> String {
    var out = ""
    for c in literal {
        if "\\^$.|?*+()[]{}/".contains(c) { out.append("\\") }
        out.append(c)
    }
    return out
}
