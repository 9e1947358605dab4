#if os(Linux)
import Capture
import Codecs
import Enforce
import Engine
import Dispatch
import Glibc
import L7
import PacketIO
import Policy
import Sensors

/// Everything a worker thread starts from: its sockets and the shared, immutable pieces.
struct WorkerPlan: @unchecked Sendable {
    let index: Int
    let io: WorkerIO
    let engine: EngineConfig
    let l7: L7Config
    let sensorConfig: SensorConfig
    let sensorSet: SensorSet?
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
    if let set = plan.sensorSet, let e = try? SensorEngine(set: set, config: plan.sensorConfig) { sensors = e }
    var generation = plan.mailbox.generation
    let l7 = L7Stage(config: plan.l7, eveFD: plan.eveFD, sensors: sensors)
    var worker = Worker(config: plan.engine, stage: PolicyStage(l7: l7, policy: plan.mailbox.policy), eveFD: plan.eveFD)
    worker.stage.unknownWorkloadInterfaces = plan.mailbox.unknownInterfaces
    var resets = ResetSlots()
    var dc = DataplaneCounters()
    let io = plan.io
    plan.initialized.leave()
    var lastFlush = monotonicNanos()
    while !plan.stop.isStopped {
        let g = plan.mailbox.generation
        if g != generation {
            generation = g
            worker.stage.apply(plan.mailbox.policy)
            worker.stage.unknownWorkloadInterfaces = plan.mailbox.unknownInterfaces
            plan.mailbox.acknowledge(worker: plan.index, generation: g)
            dc.policiesApplied &+= 1
        }
        let wall = realtimeNanos()
        plan.capture?.poll(now: wall)
        var n = 0
        for i in 0..<io.pairCount {
            let p = io.pairs + i
            n += pump(&p.pointee.ringA, out: &p.pointee.txB, back: &p.pointee.txA, counters: &p.pointee.aToB,
                      iface: p.pointee.iface, worker: &worker, resets: &resets, wall: wall, plan: plan, dc: &dc)
            n += pump(&p.pointee.ringB, out: &p.pointee.txA, back: &p.pointee.txB, counters: &p.pointee.bToA,
                      iface: p.pointee.iface, worker: &worker, resets: &resets, wall: wall, plan: plan, dc: &dc)
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
            }
            t.pointee.ring.releaseConsumed()
            t.pointee.received &+= UInt64(k)
            n += k
        }
        let mono = monotonicNanos()
        if n == 0 {
            worker.tick(now: wall)
            if mono &- lastFlush > 100_000_000 { worker.flushEvents(); lastFlush = mono }
            io.wait(ms: 10)
        } else if mono &- lastFlush > 500_000_000 {
            worker.flushEvents()
            lastFlush = mono
        }
    }
    worker.shutdown()
    var report = WorkerReport()
    for i in 0..<io.pairCount {
        let p = io.pairs + i
        try? p.pointee.ringA.refreshKernelStatistics()
        try? p.pointee.ringB.refreshKernelStatistics()
        var a = p.pointee.ringA.statistics, b = p.pointee.ringB.statistics
        a.transmitted = p.pointee.txA.sent; a.transmitFailed = p.pointee.txA.failed
        b.transmitted = p.pointee.txB.sent; b.transmitFailed = p.pointee.txB.failed
        report.pairs.append((p.pointee.aToB, p.pointee.bToA, a, b))
    }
    for i in 0..<io.tapCount {
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

/// Frames ready on `ring`: inspected (unless late: then the fail mode decides), forwarded
/// out of `out` when passed; a dropped TCP segment gets a reset back out of `back` toward its
/// sender and one out of `out` toward its receiver.
@inline(__always)
func pump(_ ring: inout AFPacketRing, out: inout AFPacketTransmitter, back: inout AFPacketTransmitter,
          counters c: inout InlineDirectionCounters, iface: UInt16, worker: inout Worker<PolicyStage>,
          resets: inout ResetSlots, wall: UInt64, plan: WorkerPlan, dc: inout DataplaneCounters) -> Int {
    var n = 0
    resets.next = 0
    while n < 256, let f = ring.nextFrame() {
        n += 1
        c.received &+= 1
        c.receivedBytes &+= UInt64(f.packet.wireLength)
        if f.isTruncated { c.truncated &+= 1; continue }
        // Captures see every frame as it arrived, whatever the verdict.
        plan.capture?.offer(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp, iface: iface)
        let late = wall > f.packet.timestamp && wall &- f.packet.timestamp > plan.failAfterNanos
        let verdict: Verdict
        if late {
            if plan.failOpen { dc.bypassed &+= 1; verdict = .pass } else { dc.failDropped &+= 1; verdict = .drop }
        } else {
            verdict = worker.process(frame: f.packet.data, wireLength: f.packet.wireLength, timestamp: f.packet.timestamp,
                                     linkType: .ethernet, iface: iface)
        }
        if verdict == .drop {
            c.dropped &+= 1
            if !late, let r = resets.build(from: f.packet.data) {
                back.enqueue(bytes: r.back)
                out.enqueue(bytes: r.on)
                dc.resetsSent &+= 2
            }
            continue
        }
        if f.isSegmentationOffload { c.superFrames &+= 1 }
        out.enqueue(f)
        c.forwarded &+= 1
    }
    // The batch points into the ring and the reset slots: send it before either is reused.
    out.flush()
    back.flush()
    ring.releaseConsumed()
    return n
}
#endif
