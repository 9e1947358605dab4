import Codecs

/// Bounds repeated EVE records of one kind (policy denies, say) so a flood cannot fill the
/// disk: per key (the caller's: rule and source address), at most `perKey` records per window;
/// per worker, at most `perWorker` records per window whatever the keys (a flood from spoofed
/// sources has a new key per packet). A record over either bound is suppressed and counted;
/// the counts come back to the caller as ``Summary`` values (from ``nextDue()``) to write one
/// aggregate record each for: at the key's next record after its window, when its slot is
/// taken by another key, or from ``sweep(now:)``, so every suppressed record is accounted for
/// in the output.
///
/// A fixed, direct-mapped table allocated once: no allocation, lock or `String` per record;
/// two keys sharing a slot only make summaries come sooner.
public struct RecordLimiter: ~Copyable {
    /// What one slot remembers of a key.
    public struct Summary: Sendable {
        /// The caller's key; 0 for the worker-wide bound's slot.
        public var key: UInt64 = 0
        /// The caller's description of the key (rule, action, workload), for the aggregate.
        public var tag: UInt64 = 0
        /// The source address the key names (none for the worker-wide slot).
        public var source = IPAddress(hi: 0, lo: 0)
        /// When the window started and the last suppressed record's time (ns).
        public var windowStart: UInt64 = 0
        public var last: UInt64 = 0
        /// Records written in the window.
        public var written: UInt32 = 0
        /// Records suppressed since the last summary.
        public var suppressed: UInt64 = 0
        /// Whether this is the worker-wide bound's count (records of many keys).
        public var isWorkerWide: Bool { key == 0 }

        /// A slot for `key` whose window starts at `windowStart`.
        @inlinable public init(key: UInt64 = 0, tag: UInt64 = 0, source: IPAddress = IPAddress(hi: 0, lo: 0), windowStart: UInt64 = 0) {
            self.key = key
            self.tag = tag
            self.source = source
            self.windowStart = windowStart
        }
    }

    @usableFromInline let slots: UnsafeMutablePointer<Summary>
    @usableFromInline let mask: Int
    /// Counts handed over and not yet taken by ``nextDue()``.
    @usableFromInline let due: UnsafeMutablePointer<Summary>
    @usableFromInline var dueCount = 0
    @usableFromInline static let dueCapacity = 64
    /// Records allowed per key and per worker in each window; 0 turns the limiter off.
    public let perKey: UInt32
    public let perWorker: UInt32
    /// The window, in ns.
    public let window: UInt64
    /// The worker-wide window and its count.
    @usableFromInline var worker = Summary()
    /// Records suppressed so far (for metrics).
    public var suppressedTotal: UInt64 = 0

    /// A limiter of `capacity` slots (rounded up to a power of two) allowing `perKey` records
    /// per key and `perWorker` in all per `windowNanos`; `perKey == 0` allows everything.
    public init(perKey: UInt32 = 0, perWorker: UInt32 = 0, windowNanos: UInt64 = 1_000_000_000, capacity: Int = 1024) {
        var n = 1
        while n < (perKey == 0 ? 1 : max(1, min(capacity, 1 << 20))) { n <<= 1 }
        slots = .allocate(capacity: n)
        slots.initialize(repeating: Summary(), count: n)
        due = .allocate(capacity: Self.dueCapacity)
        mask = n - 1
        self.perKey = perKey
        self.perWorker = perWorker == 0 ? .max : perWorker
        window = max(1, windowNanos)
    }

    deinit {
        slots.deallocate()
        due.deallocate()
    }

    /// Whether the limiter is on.
    public var isEnabled: Bool { perKey > 0 }

    /// A count to write an aggregate record for, nil when none is due. Take them all after
    /// each ``admit(key:tag:source:now:)`` and ``sweep(now:)``.
    @inlinable public mutating func nextDue() -> Summary? {
        guard dueCount > 0 else { return nil }
        dueCount -= 1
        return due[dueCount]
    }

    @inlinable mutating func summarize(_ s: Summary) {
        // Never full after an admit (two at most, taken right after); a sweep stops first.
        guard dueCount < Self.dueCapacity else { return }
        due[dueCount] = s
        dueCount += 1
    }

    /// Decides one record of `key` (`tag` and `source` describe it) at `now`: true to write
    /// it, false when suppressed. A count that fell due (this key's previous window, or the
    /// key whose slot this one takes) is left for ``nextDue()``.
    @inlinable
    public mutating func admit(key: UInt64, tag: UInt64, source: IPAddress, now: UInt64) -> Bool {
        guard perKey > 0 else { return true }
        let k = key == 0 ? 1 : key
        if now &- worker.windowStart >= window || now < worker.windowStart {
            if worker.suppressed > 0 { summarize(worker) }
            worker = Summary(windowStart: now)
        }
        // The multiply's top bits pick the slot (`>>` binds tighter than `&*`, hence the parentheses).
        let s = slots + Int(truncatingIfNeeded: ((k ^ (k >> 29)) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        if s.pointee.key != k || now &- s.pointee.windowStart >= window || now < s.pointee.windowStart {
            if s.pointee.suppressed > 0 { summarize(s.pointee) }
            s.pointee = Summary(key: k, tag: tag, source: source, windowStart: now)
        }
        if s.pointee.written < perKey && worker.written < perWorker {
            s.pointee.written &+= 1
            worker.written &+= 1
            return true
        }
        suppressedTotal &+= 1
        // Over the worker-wide bound with room left for the key: the count goes to the
        // worker-wide slot, so the key's own slot never owes a summary it did not suppress.
        if s.pointee.written < perKey {
            worker.suppressed &+= 1
            worker.last = now
        } else {
            s.pointee.suppressed &+= 1
            s.pointee.last = now
        }
        return false
    }

    /// Hands over (to ``nextDue()``) the counts whose window ended by `now` (every count when
    /// `now` is `.max`, at shutdown), up to what the due list holds; the rest at the next
    /// sweep. Walks the whole table: call it every ~100 ms, not per record.
    /// Returns whether counts are left for the next sweep (the due list filled up).
    @discardableResult
    public mutating func sweep(now: UInt64) -> Bool {
        guard perKey > 0 else { return false }
        for i in 0...mask where slots[i].suppressed > 0 && (now == .max || now &- slots[i].windowStart >= window) {
            guard dueCount < Self.dueCapacity else { return true }
            summarize(slots[i])
            slots[i].suppressed = 0
        }
        if worker.suppressed > 0 && (now == .max || now &- worker.windowStart >= window) {
            guard dueCount < Self.dueCapacity else { return true }
            summarize(worker)
            worker.suppressed = 0
        }
        return false
    }
}
