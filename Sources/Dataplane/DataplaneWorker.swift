#if os(Linux)
import Capture
import Codecs
import Enforce
import Engine
import Dispatch
import DPDKIO
import Glibc
import L7
import Output
import PacketIO
import Policy
import Sensors
import Telemetry

/// Everything a worker thread starts from: its sockets and the shared, immutable pieces.
struct WorkerPlan: @unchecked Sendable {
    let index: Int
    let io: WorkerIO
    let engine: EngineConfig
    let l7: L7Config
    let sensorConfig: SensorConfig
    let sensorMailbox: SensorMailbox
    let mailbox: PolicyMailbox
    let eveFD: Int32
    let failOpen: Bool
    let failAfterNanos: UInt64
    let stop: AFPacketStopSignal
    /// This worker's view of the running captures (nil when captures are off).
    let capture: CaptureWorker?
    /// Left once the worker's engine is built and it starts reading: the daemon says "ready"
    /// only then.
    let initialized: DispatchGroup
    /// Where the worker publishes its counters for the Prometheus endpoint.
    let metrics: MetricsSlot
    /// Where it lists its active flows when the API asks.
    let flowSnapshots: FlowSnapshots
    /// Where it lists what discover mode learned when the API asks.
    let learnedSnapshots: WorkerSnapshots<LearnedFlow>
    /// Capture-on-alert: where files go, and how many frames after the event are kept.
    let alertCapture: AlertCapturePath?
    let alertFrames: Int
    let interfaceNames: [String]
    let captureBudget: DiskBudget?
    /// Violate/deny records allowed per rule and source, and per worker, per window (0: no limit).
    let eveLimit: EveLimit
    /// How long the worker keeps polling its rings after the last frame before it sleeps.
    let busyPollNanos: UInt64
}

/// A worker's capture-on-alert: its recent frames, and the flow it saved last (a flow with
/// several alerts gets one file).
final class AlertRecorder {
    let history: FlowHistory
    let paths: AlertCapturePath
    let next: Int
    var lastSaved: UInt64 = 0
    var events: UInt64 = 0
    var saved: UInt64 = 0

    init(paths: AlertCapturePath, next: Int, interfaceNames: [String], budget: DiskBudget?) {
        // 2 KiB per frame: headers and the start of every payload, without copying whole
        // 64 KiB GSO super-frames through the ring.
        history = FlowHistory(capacity: 4 << 20, snapLength: 2048, interfaceNames: interfaceNames, maxSaves: 8, budget: budget)
        self.paths = paths
        self.next = next
    }

    /// After each frame: remember it, and save its flow when an event just fired on it.
    @inline(__always)
    func after(frame: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64, iface: UInt16, flowID: UInt64, eventsNow: UInt64) {
        guard flowID != 0 else { return }
        history.offer(frame: frame, wireLength: wireLength, timestamp: timestamp, iface: iface, flowID: flowID)
        if eventsNow != events {
            events = eventsNow
            if flowID != lastSaved {
                lastSaved = flowID
                if (try? history.saveFlow(flowID: flowID, next: next, to: paths.path(flowID: flowID))) != nil { saved &+= 1 }
            }
        }
    }
}

/// What the dataplane itself did, beside the engine's counters.
public struct DataplaneCounters: Sendable {
    /// Frames forwarded uninspected because they were older than `fail_after_ms` (fail open).
    public var bypassed: UInt64 = 0
    /// Frames dropped uninspected for the same reason (fail closed).
    public var failDropped: UInt64 = 0
    /// TCP resets injected (two per dropped TCP segment: one toward each end).
    public var resetsSent: UInt64 = 0
    /// Policies applied while running.
    public var policiesApplied: UInt64 = 0
    /// Adds `o`.
    public mutating func add(_ o: DataplaneCounters) {
        bypassed &+= o.bypassed; failDropped &+= o.failDropped; resetsSent &+= o.resetsSent
        policiesApplied &+= o.policiesApplied
    }
}

/// One worker's results, for the summary printed at shutdown.
struct WorkerReport {
    var pairs: [(aToB: InlineDirectionCounters, bToA: InlineDirectionCounters, a: AFPacketStatistics, b: AFPacketStatistics)] = []
    var taps: [AFPacketStatistics] = []
    var dataplane = DataplaneCounters()
    var engine = EngineStats()
    var policy = PolicyCounters()
    var sensors = SensorCounters()
    var l7Drops: UInt64 = 0
}

