import Engine

/// What a Sluice config file sets: the engine's limits and where events go.
public struct SluiceSettings: Sendable {
    /// Flow, stream and defragmentation limits.
    public var engine = EngineConfig()
    /// Where EVE JSON goes (nil: no EVE output unless the command line asks).
    public var evePath: String?

    /// The built-in defaults.
    public init() {}

    /// Loads and validates `path`. Every error names the file, the line and the key.
    public static func load(path: String) throws(ConfigError) -> SluiceSettings {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigError(file: path, line: 0, column: 0, key: "", reason: "cannot read: \(error)")
        }
        return try parse(text, file: path)
    }

    /// Validates `text` as the contents of `file`.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> SluiceSettings {
        let top = try ConfigMap.parse(text, file: file)
        try top.allowOnly(["flow", "stream", "defrag", "eve"])
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
        if let eve = try top.map("eve") {
            try eve.allowOnly(["path"])
            s.evePath = try eve.string("path")
        }
        return s
    }
}
