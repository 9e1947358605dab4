import ClusterControl
import Foundation
import Logging
import Sensors
import ConfigYAML

/// One interface the daemon attaches to.
public struct InterfaceSpec: Sendable, Equatable {
    /// How frames are handled.
    public enum Mode: String, Sendable { case inline, tap }
    /// The name events and statistics use.
    public var name: String
    /// Inline (bridge `pair`) or tap (inspect copies from `interface`).
    public var mode: Mode
    /// Inline: the two interfaces bridged (sidecar: host-side and pod-side veth).
    public var pair: [String] = []
    /// Tap: the interface inspected.
    public var interface: String = ""
    /// The policy workload behind this interface, if any.
    public var workload: String?
}

/// How many policy violate/deny EVE records a flood may write: per rule and source address,
/// and per worker, in each window; over that they are counted into aggregate records.
public struct EveLimit: Sendable, Equatable {
    /// Records per rule and source per window (0: no limit).
    public var perSource: UInt32 = 20
    /// Records per worker per window, whatever the sources.
    public var perWorker: UInt32 = 2000
    /// The window.
    public var windowNanos: UInt64 = 1_000_000_000
    /// The defaults.
    public init() {}
}

/// What `sluice run --config FILE` reads (docs/daemon.md, configs/sidecar.yaml,
/// configs/node.yaml). Relative paths are resolved against the file's folder.
public struct DaemonConfig: Sendable {
    /// Packet I/O backend: `af_packet` or `dpdk` (`pcap` is named but not served by the daemon).
    public var io = "af_packet"
    /// `io: dpdk`'s EAL arguments, pool and ring sizes.
    public var dpdk = DPDKDaemonSettings()
    /// Worker threads; each interface is fanned out over all of them.
    public var workers = 1
    /// Interfaces to attach to.
    public var interfaces: [InterfaceSpec] = []
    /// The whitelist policy; none means discover mode (allow and learn).
    public var policyPath: String?
    /// Built-in sensor sets to run.
    public var sensors = ["dlp-pii", "dlp-secrets", "waf-core"]
    /// Sensor files to load besides them.
    public var sensorFiles: [String] = []
    /// Where EVE JSON goes.
    public var evePath: String?
    /// The bound on repeated violate/deny records (`eve_limit: { per_source, per_worker, window_ms }`).
    public var eveLimit = EveLimit()
    /// Fail open (forward uninspected) or closed (drop) when workers fall behind.
    public var failOpen = true
    /// How late (ms after the kernel received it) a frame may be before the fail mode applies.
    public var failAfterMs = 200
    /// CPUs the workers are pinned to, worker i on `cpuAffinity[i % count]`; nil leaves them
    /// to the scheduler. Off by default, as in Suricata: a worker pinned to a CPU that another
    /// busy process also uses waits for the scheduler tick (4 ms) before it may run, which was
    /// the inline p99 latency on a shared node; pin on dedicated (isolated) cores.
    public var cpuAffinity: [Int]?
    /// Microseconds a worker keeps polling its rings after the last frame before it sleeps
    /// in poll() (0, the default: sleep at once). Off by default by measurement: on a 2-core
    /// node it took CPU from the endpoints (iperf3 through one worker 10.4 against 14.7 Gbit/s
    /// without it) and did not lower the RTT (0.106 against 0.109 ms); worth trying on
    /// dedicated cores (perf/inline-bench.sh, SLUICE_EXTRA="busy_poll_us: 200").
    public var busyPollMicroseconds = 0
    /// What flows get while no policy is loaded: deny unless `unknown: allow`.
    public var unknownAllows = false
    /// The local API: Unix socket, optional TCP `host:port`, and the bearer token's file.
    public var apiSocket: String?
    public var apiListen: String?
    public var apiTokenFile: String?
    /// API connections open at once (more are closed on accept, and counted).
    public var apiMaxConnections = 256
    /// How long a request may take to arrive on an API connection (from its opening or the
    /// previous response) before the connection is closed.
    public var apiRequestTimeoutMs = 10_000
    /// The Prometheus endpoint's `host:port`.
    public var metricsListen: String?
    /// Connections the Prometheus endpoint holds at once (more are closed on accept).
    public var metricsMaxConnections = 64
    /// Where the last good policy is kept (restored at start, over `policy`).
    public var stateDir: String?
    /// Where captures are written (default `state_dir/captures`), and their total byte budget.
    public var captureDirectory: String?
    public var captureBudget = 1 << 30
    /// Captures running at once, and kept (until deleted, earlier runs' included).
    public var captureMaxRunning = 8
    public var captureMaxKept = 64
    /// Capture-on-alert: when an alert or a policy violation or deny fires on a flow, its
    /// recent frames and the next `captureOnAlert` go to a pcapng file the record names
    /// (0 turns it off; needs a capture directory).
    public var captureOnAlert = 50
    /// Cluster policy distribution: the etcd endpoints and prefix watched (`control:`, docs/cluster.md).
    public var cluster: ClusterConfig?
    /// Engine settings file (flow, stream, defrag, app_layer, sensor limits: configs/engine.yaml).
    public var enginePath: String?
    /// The least severe message logged (`log.level`; `--log-level` overrides it).
    public var logLevel: Logger.Level = .info
    /// How log lines look (`log.format`).
    public var logFormat: LogFormat = .auto
    /// Attach to container veths at run time (`containers:`), nil when off.
    public var containers: ContainerSettings?
    /// The file this came from.
    public var file = ""