/// Fixed buffers the injected resets are built in; they stay valid until the batch is sent.
struct ResetSlots: ~Copyable {
    let base: UnsafeMutableRawPointer
    static let slots = 512
    var next = 0
    init() { base = .allocate(byteCount: Self.slots * 128, alignment: 16) }
    deinit { base.deallocate() }

    /// Builds both resets for `frame` into the next two slots, nil when the batch's slots are
    /// used up or the frame cannot be answered.
    mutating func build(from frame: UnsafeRawBufferPointer) -> (back: UnsafeRawBufferPointer, on: UnsafeRawBufferPointer)? {
        guard next + 2 <= Self.slots else { return nil }
        let b = UnsafeMutableRawBufferPointer(start: base + next * 128, count: 128)
        let o = UnsafeMutableRawBufferPointer(start: base + (next + 1) * 128, count: 128)
        guard let (bl, ol) = TCPReset.build(from: frame, back: b, on: o) else { return nil }
        next += 2
        return (UnsafeRawBufferPointer(rebasing: b[0..<bl]), UnsafeRawBufferPointer(rebasing: o[0..<ol]))
    }
}

@inline(__always)
func realtimeNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// A worker thread's loop: forward and inspect every inline pair's frames, inspect every tap's,
/// take a new policy between batches, flush events when idle, until `stop`.
func runWorker(_ plan: WorkerPlan) -> WorkerReport {
    var sensors = SensorEngine()
    var sensorGeneration = plan.sensorMailbox.generation
    if let set = plan.sensorMailbox.set, let e = try? SensorEngine(set: set, config: plan.sensorConfig) { sensors = e }
    var generation = plan.mailbox.generation
    var l7 = L7Stage(config: plan.l7, eveFD: plan.eveFD, sensors: sensors)
    l7.alertCapture = plan.alertCapture
    let recorder = plan.alertCapture.map {
        AlertRecorder(paths: $0, next: plan.alertFrames, interfaceNames: plan.interfaceNames, budget: plan.captureBudget)
    }
    var worker = Worker(config: plan.engine, stage: PolicyStage(l7: l7, policy: plan.mailbox.policy,
                                                                learnCapacity: plan.learnedSnapshots.limit), eveFD: plan.eveFD)
    worker.stage.unknownWorkloadInterfaces = plan.mailbox.unknownInterfaces
    // EVE's `in_iface`: the interface names of the config, by the flows' interface index.
    worker.eve?.setInterfaceNames(plan.interfaceNames)
    worker.stage.l7.eve?.setInterfaceNames(plan.interfaceNames)
    if plan.eveLimit.perSource > 0 {
        worker.stage.limitRecords(perSource: plan.eveLimit.perSource, perWorker: plan.eveLimit.perWorker,
                                  windowNanos: plan.eveLimit.windowNanos)
    }
    var resets = ResetSlots()
    var dc = DataplaneCounters()
    let io = plan.io
    // A DPDK worker gets an lcore id, and with it a mempool cache for resets and receives.
    if io.hasDPDK { DPDKEAL.registerThread() }
    var m = WorkerMetrics()
    var timer = PacketTimer()
    var lastPublish: UInt64 = 0
    var flowRequest = plan.flowSnapshots.request
    var learnedRequest = plan.learnedSnapshots.request
    plan.initialized.leave()
    var lastFlush = monotonicNanos()
    // When the worker last woke from an idle wait (realtime, as frame timestamps are).
    var idleEnd = realtimeNanos()
    var lastFrame: UInt64 = 0
    var inboxGeneration = io.inbox.generation
    while !plan.stop.isStopped {
        let g = plan.mailbox.generation
        if g != generation {
            generation = g
            worker.stage.apply(plan.mailbox.policy)
            worker.stage.unknownWorkloadInterfaces = plan.mailbox.unknownInterfaces
            plan.mailbox.acknowledge(worker: plan.index, generation: g)
            dc.policiesApplied &+= 1
        }
        let sg = plan.sensorMailbox.generation
        if sg != sensorGeneration {
            sensorGeneration = sg
            var engine = SensorEngine()
            if let set = plan.sensorMailbox.set, let e = try? SensorEngine(set: set, config: plan.sensorConfig) { engine = e }
            worker.stage.replaceSensors(engine)
        }
        // After the policy: an interface attached at run time arrives with the unknown mask
        // that covers it already published, so its first flow never sees an open policy.
        let ig = io.inbox.generation
        if ig != inboxGeneration {
            inboxGeneration = ig
            io.applyInbox(ig)
            continue
        }
        let wall = realtimeNanos()
        let batchStart = monotonicNanos()
        plan.capture?.poll(now: wall)
        timer.start()
        var n = 0
        for i in 0..<io.pairCount {
            n += pumpPair(&io.pairs[i].ports, iface: io.pairs[i].iface, worker: &worker, resets: &resets, wall: wall,
                          idleEnd: idleEnd, plan: plan, dc: &dc, timer: &timer, latency: &m.latency, recorder: recorder)
        }
        for i in 0..<io.dpdkPairCount {
            n += pumpPair(&io.dpdkPairs[i].ports, iface: io.dpdkPairs[i].iface, worker: &worker, resets: &resets, wall: wall,
                          idleEnd: idleEnd, plan: plan, dc: &dc, timer: &timer, latency: &m.latency, recorder: recorder)
        }
        for i in 0..<io.dpdkTapCount {
            let t = io.dpdkTaps + i
            n += inspectTap(&t.pointee.port, iface: t.pointee.iface, worker: &worker, plan: plan, recorder: recorder,
                            metrics: &m, timer: &timer)
        }
        for i in 0..<io.tapCount {
            let t = io.taps + i
            var k = 0
            while k < 256, let f = t.pointee.ring.nextFrame() {
                k += 1
                plan.capture?.offer(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp,
                                    iface: t.pointee.iface)
                _ = worker.process(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp,
                                   linkType: .ethernet, iface: t.pointee.iface)
                recorder?.after(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp,
                                iface: t.pointee.iface, flowID: worker.lastFlowID, eventsNow: events(&worker))
                m.interfaces.record(iface: Int(t.pointee.iface), direction: .aToB, bytes: f.packet.wireLength, forwarded: false)
                timer.lap(into: &m.latency)
            }
            t.pointee.ring.releaseConsumed()
            t.pointee.received &+= UInt64(k)
            n += k
        }
        let mono = monotonicNanos()
        if n > 0 { m.busy.add(busy: mono &- batchStart) }
        let asked = plan.flowSnapshots.request
        if asked != flowRequest {
            flowRequest = asked
            plan.flowSnapshots.answer(worker: plan.index, generation: asked) { list in listFlows(&worker, into: &list, limit: plan.flowSnapshots.limit) }
        }
        let askedLearned = plan.learnedSnapshots.request
        if askedLearned != learnedRequest {
            learnedRequest = askedLearned
            plan.learnedSnapshots.answer(worker: plan.index, generation: askedLearned) { list in
                worker.stage.forEachLearned { if list.count < plan.learnedSnapshots.limit { list.append($0) } }
            }
        }
        if mono &- lastPublish >= 100_000_000 {
            fill(&m, &worker, io, dc)
            plan.metrics.publish(m)
            lastPublish = mono
        }
        if n > 0 { lastFrame = mono }
        if n == 0 && mono &- lastFrame < plan.busyPollNanos {
            // Busy-poll a moment after traffic: the answer to what was just forwarded usually
            // comes within it, and is then forwarded without a wake-up (one scheduler wake-up
            // per hop is most of the latency a userspace forwarder adds on a busy machine).
            continue
        }
        if n == 0 {
            worker.tick(now: wall)
            if mono &- lastFlush > 100_000_000 { worker.flushEvents(); lastFlush = mono }
            idleEnd = io.wait(ms: 10)
            m.busy.add(idle: monotonicNanos() &- mono)
        } else if mono &- lastFlush > 500_000_000 {
            worker.flushEvents()
            lastFlush = mono
        }
    }
    worker.stage.flushSuppressedRecords()
    worker.shutdown()
    var report = WorkerReport()
    // The summary lists the config's interfaces; those attached at run time are in /metrics.
    for i in 0..<io.staticPairs {
        let p = io.pairs + i
        try? p.pointee.ports.a.refreshStatistics()
        try? p.pointee.ports.b.refreshStatistics()
        report.pairs.append((p.pointee.ports.aToB, p.pointee.ports.bToA, p.pointee.ports.a.statistics, p.pointee.ports.b.statistics))
    }
    if io.hasDPDK {
        // A DPDK worker serves some queues of some pairs and taps: report them in the config's
        // order (their slots), zeros for those it does not serve.
        var pairSlots = 0, tapSlots = 0
        for i in 0..<io.dpdkPairCount { pairSlots = max(pairSlots, io.dpdkPairs[i].slot + 1) }
        for i in 0..<io.dpdkTapCount { tapSlots = max(tapSlots, io.dpdkTaps[i].slot + 1) }
        report.pairs = Array(repeating: (InlineDirectionCounters(), InlineDirectionCounters(), AFPacketStatistics(), AFPacketStatistics()),
                             count: pairSlots)
        report.taps = Array(repeating: AFPacketStatistics(), count: tapSlots)
        for i in 0..<io.dpdkPairCount {
            let p = io.dpdkPairs + i
            try? p.pointee.ports.a.refreshStatistics()
            try? p.pointee.ports.b.refreshStatistics()
            report.pairs[p.pointee.slot] = (p.pointee.ports.aToB, p.pointee.ports.bToA, p.pointee.ports.a.statistics,
                                            p.pointee.ports.b.statistics)
        }
        for i in 0..<io.dpdkTapCount {
            let t = io.dpdkTaps + i
            try? t.pointee.port.refreshStatistics()
            report.taps[t.pointee.slot] = t.pointee.port.statistics
        }
    }
    for i in 0..<io.staticTaps {
        let t = io.taps + i
        try? t.pointee.ring.refreshKernelStatistics()
        report.taps.append(t.pointee.ring.statistics)
    }
    report.dataplane = dc
    report.engine = worker.stats()
    report.policy = worker.stage.counters
    report.sensors = worker.stage.l7.sensors.counters
    report.l7Drops = worker.stage.l7.counters.sensorDrops
    return report
}

