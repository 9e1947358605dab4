#if os(Linux)
import Engine
import Enforce
import Foundation
import CAFPacket
import Capture
import ClusterControl
import Glibc
import L7
import Logging
import PacketIO
import Policy
import Sensors
import SluiceConfig
import ConfigYAML
import ControlAPI
import Synchronization
import Output
import Telemetry

/// The long-running dataplane: opens every interface on every worker, runs the workers on
/// their own threads, and on the main thread waits for signals: SIGHUP reloads the policy
/// (and reopens the EVE file), SIGUSR1 reopens the EVE file (log rotation), SIGTERM or SIGINT
/// stops, flushes events and prints what happened.
///
/// Those signals are blocked from the first line of `init`, before any thread exists, so
/// every thread (workers, the API's and the metrics server's event loops, the kernel's pick
/// of any of them) inherits the mask and only `run()`'s `sigwait` takes them: a signal never
/// meets its default action, whatever a thread is doing when it arrives. A thread the caller
/// started earlier without them blocked gets a handler that hands the signal on.
public final class Daemon: @unchecked Sendable {
    /// The configuration in force.
    public private(set) var config: DaemonConfig
    let settings: SluiceSettings
    let mailbox: PolicyMailbox
    /// The sensors in force; changed by a push (under `policyLock`).
    var sensorSet: SensorSet?
    /// The pushed sensor file's text and version, when sensors were pushed.
    var sensorsText = ""
    var sensorsVersion = 0
    let sensorMailbox: SensorMailbox
    let stop = AFPacketStopSignal()
    let eveFD: Int32
    var ios: [WorkerIO] = []
    /// Where the daemon's messages go (through `log(_:level:)`).
    let logger: Logger
    /// Called once every worker runs, right after the `ready:` line.
    let onReady: @Sendable () -> Void
    /// The policy in force as the API shows it; guarded by `policyLock` (API and signal
    /// threads change it; workers only see the mailbox).
    let policyLock = NSLock()
    var policyVersion = 1
    var policyText = ""
    var policySource = ""
    var hasPolicy = false
    /// Workload modes and quarantine set through the API, applied over the policy text.
    var overrides = WorkloadOverrides()
    let store: PolicyStore?
    var api: APIServer?
    /// Captures on demand, when a capture directory is configured.
    let captures: CaptureRegistry?
    /// Every worker's published counters, and the Prometheus endpoint serving them.
    let board: MetricsBoard
    var metricsServer: MetricsServer?
    /// Active flows, listed by the workers when the API asks.
    let flowSnapshots: FlowSnapshots
    /// What discover mode learned, per worker, on request.
    let learnedSnapshots: WorkerSnapshots<LearnedFlow>
    /// Distinct shapes each worker learns at most (counted in `sluice_policy_learned_overflow_total` beyond).
    static let learnedShapesPerWorker = 65536
    /// Where capture-on-alert files go (nil when off).
    let alertCapture: AlertCapturePath?
    let startedAt = Date()
    /// How long the last pushed policy took to be in force on every worker.
    var lastApplyNanos: UInt64?
    /// The etcd watcher, with a `control:` section (Daemon+Cluster.swift).
    var cluster: ClusterNode?
    /// Every interface attached now (the config's and those attached at run time) and the
    /// lock that serializes attaching and detaching (Daemon+Attach.swift).
    let attachments: AttachmentTable
    let attachLock = NSLock()
    /// Finds containers' veths, with a `containers:` section (ContainerWatcher.swift).
    var watcher: ContainerWatcher?