    /// The defaults.
    public init() {}

    /// Loads and validates `path`; errors name file, line, column and key.
    public static func load(path: String) throws(ConfigError) -> DaemonConfig {
        try parse(readConfigFile(path), file: path)
    }

    /// Validates `text` as the contents of `file`.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> DaemonConfig {
        let top = try ConfigMap.parse(text, file: file)
        try top.allowOnly(["io", "workers", "interfaces", "policy", "sensors", "sensor_files", "eve", "fail",
                           "fail_after_ms", "engine", "unknown", "eve_limit", "log", "cpu_affinity", "busy_poll_us",
                           "api", "metrics", "state_dir", "captures", "control", "dpdk", "containers"])
        var c = DaemonConfig()
        c.file = file
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        if let io = try top.string("io") {
            guard ["af_packet", "dpdk", "pcap"].contains(io) else {
                throw top.error("io", "unknown backend \"\(io)\" (expected af_packet, dpdk or pcap)")
            }
            guard io != "pcap" else {
                throw top.error("io", "the daemon serves af_packet and dpdk; pcap is for `sluice replay`")
            }
            c.io = io
        }
        c.workers = try top.int("workers", in: 1...64) ?? 1
        c.containers = try parseContainers(top, resolve: resolve)
        // With `containers:` (or an API to attach through) the list may be empty: interfaces
        // come and go at run time.
        let dynamic = c.containers != nil || top.value("api") != nil
        let items = top.value("interfaces")?.sequence ?? []
        if let node = top.value("interfaces"), node.sequence == nil { throw top.error("interfaces", "expected a list", at: node) }
        guard !items.isEmpty || dynamic else {
            throw top.error("interfaces", "missing (a list of inline pairs and tap interfaces, or a containers: section)")
        }
        var names = Set<String>(), used = Set<String>()
        for (i, node) in items.enumerated() {
            let m = try ConfigMap(node: node, file: file, path: "interfaces[\(i)]")
            try m.allowOnly(["name", "mode", "pair", "interface", "workload"])
            guard let name = try m.string("name") else { throw m.error("name", "missing") }
            guard names.insert(name).inserted else { throw m.error("name", "\"\(name)\" is already an interface's name") }
            guard let modeText = try m.string("mode"), let mode = InterfaceSpec.Mode(rawValue: modeText) else {
                throw m.error("mode", "expected inline or tap")
            }
            var spec = InterfaceSpec(name: name, mode: mode, workload: try m.string("workload"))
            switch mode {
            case .inline:
                guard let p = m.value("pair")?.sequence, p.count == 2, let a = p[0].scalar?.string, let b = p[1].scalar?.string, a != b else {
                    throw m.error("pair", "an inline interface needs pair: [one, other] (two different interfaces)")
                }
                spec.pair = [a, b]
            case .tap:
                guard let t = try m.string("interface") else { throw m.error("interface", "a tap needs interface: NAME") }
                spec.interface = t
            }
            for dev in spec.pair + (spec.interface.isEmpty ? [] : [spec.interface]) {
                guard used.insert(dev).inserted else { throw m.error(spec.mode == .inline ? "pair" : "interface", "\(dev) is attached twice") }
            }
            c.interfaces.append(spec)
        }
        if let p = try top.string("policy") { c.policyPath = resolve(p) }
        if let s = top.value("sensors") {
            guard let seq = s.sequence else { throw top.error("sensors", "expected a list of built-in sensor sets") }
            var names: [String] = []
            for n in seq {
                guard let name = n.scalar?.string else { throw top.error("sensors", "expected a set name", at: n) }
                // Each name loads a whole built-in set: a repeated one is a mistake, and a
                // list of thousands would be parsed thousands of times.
                guard !names.contains(name) else { throw top.error("sensors", "\"\(name)\" is listed twice", at: n) }
                guard names.count < SensorSet.maxSensors else { throw top.error("sensors", "more than \(SensorSet.maxSensors) sets", at: n) }
                names.append(name)
            }
            c.sensors = names
        }
        try parseDPDK(top, into: &c)
        c.busyPollMicroseconds = try top.int("busy_poll_us", in: 0...100_000) ?? c.busyPollMicroseconds
        if let s = top.value("cpu_affinity") {
            guard let seq = s.sequence, !seq.isEmpty else { throw top.error("cpu_affinity", "expected a list of CPU numbers") }
            guard seq.count <= 4096 else { throw top.error("cpu_affinity", "\(seq.count) CPUs; at most 4096") }
            c.cpuAffinity = try seq.map { n throws(ConfigError) -> Int in
                guard let text = n.scalar?.string, let cpu = Int(text), (0..<4096).contains(cpu) else {
                    throw top.error("cpu_affinity", "expected a CPU number from 0 to 4095", at: n)
                }
                return cpu
            }
        }
        if let s = top.value("sensor_files") {
            guard let seq = s.sequence else { throw top.error("sensor_files", "expected a list of sensor files") }
            guard seq.count <= SensorSet.maxSensors else {
                throw top.error("sensor_files", "\(seq.count) files; at most \(SensorSet.maxSensors) (a set holds \(SensorSet.maxSensors) sensors)")
            }
            c.sensorFiles = try seq.map { n throws(ConfigError) -> String in
                guard let p = n.scalar?.string else { throw top.error("sensor_files", "expected a path", at: n) }
                return resolve(p)
            }
        }
        if let e = try top.string("eve") { c.evePath = resolve(e) }
        if let l = try top.map("eve_limit") {
            try l.allowOnly(["per_source", "per_worker", "window_ms"])
            if let n = try l.int("per_source", in: 0...1_000_000) { c.eveLimit.perSource = UInt32(n) }
            if let n = try l.int("per_worker", in: 1...10_000_000) { c.eveLimit.perWorker = UInt32(n) }
            if let n = try l.int("window_ms", in: 10...3_600_000) { c.eveLimit.windowNanos = UInt64(n) * 1_000_000 }
        }
        if let f = try top.string("fail") {
            guard f == "open" || f == "closed" else { throw top.error("fail", "expected open or closed") }
            c.failOpen = f == "open"
        }
        c.failAfterMs = try top.int("fail_after_ms", in: 1...60_000) ?? 200
        if let e = try top.string("engine") { c.enginePath = resolve(e) }
        if let api = try top.map("api") {
            try api.allowOnly(["socket", "listen", "token_file", "max_connections", "request_timeout_ms"])
            c.apiMaxConnections = try api.int("max_connections", in: 1...65_536) ?? 256
            c.apiRequestTimeoutMs = try api.int("request_timeout_ms", in: 100...3_600_000) ?? 10_000
            c.apiSocket = try api.string("socket").map(resolve)
            c.apiListen = try api.hostPort("listen")
            c.apiTokenFile = try api.string("token_file").map(resolve)
            guard c.apiTokenFile != nil else { throw api.error("token_file", "missing: every API request needs the bearer token it holds") }
            guard c.apiSocket != nil || c.apiListen != nil else { throw api.error("socket", "give a socket path, a listen address, or both") }
        }
        if let m = try top.map("metrics") {
            try m.allowOnly(["listen", "max_connections"])
            c.metricsMaxConnections = try m.int("max_connections", in: 1...65_536) ?? 64
            c.metricsListen = try m.hostPort("listen")
        }
        if let d = try top.string("state_dir") { c.stateDir = resolve(d) }
        if let cap = try top.map("captures") {
            try cap.allowOnly(["directory", "disk_budget", "on_alert", "max_running", "max_kept"])
            c.captureMaxRunning = try cap.int("max_running", in: 1...64) ?? 8
            c.captureMaxKept = try cap.int("max_kept", in: 1...10_000) ?? 64
            if let n = try cap.int("on_alert", in: 0...100_000) { c.captureOnAlert = n }
            c.captureDirectory = try cap.string("directory").map(resolve)
            if let b = try cap.bytes("disk_budget", in: 1 << 20...(1 << 40)) { c.captureBudget = b }
        }
        if let control = try top.map("control") {
            c.cluster = try ClusterConfig.parse(control, resolve: resolve, needsNode: true)
        }
        if c.captureDirectory == nil, let d = c.stateDir { c.captureDirectory = d + "/captures" }
        if let l = try top.map("log") { (c.logLevel, c.logFormat) = try Self.parseLog(l) }
        if let u = try top.string("unknown") {
            guard u == "allow" || u == "deny" else { throw top.error("unknown", "expected allow or deny") }
            c.unknownAllows = u == "allow"
        }
        return c
    }
}