/// Frames ready on a tap port, inspected and released (never forwarded), at most 256.
@inline(__always)
func inspectTap<Port: PacketPort & ~Copyable>(_ port: inout Port, iface: UInt16, worker: inout Worker<PolicyStage>, plan: WorkerPlan,
                                              recorder: AlertRecorder?, metrics m: inout WorkerMetrics, timer: inout PacketTimer) -> Int {
    var k = 0
    while k < 256, let f = port.receive() {
        k += 1
        plan.capture?.offer(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp, iface: iface)
        _ = worker.process(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp,
                           linkType: .ethernet, iface: iface)
        recorder?.after(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp,
                        iface: iface, flowID: worker.lastFlowID, eventsNow: events(&worker))
        m.interfaces.record(iface: Int(iface), direction: .aToB, bytes: f.packet.wireLength, forwarded: false)
        timer.lap(into: &m.latency)
    }
    port.release()
    return k
}

/// Both directions of an inline pair, whatever its ports are (AF_PACKET or DPDK).
@inline(__always)
func pumpPair<Port: PacketPort & ~Copyable>(_ ports: inout PortPair<Port>, iface: UInt16, worker: inout Worker<PolicyStage>,
          resets: inout ResetSlots, wall: UInt64, idleEnd: UInt64, plan: WorkerPlan, dc: inout DataplaneCounters,
          timer: inout PacketTimer, latency: inout LatencyHistogram, recorder: AlertRecorder?) -> Int {
    pump(&ports.a, to: &ports.b, counters: &ports.aToB, iface: iface, worker: &worker, resets: &resets, wall: wall,
         idleEnd: idleEnd, plan: plan, dc: &dc, timer: &timer, latency: &latency, recorder: recorder)
        &+ pump(&ports.b, to: &ports.a, counters: &ports.bToA, iface: iface, worker: &worker, resets: &resets, wall: wall,
                idleEnd: idleEnd, plan: plan, dc: &dc, timer: &timer, latency: &latency, recorder: recorder)
}

