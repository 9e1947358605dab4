import ConfigYAML
import Engine
import L7
import PatternMatch
import Sensors

/// What a Sluice config file sets: the engine's limits and where events go.
public struct SluiceSettings: Sendable {
    /// Flow, stream and defragmentation limits.
    public var engine = EngineConfig()
    /// Application-layer parser pools and limits.
    public var l7 = L7Config()
    /// Where EVE JSON goes (nil: no EVE output unless the command line asks).
    public var evePath: String?
    /// Built-in sensor sets to load (all of them unless the file says otherwise).
    public var builtInSensors = BuiltInSensors.names
    /// Sensor files to load besides the built-ins.
    public var sensorFiles: [String] = []
    /// Sensor runtime limits.
    public var sensors = SensorConfig()
    /// Where compiled Hyperscan databases are cached (nil: compile at every start).
    public var sensorCacheDirectory: String?
    /// Time and memory one sensor database may take to compile (`sensors.compile_timeout`,
    /// `sensors.compile_memory`).
    public var sensorCompileLimits = CompileLimits()

    /// The built-in defaults.
    public init() {}

    /// Loads and validates `path`. Every error names the file, the line and the key.
    public static func load(path: String) throws(ConfigError) -> SluiceSettings {
        try parse(readConfigFile(path), file: path)
    }

