import Synchronization

/// One worker's share of one capture: its own pcapng file, written by that worker alone.
///
/// Why one file per worker: a frame is only ever in one worker (the kernel's fanout sends
/// both directions of a flow to the same one), so per-worker files lose nothing, and they let
/// every worker write without a lock, without a queue to a writer thread and without copying
/// the frame twice. The price is paid at download, off the packet path:
/// ``CaptureRegistry/pcapng(id:)`` merges the workers' files into one ordered by timestamp.
/// The limits are capture-wide: workers share the totals through ``CaptureControl`` atomics,
/// touched only for matching frames.
///
/// The counters are written by the worker and read by the API thread, so they are atomics,
/// but with a single writer each is a plain load and store (no locked instruction).
public final class CaptureSession: @unchecked Sendable {
    /// The capture's id.
    public let id: String
    /// The worker this session belongs to.
    public let worker: Int
    /// The compiled filter, shared by the capture's sessions.
    public let filter: PacketFilter
    /// Bytes kept of each frame.
    public let snapLength: Int
    /// The capture's limits.
    public let limits: CaptureLimits
    /// This session's pcapng file.
    public let path: String
    /// Frame timestamp (ns since the epoch) at which the time limit ends the capture.
    public let deadline: UInt64
    let control: CaptureControl
    let budget: DiskBudget
    let writer: PcapngWriter
    /// Per interface number (the worker's `iface`): 1 + the pcapng interface id, 0 for an
    /// interface this capture does not listen on. A flat array so the check is one load.
    let interfaceSlots: [UInt32]

    let seenCount = Atomic<UInt64>(0)
    let matchedCount = Atomic<UInt64>(0)
    let writtenCount = Atomic<UInt64>(0)
    let byteCount = Atomic<UInt64>(0)
    /// File bytes taken from the budget (header included), given back when the file is deleted.
    let reservedBytes = Atomic<Int>(0)
    let closedFlag = Atomic<Bool>(false)
    /// Whether a worker took this session (set and read under the registry's lock only).
    var adopted = false
    /// Monotonic-free wall time of the last flush, kept by the owning worker.
    var lastFlush: UInt64 = 0

    /// A session writing `path` for `interfaces` (iface number and name); the file header is
    /// written now, so open errors reach the API caller.
    init(id: String, worker: Int, filter: PacketFilter, snapLength: Int, limits: CaptureLimits, startedAt: UInt64,
         interfaces: [(iface: UInt16, name: String)], path: String, control: CaptureControl, budget: DiskBudget) throws(CaptureError) {
        self.id = id
        self.worker = worker
        self.filter = filter
        self.snapLength = snapLength
        self.limits = limits
        self.path = path
        self.control = control
        self.budget = budget
        // Clamped: the registry refuses more than a week, and no value may trap here.
        let seconds = limits.seconds.isFinite ? min(max(limits.seconds, 0), CaptureLimits.maxSeconds) : 0
        deadline = seconds > 0 ? startedAt &+ UInt64(seconds * 1e9) : .max
        writer = try PcapngWriter(path: path, bufferSize: 128 * 1024)
        var slots = [UInt32](repeating: 0, count: Int(interfaces.map(\.iface).max() ?? 0) + 1)
        for i in interfaces { slots[Int(i.iface)] = try writer.addInterface(name: i.name, snapLength: snapLength) + 1 }
        interfaceSlots = slots
        try writer.flush()
        budget.force(writer.bytesWritten)
        reservedBytes.store(writer.bytesWritten, ordering: .relaxed)
        lastFlush = startedAt
    }

    /// Whether the file is closed (by the worker, or by the registry before any worker took it).
    public var isClosed: Bool { closedFlag.load(ordering: .acquiring) }

    /// This session's counts.
    public var counters: CaptureCounters {
        var c = CaptureCounters()
        c.seen = seenCount.load(ordering: .relaxed)
        c.matched = matchedCount.load(ordering: .relaxed)
        c.written = writtenCount.load(ordering: .relaxed)
        c.bytes = byteCount.load(ordering: .relaxed)
        c.fileBytes = UInt64(reservedBytes.load(ordering: .relaxed))
        return c
    }

    @inline(__always) private func bump(_ a: borrowing Atomic<UInt64>, _ n: UInt64 = 1) {
        a.store(a.load(ordering: .relaxed) &+ n, ordering: .relaxed)
    }

    /// Offers one frame seen by this session's worker on interface `iface` at `timestamp`
    /// (ns since the epoch): written when the capture listens on `iface`, the filter matches
    /// and the limits and disk budget allow. For a frame of another interface this is two
    /// loads and a compare; for a non-matching frame, those plus the BPF program.
    @inline(__always)
    public func offer(frame: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64, iface: UInt16) {
        let i = Int(iface)
        guard i < interfaceSlots.count, interfaceSlots[i] != 0, !closedFlag.load(ordering: .relaxed) else { return }
        if control.reasonCode.load(ordering: .relaxed) != 0 { close(); return }
        if timestamp >= deadline { end(.timeLimit); return }
        bump(seenCount)
        guard filter.matches(frame: frame, wireLength: wireLength) else { return }
        bump(matchedCount)
        write(frame: frame, wireLength: wireLength, timestamp: timestamp, interface: interfaceSlots[i] - 1)
    }

    /// The matching path: limits, budget, then the block.
    private func write(frame: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64, interface: UInt32) {
        let caplen = min(frame.count, snapLength)
        var lastPacket = false
        if limits.packets > 0 {
            let before = control.packets.wrappingAdd(1, ordering: .relaxed).oldValue
            if before >= limits.packets { end(.packetLimit); return }
            lastPacket = before + 1 == limits.packets
        }
        if limits.bytes > 0 {
            let before = control.bytes.wrappingAdd(UInt64(caplen), ordering: .relaxed).oldValue
            if before + UInt64(caplen) > limits.bytes { end(.byteLimit); return }
        }
        let block = PcapngWriter.packetBlockLength(capturedLength: caplen)
        guard budget.reserve(block) else { end(.diskBudget); return }
        do {
            try writer.writePacket(interface: interface, timestamp: timestamp, frame: frame, wireLength: wireLength)
        } catch {
            budget.release(block)
            end(.writeFailed)
            return
        }
        reservedBytes.store(reservedBytes.load(ordering: .relaxed) + block, ordering: .relaxed)
        bump(writtenCount)
        bump(byteCount, UInt64(caplen))
        if lastPacket { end(.packetLimit) }
    }

    /// Ends the capture for `reason` (unless another reason came first) and closes this file.
    func end(_ reason: CaptureStopReason) {
        control.finish(reason)
        close()
    }

    /// Called by the owning worker between batches: closes the file once the capture ended
    /// or its time passed (even with no traffic), and flushes buffered frames every
    /// `flushInterval` ns so a download of a running capture sees them.
    public func poll(now: UInt64, flushInterval: UInt64 = 200_000_000) {
        guard !closedFlag.load(ordering: .relaxed) else { return }
        if control.reasonCode.load(ordering: .relaxed) != 0 { close(); return }
        if now >= deadline { end(.timeLimit); return }
        if now &- lastFlush >= flushInterval {
            lastFlush = now
            do { try writer.flush() } catch { end(.writeFailed) }
        }
    }

    /// Flushes and closes the file; idempotent. Only the owner (worker, or registry before
    /// adoption) calls it.
    func close() {
        guard !closedFlag.load(ordering: .relaxed) else { return }
        do { try writer.close() } catch { control.finish(.writeFailed) }
        closedFlag.store(true, ordering: .releasing)
    }
}