/// Frames ready on port `from`: inspected (unless late: then the fail mode decides), forwarded
/// out of `to` when passed; a dropped TCP segment gets a reset back out of `from` toward its
/// sender and one out of `to` toward its receiver.
@inline(__always)
func pump<Port: PacketPort & ~Copyable>(_ from: inout Port, to: inout Port,
          counters c: inout InlineDirectionCounters, iface: UInt16, worker: inout Worker<PolicyStage>,
          resets: inout ResetSlots, wall: UInt64, idleEnd: UInt64, plan: WorkerPlan, dc: inout DataplaneCounters,
          timer: inout PacketTimer, latency: inout LatencyHistogram, recorder: AlertRecorder?) -> Int {
    var n = 0
    resets.next = 0
    while n < 256, let f = from.receive() {
        n += 1
        c.received &+= 1
        c.receivedBytes &+= UInt64(f.packet.wireLength)
        if f.isTruncated { c.truncated &+= 1; continue }
        // Captures see every frame as it arrived, whatever the verdict.
        plan.capture?.offer(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp, iface: iface)
        // Late means the worker kept the frame waiting too long: counted from its arrival, or
        // from the worker's wake-up when it arrived while the worker was idle in poll().
        let since = max(f.packet.timestamp, idleEnd)
        let late = wall > since && wall &- since > plan.failAfterNanos
        let verdict: Verdict
        if late {
            if plan.failOpen { dc.bypassed &+= 1; verdict = .pass } else { dc.failDropped &+= 1; verdict = .drop }
        } else {
            verdict = worker.process(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp,
                                     linkType: .ethernet, iface: iface)
            recorder?.after(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp,
                            iface: iface, flowID: worker.lastFlowID, eventsNow: events(&worker))
        }
        if verdict == .drop {
            c.dropped &+= 1
            if !late, let r = resets.build(from: f.packet.data) {
                from.transmit(bytes: r.back)
                to.transmit(bytes: r.on)
                dc.resetsSent &+= 2
            }
            timer.lap(into: &latency)
            continue
        }
        if f.isSegmentationOffload { c.superFrames &+= 1 }
        to.transmit(f)
        c.forwarded &+= 1
        timer.lap(into: &latency)
    }
    // The batch points into the ring and the reset slots: send it before either is reused.
    to.flush()
    from.flush()
    from.release()
    return n
}
#endif

