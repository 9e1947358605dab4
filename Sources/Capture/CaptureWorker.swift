import Synchronization

/// How captures reach running workers: the registry keeps each worker's list of sessions
/// under a lock and bumps a generation; a worker compares the generation (one atomic load)
/// between batches and takes the lock only when it moved, as the policy mailbox does.
final class CaptureMailbox: Sendable {
    let generation = Atomic<UInt64>(0)
    /// Per worker, the sessions it should run.
    let lists: Mutex<[[CaptureSession]]>

    init(workers: Int) { lists = Mutex(Array(repeating: [], count: workers)) }

    /// Tells the workers their lists changed.
    func publish() { generation.add(1, ordering: .releasing) }
}

/// One worker thread's view of the running captures. Owned and called by that thread only:
/// ``offer(frame:wireLength:timestamp:iface:)`` for every frame and ``poll(now:)`` once per
/// batch loop. With no capture running, `offer` is one load and a branch.
public final class CaptureWorker: @unchecked Sendable {
    /// The worker's number (its file in each capture is `worker-N.pcapng`).
    public let index: Int
    let mailbox: CaptureMailbox
    var sessions: [CaptureSession] = []
    var generation: UInt64 = .max

    init(index: Int, mailbox: CaptureMailbox) {
        self.index = index
        self.mailbox = mailbox
    }

    /// Whether any capture is in this worker's list (running or not yet closed).
    public var isActive: Bool { !sessions.isEmpty }

    /// Once per batch: takes the registry's new list when it changed (marking each session as
    /// this worker's), closes sessions whose capture ended or whose time passed, and flushes
    /// buffered frames now and then. `now` is the wall clock in ns since the epoch.
    public func poll(now: UInt64) {
        let g = mailbox.generation.load(ordering: .acquiring)
        if g != generation {
            generation = g
            sessions = mailbox.lists.withLock { lists in
                for s in lists[index] { s.adopted = true }
                return lists[index]
            }
        }
        for s in sessions { s.poll(now: now) }
    }

    /// Offers a frame from interface `iface` to every capture of this worker.
    @inline(__always)
    public func offer(frame: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64, iface: UInt16) {
        if sessions.isEmpty { return }
        for s in sessions { s.offer(frame: frame, wireLength: wireLength, timestamp: timestamp, iface: iface) }
    }
}