    /// Validates everything `config` names (engine settings, policy, sensors, EVE file) and
    /// opens the sockets; nothing runs yet. Errors name the file, line and problem. Messages
    /// go to `logger`; `onReady` runs once every worker is reading.
    public init(config: DaemonConfig, logger: Logger, onReady: @escaping @Sendable () -> Void = {}) throws {
        var handled = Self.handledSignals
        pthread_sigmask(SIG_BLOCK, &handled, nil)
        // A thread the caller started before this one had them blocked would meet the default
        // action; with this handler it hands the signal on to the thread that takes them.
        daemonSignalThread = pthread_self()
        for s in [SIGTERM, SIGINT, SIGHUP, SIGUSR1] { signal(s, forwardToSignalThread) }
        self.config = config
        self.logger = logger
        self.onReady = onReady
        // The method needs a whole `self`; until then messages go straight to the logger.
        func log(_ message: String, level: Logger.Level = .info) { logger.log(level: level, "\(message)") }
        var s = SluiceSettings()
        if let e = config.enginePath { s = try SluiceSettings.load(path: e) }
        s.builtInSensors = config.sensors
        settings = s
        store = try config.stateDir.map { try PolicyStore(directory: $0) }
        // Pushed sensors (kept in the state folder) replace the config's sensor files.
        if let pushed = store?.loadSensors(),
           let set = try? s.compileSensors(extraSensors: SensorFile.parse(pushed.text, file: store!.directory + "/sensors.yaml")) {
            sensorSet = set
            (sensorsText, sensorsVersion) = (pushed.text, pushed.version)
            log("restored the pushed sensors, version \(pushed.version), from \(store!.directory)")
        } else {
            sensorSet = try s.compileSensors(extraFiles: config.sensorFiles)
        }
        sensorMailbox = SensorMailbox(sensorSet)
        overrides = store?.loadOverrides() ?? WorkloadOverrides()
        // The last good policy (pushed or reloaded before a restart or crash) wins over the
        // config's file; one that no longer validates is reported and skipped.
        var policy: CompiledPolicy? = nil
        if let stored = store?.load() {
            do {
                policy = try Self.compile(stored.text, file: store!.directory + "/policy.yaml", sensors: sensorSet, overrides: overrides)
                (policyText, policyVersion, policySource, hasPolicy) = (stored.text, stored.version, "last good (\(store!.directory))", true)
                log("restored the last good policy, version \(stored.version), from \(store!.directory)")
            } catch {
                log("the stored policy no longer validates (\(error)); using the config's", level: .warning)
            }
        }
        if policy == nil, let path = config.policyPath {
            let text = try readConfigFile(path)
            policy = try Self.compile(text, file: path, sensors: sensorSet, overrides: overrides)
            (policyText, policySource, hasPolicy) = (text, path, true)
            try? store?.save(text, version: policyVersion)
        }
        if policy == nil {
            policy = try Self.compile(Self.noPolicy(config), file: "<no policy loaded>", sensors: nil)
            policySource = "none"
        }
        attachments = AttachmentTable(config: config, capacity: Self.dynamicCapacity(config))
        let unknown = Self.unknownInterfaces(policy!, attachments.snapshot, hasPolicy: hasPolicy)
        for (j, i) in config.interfaces.enumerated() where unknown & (1 << UInt64(j + 1)) != 0 {
            log(!hasPolicy
                ? "no policy loaded: flows on \(i.name) get the unknown action (\(config.unknownAllows ? "allow" : "deny")) until one is"
                : "interface \(i.name) names workload \"\(i.workload ?? "")\", which the policy does not define: its flows get the policy's unknown action")
        }
        mailbox = PolicyMailbox(policy!, unknownInterfaces: unknown, workers: config.workers)
        board = MetricsBoard(workers: config.workers)
        flowSnapshots = FlowSnapshots(workers: config.workers)
        learnedSnapshots = WorkerSnapshots(workers: config.workers, limit: Self.learnedShapesPerWorker)
        if let dir = config.captureDirectory, config.captureOnAlert > 0 {
            try FileManager.default.createDirectory(atPath: dir + "/alerts", withIntermediateDirectories: true)
            alertCapture = AlertCapturePath(directory: dir + "/alerts")
        } else {
            alertCapture = nil
        }
        guard config.interfaces.count < InterfaceTraffic.capacity else {
            throw ConfigError(file: config.file, line: 0, column: 0, key: "interfaces",
                              reason: "at most \(InterfaceTraffic.capacity - 1) interfaces per daemon")
        }
        captures = try config.captureDirectory.map { dir in
            try CaptureRegistry(directory: dir, diskBudget: config.captureBudget, workers: config.workers,
                                interfaces: config.interfaces.enumerated().map {
                                    CaptureInterface(name: $0.element.name, index: UInt16($0.offset + 1), workload: $0.element.workload)
                                },
                                maxRunning: config.captureMaxRunning, maxKept: config.captureMaxKept)
        }
        if let path = config.evePath {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw ConfigError(file: config.file, line: 0, column: 0, key: "eve", reason: "\(path): \(String(cString: strerror(errno)))") }
            eveFD = fd
        } else {
            eveFD = -1
        }
        if let c = config.containers {
            // Interpositions a crashed daemon left (no supervisor undid them) go first: the
            // scan below finds those veths on their bridges again and interposes afresh.
            for i in VethInterposer.restoreAll(runDir: c.runDirectory) {
                log("containers: restored \(i.veth) on \(i.bridge), interposed by a daemon that did not stop cleanly")
            }
        }
        try openSockets()
        if let c = config.containers, config.io == "af_packet" { watcher = try ContainerWatcher(daemon: self, settings: c) }
        try startAPI()
        try makeClusterNode()
        try startMetrics()
    }

    /// Serves `/metrics` (Prometheus text, no token, as exporters do) on `metrics.listen`.
    func startMetrics() throws {
        guard let listen = config.metricsListen else { return }
        let (host, port) = try APIServer.split(listen)
        let board = board
        let set = sensorSet
        let labels = MetricsLabels(
            interfaces: config.interfaces.enumerated().map { j, s in
                MetricsLabels.Interface(index: j + 1, name: s.name,
                                        directions: s.mode == .inline ? ["\(s.pair[0])_to_\(s.pair[1])", "\(s.pair[1])_to_\(s.pair[0])"] : ["in"])
            },
            ruleDescription: { _ in nil },
            sensorRule: { sid in
                guard let set, let r = set.rules.firstIndex(where: { $0.id == UInt32(sid) }) else { return nil }
                return (set.sensors[set.sensorIndex(ofRule: r)].name, set.rules[r].name)
            })
        let api = api
        let cluster = cluster
        let limits = ConnectionGuard(maxConnections: config.metricsMaxConnections)
        let server = MetricsServer(host: host, port: port, limits: limits) {
            var w = PrometheusWriter()
            if let api { api.stats.write(into: &w, limits: api.limits) }
            cluster?.metrics.write(into: &w)
            ConnectionGuard.write([("tcp", limits)], into: &w, prefix: "sluice_metrics", what: "Metrics endpoint")
            return PrometheusText.render(workers: board.read(), labels: labels) + w.text
        }
        let bound = try server.start()
        metricsServer = server
        log("metrics: http://\(host):\(bound)/metrics")
    }

    deinit { if eveFD > 2 { close(eveFD) } }

    /// With no policy, a protect policy whose `unknown` action is the config's (deny unless
    /// `unknown: allow`): before any policy arrives nothing is silently open, and every such
    /// flow is counted and logged.
    static func noPolicy(_ config: DaemonConfig) -> String {
        "version: 1\nmode: protect\ndefault: deny\nunknown: \(config.unknownAllows ? "allow" : "deny")\n"
    }

    /// Validates and compiles a policy: YAML, references, and the sensors its workloads name.
    static func compile(_ text: String, file: String, sensors: SensorSet?,
                        overrides: WorkloadOverrides = WorkloadOverrides()) throws(ConfigError) -> CompiledPolicy {
        var document = try PolicyDocument.parse(text, file: file)
        for i in document.workloads.indices {
            let name = document.workloads[i].name
            if let m = overrides.modes[name].flatMap(PolicyMode.init(name:)) { document.workloads[i].mode = m }
            if overrides.quarantined.contains(name) { document.workloads[i].quarantine = true }
        }
        let policy = CompiledPolicy(document)
        for w in policy.document.workloads where !w.sensors.isEmpty {
            let missing = sensors.map { $0.unknownSensors(in: w.sensors) } ?? w.sensors
            if !missing.isEmpty {
                throw ConfigError(file: file, line: 0, column: 0, key: "workloads.\(w.name).sensors",
                                  reason: "names sensors that are not loaded: \(missing.joined(separator: ", "))")
            }
            for b in w.bindings {
                if let why = sensors?.bindingProblem(sensor: b.name, disabledRules: b.disabledRules) {
                    throw ConfigError(file: file, line: 0, column: 0, key: "workloads.\(w.name).sensors", reason: why)
                }
            }
        }
        return policy
    }


    /// Opens, for each worker in order, a ring per tap and a ring and a transmitter on each
    /// side of each inline pair, all in per-interface fanout groups.
    func openSockets() throws {
        if config.io == "dpdk" { return try openDPDKPorts() }
        let base = UInt16(truncatingIfNeeded: (getpid() & 0x1FFF) << 3)
        let pairs = config.interfaces.filter { $0.mode == .inline }.count
        let taps = config.interfaces.count - pairs
        let dynamic = Self.dynamicCapacity(config)
        for _ in 0..<config.workers {
            let io = WorkerIO(pairCapacity: pairs, tapCapacity: taps, dynamic: dynamic)
            for (j, spec) in config.interfaces.enumerated() {
                let group = base &+ UInt16(j * 2)
                let iface = UInt16(j + 1)
                switch spec.mode {
                case .inline:
                    var c = AFPacketConfig.inline
                    c.fanoutGroup = config.workers > 1 ? group : nil
                    let ports = try PortPair<AFPacketInlinePort>(interfaceA: spec.pair[0], interfaceB: spec.pair[1], config: c)
                    io.add(pair: PairIO(ports: ports, iface: iface))
                case .tap:
                    var c = AFPacketConfig()
                    // A tap sees both directions: on a bridge port or a veth end, half the
                    // conversation leaves through the interface, which the kernel calls outgoing.
                    c.ignoreOutgoing = false
                    c.fanoutGroup = config.workers > 1 ? group : nil
                    io.add(tap: TapIO(ring: try AFPacketRing(interface: spec.interface, config: c), iface: iface))
                }
            }
            io.sealStatic()
            ios.append(io)
        }
    }

    /// The signals the daemon takes in `run()`: SIGHUP, SIGUSR1, SIGTERM and SIGINT.
    static var handledSignals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGUSR1] { sigaddset(&set, s) }
        return set
    }

    /// Runs until SIGTERM or SIGINT; returns the summary to print. Signals are taken here one
    /// at a time: a SIGHUP arriving while a reload compiles stays pending (the kernel keeps
    /// one), so any number of them during a reload make exactly one more reload after it.
    public func run() -> String {
        var set = Self.handledSignals
        // Already blocked by init on every thread; again in case the caller made threads of
        // its own before init.
        pthread_sigmask(SIG_BLOCK, &set, nil)
        daemonSignalThread = pthread_self()
        let started = start()
        var signal: Int32 = 0
        while true {
            guard sigwait(&set, &signal) == 0 else { continue }
            if signal == SIGHUP { reopenEve(); reload(); continue }
            if signal == SIGUSR1 { reopenEve(); continue }
            break
        }
        log("stopping (signal \(signal))")
        return finish(started)
    }

    /// Opens the EVE file's path again and puts the new file on the descriptor the workers
    /// write to (`dup2`), so after logrotate renames the file, records go to a new one at the
    /// path. `dup2` swaps the descriptor atomically: a worker's `write` in progress ends in
    /// the old file, the next goes to the new one; workers take no lock and notice nothing.
    func reopenEve() {
        guard eveFD >= 0, let path = config.evePath else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            log("eve: cannot reopen \(path): \(String(cString: strerror(errno))); records still go to the file open before", level: .error)
            return
        }
        if dup2(fd, eveFD) < 0 {
            log("eve: cannot reopen \(path): dup2: \(String(cString: strerror(errno))); records still go to the file open before", level: .error)
        } else {
            log("eve: reopened \(path)")
        }
        close(fd)
    }

    /// Runs for `seconds`, calling `at(seconds)` on the main thread at each whole second
    /// (benchmarks read counters there); returns the summary.
    public func run(seconds: Int, at: (Int) -> Void = { _ in }) -> String {
        let started = start()
        for s in 1...max(1, seconds) {
            sleep(1)
            at(s)
        }
        return finish(started)
    }

    /// The running workers: their reports as they stop, and a group left when all have.
    final class Running: @unchecked Sendable {
        let lock = NSLock()
        var reports: [Int: WorkerReport] = [:]
        let done = DispatchGroup()
        func add(_ i: Int, _ r: WorkerReport) { lock.lock(); reports[i] = r; lock.unlock() }
    }

    /// Stops the workers first (they end their flows and flush EVE), then the servers. A
    /// server whose handler is still busy is given 3 s, then left to the process exit: the
    /// summary is never held up by an API request.
    func finish(_ running: Running) -> String {
        cluster?.stop()
        // A deliberate stop takes Sluice out of every container's path.
        watcher?.stop()
        stop.stop()
        running.done.wait()
        let servers = DispatchSemaphore(value: 0)
        let (api, metrics) = (api, metricsServer)
        Thread.detachNewThread {
            api?.stop()
            try? metrics?.stop()
            servers.signal()
        }
        if servers.wait(timeout: .now() + 3) == .timedOut { log("stopping: the API is still busy; not waiting for it", level: .warning) }
        return summary(running.reports)
    }

    /// Starts one thread per worker (pinned to `cpu_affinity`'s cores in turn when set).
    func start() -> Running {
        let running = Running()
        let initialized = DispatchGroup()
        let affinity = config.cpuAffinity
        for (i, io) in ios.enumerated() {
            // Each worker compares its threat rates against its share of the node-wide thresholds.
            var l7 = settings.l7
            l7.workers = ios.count
            let plan = WorkerPlan(index: i, io: io, engine: settings.engine, l7: l7, sensorConfig: settings.sensors,
                                  sensorMailbox: sensorMailbox, mailbox: mailbox, eveFD: eveFD, failOpen: config.failOpen,
                                  failAfterNanos: UInt64(config.failAfterMs) * 1_000_000, stop: stop,
                                  capture: captures?.worker(i), initialized: initialized, metrics: board.slots[i],
                                  flowSnapshots: flowSnapshots, learnedSnapshots: learnedSnapshots, alertCapture: alertCapture, alertFrames: config.captureOnAlert,
                                  interfaceNames: config.interfaces.map(\.name), captureBudget: captures?.budget,
                                  eveLimit: config.eveLimit, busyPollNanos: UInt64(config.busyPollMicroseconds) * 1000)
            running.done.enter()
            initialized.enter()
            let t = Thread {
                // Pinned only when asked (cpu_affinity: dedicated cores keep a worker's flow
                // table and rings in cache; on shared cores pinning costs latency).
                if let cpus = affinity, !cpus.isEmpty { _ = sluice_pin_thread(Int32(cpus[i % cpus.count])) }
                let r = runWorker(plan)
                running.add(i, r)
                running.done.leave()
            }
            t.name = "sluice-worker-\(i)"
            t.start()
        }
        // Ready means reading: every worker has built its engine and entered its loop.
        initialized.wait()
        // Containers already running are attached before `ready`.
        watcher?.initialScan()
        watcher?.start()
        let names = attachments.snapshot.map(\.spec).map { $0.mode == .inline ? "\($0.name) inline \($0.pair.joined(separator: "<->"))" : "\($0.name) tap \($0.interface)" }
        log("ready: \(config.workers) worker\(config.workers == 1 ? "" : "s"), \(names.joined(separator: ", ")), "
            + "policy \(hasPolicy ? "version \(policyVersion) from \(policySource)" : "none (unknown: \(config.unknownAllows ? "allow" : "deny"))"), "
            + "sensors \(sensorSet?.sensors.map(\.name).joined(separator: ",") ?? "none"), fail \(config.failOpen ? "open" : "closed")")
        // Desired state from etcd is applied once workers run, so "in force" is measured.
        cluster?.start()
        onReady()
        return running
    }

    /// Reads the config file and its policy again; puts the policy in force if it validates,
    /// else keeps the running one. Interfaces, workers and sensors take a restart.
    func reload() {
        do {
            let fresh = try DaemonConfig.load(path: config.file)
            if fresh.interfaces != config.interfaces || fresh.workers != config.workers || fresh.sensors != config.sensors
                || fresh.sensorFiles != config.sensorFiles {
                log("reload: interface, worker and sensor changes take a restart; applying the policy only")
            }
            guard let path = fresh.policyPath else {
                log("reload: the config names no policy; the running one stays in force")
                return
            }
            let text = try readConfigFile(path)
            let version = try adopt(text, file: path, source: path, expectedVersion: nil)
            config.policyPath = path
            log("reloaded: policy \(path), version \(version)")
        } catch {
            log("reload rejected: \(error); the running policy stays in force", level: .warning)
        }
    }

    /// Validates `text`, stores it as the last good policy and puts it in force; the version
    /// after. Nothing changes when any step fails.
    func adopt(_ text: String, file: String, source: String, expectedVersion: Int?,
               overrides newOverrides: WorkloadOverrides? = nil) throws -> Int {
        policyLock.lock()
        defer { policyLock.unlock() }
        let policy = try Self.compile(text, file: file, sensors: sensorSet, overrides: newOverrides ?? overrides)
        if let expectedVersion, expectedVersion != policyVersion { throw PolicyPushError.conflict(current: policyVersion) }
        let version = policyVersion + 1
        do {
            if let newOverrides { try store?.save(newOverrides) }
            try store?.save(text, version: version)
        } catch {
            throw PolicyPushError.persist("\(error)")
        }
        if let newOverrides { overrides = newOverrides }
        mailbox.publish(policy, unknownInterfaces: Self.unknownInterfaces(policy, attachments.snapshot, hasPolicy: true))
        (policyText, policyVersion, policySource, hasPolicy) = (text, version, source, true)
        return version
    }

    func summary(_ reports: [Int: WorkerReport]) -> String {
        var out = ""
        var dc = DataplaneCounters(), policy = PolicyCounters(), sensors = SensorCounters()
        var flows: UInt64 = 0, l7Drops: UInt64 = 0
        let inline = config.interfaces.filter { $0.mode == .inline }, taps = config.interfaces.filter { $0.mode == .tap }
        var pairTotals = [(InlineDirectionCounters, InlineDirectionCounters, AFPacketStatistics, AFPacketStatistics)](
            repeating: (InlineDirectionCounters(), InlineDirectionCounters(), AFPacketStatistics(), AFPacketStatistics()), count: inline.count)
        var tapTotals = [AFPacketStatistics](repeating: AFPacketStatistics(), count: taps.count)
        for (_, r) in reports.sorted(by: { $0.key < $1.key }) {
            dc.add(r.dataplane); sensors.add(r.sensors); l7Drops &+= r.l7Drops
            flows &+= r.engine.flows.created
            policy.allowed &+= r.policy.allowed; policy.violations &+= r.policy.violations
            policy.denied &+= r.policy.denied; policy.learned &+= r.policy.learned
            policy.droppedPackets &+= r.policy.droppedPackets; policy.unknownWorkload &+= r.policy.unknownWorkload
            for (k, p) in r.pairs.enumerated() {
                pairTotals[k].0.received &+= p.aToB.received; pairTotals[k].0.forwarded &+= p.aToB.forwarded
                pairTotals[k].0.dropped &+= p.aToB.dropped
                pairTotals[k].1.received &+= p.bToA.received; pairTotals[k].1.forwarded &+= p.bToA.forwarded
                pairTotals[k].1.dropped &+= p.bToA.dropped
                pairTotals[k].2.kernelDrops &+= p.a.kernelDrops; pairTotals[k].3.kernelDrops &+= p.b.kernelDrops
                pairTotals[k].2.transmitFailed &+= p.a.transmitFailed; pairTotals[k].3.transmitFailed &+= p.b.transmitFailed
            }
            for (k, t) in r.taps.enumerated() {
                tapTotals[k].received &+= t.received; tapTotals[k].kernelDrops &+= t.kernelDrops
                tapTotals[k].kernelPackets &+= t.kernelPackets
            }
        }
        for (k, spec) in inline.enumerated() {
            let t = pairTotals[k]
            out += "  \(spec.name): \(spec.pair[0])->\(spec.pair[1]) received \(t.0.received) forwarded \(t.0.forwarded) dropped \(t.0.dropped);"
                + " \(spec.pair[1])->\(spec.pair[0]) received \(t.1.received) forwarded \(t.1.forwarded) dropped \(t.1.dropped);"
                + " kernel drops \(t.2.kernelDrops + t.3.kernelDrops), send failures \(t.2.transmitFailed + t.3.transmitFailed)\n"
        }
        for (k, spec) in taps.enumerated() {
            out += "  \(spec.name): tap \(spec.interface) received \(tapTotals[k].received) (kernel counted \(tapTotals[k].kernelPackets)),"
                + " kernel drops \(tapTotals[k].kernelDrops)\n"
        }
        out += "  flows \(flows)  policy allowed \(policy.allowed) violations \(policy.violations) denied \(policy.denied)"
            + " learned \(policy.learned) unknown workload \(policy.unknownWorkload) (packets dropped \(policy.droppedPackets))"
            + "  policies applied \(dc.policiesApplied)\n"
        out += "  sensors alerts \(sensors.alerts) blocked flows \(sensors.blockedFlows) (packets dropped \(l7Drops))"
            + "  resets sent \(dc.resetsSent)  fail-\(config.failOpen ? "open bypassed" : "closed dropped") \(config.failOpen ? dc.bypassed : dc.failDropped)\n"
        return out
    }
}

/// The thread that takes the daemon's signals (`Daemon.run()`'s `sigwait`).
nonisolated(unsafe) var daemonSignalThread = pthread_self()

/// The handler of the daemon's signals, for a thread that does not block them (one its caller
/// started before `Daemon.init`): sends the signal on to the signal thread, where it is blocked
/// and waits for `sigwait`. `pthread_kill` is async-signal-safe.
func forwardToSignalThread(_ signal: Int32) {
    pthread_kill(daemonSignalThread, signal)
}
#endif