    /// Validates `text` as the contents of `file`.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> SluiceSettings {
        let top = try ConfigMap.parse(text, file: file)
        try top.allowOnly(["flow", "stream", "defrag", "app_layer", "sensors", "eve", "threats"])
        var s = SluiceSettings()
        if let flow = try top.map("flow") {
            try flow.allowOnly(["capacity", "timeouts"])
            if let n = try flow.int("capacity", in: 16...(1 << 24)) { s.engine.flow.capacity = n }
            if let t = try flow.map("timeouts") {
                try t.allowOnly(["tcp_new", "tcp_established", "tcp_closed", "udp_new", "udp_established",
                                 "other_new", "other_established"])
                let day = 86400
                if let v = try t.seconds("tcp_new", in: 1...day) { s.engine.flow.timeouts.tcpNew = UInt64(v) }
                if let v = try t.seconds("tcp_established", in: 1...day) { s.engine.flow.timeouts.tcpEstablished = UInt64(v) }
                if let v = try t.seconds("tcp_closed", in: 0...day) { s.engine.flow.timeouts.tcpClosed = UInt64(v) }
                if let v = try t.seconds("udp_new", in: 1...day) { s.engine.flow.timeouts.udpNew = UInt64(v) }
                if let v = try t.seconds("udp_established", in: 1...day) { s.engine.flow.timeouts.udpEstablished = UInt64(v) }
                if let v = try t.seconds("other_new", in: 1...day) { s.engine.flow.timeouts.otherNew = UInt64(v) }
                if let v = try t.seconds("other_established", in: 1...day) { s.engine.flow.timeouts.otherEstablished = UInt64(v) }
            }
        }
        if let stream = try top.map("stream") {
            try stream.allowOnly(["reassemble", "pool", "per_flow", "chunk"])
            if let b = try stream.bool("reassemble") { s.engine.reassemble = b }
            if let n = try stream.bytes("pool", in: (64 << 10)...(16 << 30)) { s.engine.stream.poolBytes = n }
            if let n = try stream.bytes("per_flow", in: 4096...(1 << 30)) { s.engine.stream.perFlowBytes = n }
            if let n = try stream.bytes("chunk", in: 256...65536) { s.engine.stream.chunkSize = n }
            if s.engine.stream.perFlowBytes > s.engine.stream.poolBytes {
                throw stream.error("per_flow", "must not exceed stream.pool (\(s.engine.stream.poolBytes) bytes)")
            }
        }
        if let defrag = try top.map("defrag") {
            try defrag.allowOnly(["max_datagrams", "max_fragments", "timeout"])
            if let n = try defrag.int("max_datagrams", in: 1...(1 << 20)) { s.engine.defrag.maxDatagrams = n }
            if let n = try defrag.int("max_fragments", in: 2...8192) { s.engine.defrag.maxFragmentsPerDatagram = n }
            if let v = try defrag.seconds("timeout", in: 1...3600) { s.engine.defrag.timeoutNanos = UInt64(v) * 1_000_000_000 }
        }
        if let app = try top.map("app_layer") {
            try app.allowOnly(["tls_handshakes", "dns_tcp_flows", "http_flows", "http2_flows", "datastore_flows",
                               "inflaters", "name_cache", "datastore_events", "detection_datagrams", "http"])
            if let n = try app.int("tls_handshakes", in: 1...(1 << 20)) { s.l7.tlsHandshakes = n }
            if let n = try app.int("dns_tcp_flows", in: 1...(1 << 16)) { s.l7.dnsTCPFlows = n }
            if let n = try app.int("http_flows", in: 1...(1 << 20)) { s.l7.httpFlows = n }
            if let n = try app.int("http2_flows", in: 1...(1 << 20)) { s.l7.http2Flows = n }
            if let n = try app.int("datastore_flows", in: 1...(1 << 22)) { s.l7.datastoreFlows = n }
            if let n = try app.int("inflaters", in: 1...(1 << 16)) { s.l7.inflaters = n }
            if let n = try app.int("name_cache", in: 16...(1 << 24)) { s.l7.nameCache = n }
            if let b = try app.bool("datastore_events") { s.l7.datastoreEvents = b }
            if let n = try app.int("detection_datagrams", in: 0...255) { s.l7.detectionDatagrams = n }
            if let http = try app.map("http") {
                try http.allowOnly(["max_decompressed_body", "decompression_layers", "pipeline_depth"])
                if let n = try http.bytes("max_decompressed_body", in: 0...(1 << 30)) { s.l7.http.maxDecompressedBody = n }
                if let n = try http.int("decompression_layers", in: 0...3) { s.l7.http.decompressionLayers = n }
                if let n = try http.int("pipeline_depth", in: 1...8) { s.l7.http.pipelineDepth = n }
            }
        }
        if let sensors = try top.map("sensors") {
            try sensors.allowOnly(["builtin", "files", "stream_depth", "body_depth", "raw_streams", "body_streams", "cache_dir",
                                   "compile_timeout", "compile_memory"])
            if let list = sensors.value("builtin") {
                guard let items = list.sequence else { throw sensors.error("builtin", "expected a list of built-in set names") }
                var names: [String] = []
                for n in items {
                    guard let name = n.scalar?.string, BuiltInSensors.names.contains(name) else {
                        throw sensors.error("builtin", "unknown built-in set \"\(n.scalar?.string ?? "")\" (there are \(BuiltInSensors.names.joined(separator: ", ")))", at: n)
                    }
                    guard !names.contains(name) else { throw sensors.error("builtin", "\"\(name)\" is listed twice", at: n) }
                    names.append(name)
                }
                s.builtInSensors = names
            }
            if let list = sensors.value("files") {
                guard let items = list.sequence else { throw sensors.error("files", "expected a list of sensor file paths") }
                guard items.count <= SensorSet.maxSensors else {
                    throw sensors.error("files", "\(items.count) files; at most \(SensorSet.maxSensors) (a set holds \(SensorSet.maxSensors) sensors)")
                }
                for n in items {
                    guard let path = n.scalar?.string, !path.isEmpty else { throw sensors.error("files", "expected a file path", at: n) }
                    s.sensorFiles.append(path)
                }
            }
            if let n = try sensors.bytes("stream_depth", in: 0...(1 << 30)) { s.sensors.streamDepth = UInt64(n) }
            if let n = try sensors.bytes("body_depth", in: 0...(1 << 30)) { s.sensors.bodyDepth = UInt64(n) }
            if let n = try sensors.int("raw_streams", in: 1...(1 << 20)) { s.sensors.rawStreams = n }
            if let n = try sensors.int("body_streams", in: 1...(1 << 20)) { s.sensors.bodyStreams = n }
            s.sensorCacheDirectory = try sensors.string("cache_dir")
            if let v = try sensors.seconds("compile_timeout", in: 1...3600) { s.sensorCompileLimits.timeoutSeconds = Double(v) }
            if let n = try sensors.bytes("compile_memory", in: (64 << 20)...(1 << 40)) { s.sensorCompileLimits.memoryBytes = n }
        }
        if let threats = try top.map("threats") { try ThreatSettings.parse(threats, into: &s.l7.threats) }
        if let eve = try top.map("eve") {
            try eve.allowOnly(["path"])
            s.evePath = try eve.string("path")
        }
        return s
    }
}