#if os(Linux)
/// One inline pair's traffic, kernel drops and send failures into the metrics snapshot, whatever
/// its ports are (AF_PACKET or DPDK).
func fillPair<Port: PacketPort & ~Copyable>(_ m: inout WorkerMetrics, _ ports: inout PortPair<Port>, iface: Int,
                                            truncated: inout UInt64, sendFailures: inout UInt64) {
    let ab = ports.aToB, ba = ports.bToA
    m.interfaces[iface, .aToB] = DirectionTraffic(packets: ab.received, bytes: ab.receivedBytes, forwarded: ab.forwarded, dropped: ab.dropped)
    m.interfaces[iface, .bToA] = DirectionTraffic(packets: ba.received, bytes: ba.receivedBytes, forwarded: ba.forwarded, dropped: ba.dropped)
    truncated &+= ab.truncated &+ ba.truncated
    try? ports.a.refreshStatistics()
    try? ports.b.refreshStatistics()
    let a = ports.a.statistics, b = ports.b.statistics
    if iface < InterfaceTraffic.capacity { m.interfaces.kernelDrops[iface] = a.kernelDrops &+ b.kernelDrops }
    sendFailures &+= a.transmitFailed &+ b.transmitFailed
}

/// Copies the worker's counters into its metrics snapshot (about every 100 ms, off the
/// per-frame path): the fields are read directly, since `Worker.stats()` allocates.
func fill(_ m: inout WorkerMetrics, _ worker: inout Worker<PolicyStage>, _ io: WorkerIO, _ dc: DataplaneCounters) {
    var truncated: UInt64 = 0, sendFailures: UInt64 = 0
    for i in 0..<io.pairCount {
        fillPair(&m, &io.pairs[i].ports, iface: Int(io.pairs[i].iface), truncated: &truncated, sendFailures: &sendFailures)
    }
    for i in 0..<io.dpdkPairCount {
        fillPair(&m, &io.dpdkPairs[i].ports, iface: Int(io.dpdkPairs[i].iface), truncated: &truncated, sendFailures: &sendFailures)
    }
    for i in 0..<io.dpdkTapCount {
        let t = io.dpdkTaps + i
        try? t.pointee.port.refreshStatistics()
        let iface = Int(t.pointee.iface)
        if iface < InterfaceTraffic.capacity { m.interfaces.kernelDrops[iface] = t.pointee.port.statistics.kernelDrops }
    }
    for i in 0..<io.tapCount {
        let t = io.taps + i
        try? t.pointee.ring.refreshKernelStatistics()
        let iface = Int(t.pointee.iface)
        if iface < InterfaceTraffic.capacity { m.interfaces.kernelDrops[iface] = t.pointee.ring.statistics.kernelDrops }
    }
    let pc = worker.stage.counters
    m[drops: .policyDeny] = pc.droppedPackets
    m[drops: .sensorBlock] = worker.stage.l7.counters.sensorDrops
    m[drops: .failClosed] = dc.failDropped
    m[drops: .truncated] = truncated
    m[drops: .sendFailure] = sendFailures
    m.flowsActive = UInt64(worker.flows.count)
    m.flowsCreated = worker.flowCounters.created
    m.flowsTimedOut = worker.flowCounters.timedOut
    m.flowsEvicted = worker.flowCounters.evicted
    m.flowsReused = worker.flowCounters.reused
    m.flowsCapacity = UInt64(worker.flows.capacity)
    let pools = worker.stage.l7.parserPoolsExhausted
    m[parserPoolExhausted: .tls] = pools.tls
    m[parserPoolExhausted: .dnsTCP] = pools.dnsTCP
    m[parserPoolExhausted: .http] = pools.http
    m[parserPoolExhausted: .http2] = pools.http2
    m[parserPoolExhausted: .datastore] = pools.datastore
    m.sensorScannersExhausted = worker.stage.l7.sensors.counters.scannersExhausted
    m.flowsByApp = worker.stage.l7.counters.flowsByApp
    m.l7ParseErrors = worker.stage.l7.counters.parseErrors
    m[verdicts: .allow] = pc.allowed
    m[verdicts: .violate] = pc.violations
    m[verdicts: .deny] = pc.denied
    m[verdicts: .learn] = pc.learned
    m[verdicts: .unknown] = pc.unknownWorkload
    m[verdicts: .exempt] = pc.exempt
    m.eveSuppressed = worker.stage.suppressedRecords
    m.learnedShapes = UInt64(worker.stage.learned.count)
    m.learnedOverflow = worker.stage.learned.overflow
    m.sensorWouldBlock = worker.stage.l7.sensors.counters.wouldBlock
    m.sensorDisabledMatches = worker.stage.l7.sensors.counters.disabledMatches
    m.threats = worker.stage.l7.threats.counters
    m.ruleHits = HitTable()
    let policy = worker.stage.policy
    for i in 0..<policy.ruleCount where worker.stage.ruleHits[i] > 0 {
        m.ruleHits.record(policy.ruleID(at: i), count: worker.stage.ruleHits[i])
    }
    m.defaultRuleHits = worker.stage.defaultHits
    m.sensorMatches = HitTable()
    if let set = worker.stage.l7.sensors.set {
        for r in 0..<set.rules.count where worker.stage.l7.sensors.ruleAlerts[r] > 0 {
            m.sensorMatches.record(Int(set.rules[r].id), count: worker.stage.l7.sensors.ruleAlerts[r])
        }
    }
    m.decode = worker.decodeCounters
    m.defrag = worker.defrag.counters
    m.stream = worker.reassembler.counters
}
#endif

#if os(Linux)
/// Appends up to `limit` of the worker's active flows.
func listFlows(_ worker: inout Worker<PolicyStage>, into list: inout [FlowSummary], limit: Int) {
    let entries = worker.flows.entries
    worker.flows.forEachActive { i in
        let e = entries[Int(i)]
        list.append(FlowSummary(slot: i, flowID: e.flowID, client: e.client, server: e.server, clientPort: e.clientPort,
                                serverPort: e.serverPort, proto: e.proto, iface: e.iface, app: e.appProto, state: e.state,
                                firstSeen: e.firstSeen, lastSeen: e.lastSeen, packets: e.pktsToServer &+ e.pktsToClient,
                                bytes: e.bytesToServer &+ e.bytesToClient, verdict: 255))
        return list.count < limit
    }
    for k in list.indices { list[k].verdict = worker.stage.effect(of: list[k].slot, flowID: list[k].flowID) }
}
#endif

#if os(Linux)
/// Alerts, violations and denies so far: what capture-on-alert watches change.
@inline(__always)
func events(_ worker: inout Worker<PolicyStage>) -> UInt64 {
    worker.stage.l7.sensors.counters.alerts &+ worker.stage.counters.violations &+ worker.stage.counters.denied
}
#endif
