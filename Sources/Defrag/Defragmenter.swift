/// Rebuilds fragmented IPv4 and IPv6 datagrams for one worker.
///
/// All memory is allocated in `init`: a flat slot table, fixed coverage-range arrays, a hash
/// index, and one large byte region holding every slot's buffer (pages are only committed once
/// written, so idle slots cost address space, not memory). Fragment payloads are copied straight
/// to their final place, and the first fragment's header is put in front of them, so a complete
/// datagram is handed back without a further copy.
///
/// Overlaps are resolved FIRST WINS: bytes already held are kept and a later fragment only fills
/// holes (see `DefragConfig`). Not thread-safe; each worker owns its own.
public struct Defragmenter: ~Copyable {
    /// What happened so far; read it between packets. (Read-only to callers, like a
    /// `private(set)` property; stored as `stats` because `@inlinable` code cannot use a
    /// private setter.)
    @inlinable public var counters: DefragCounters { stats }

    @usableFromInline var stats = DefragCounters()

    /// Headroom in front of each slot's payload area, for the rebuilt header.
    @usableFromInline static var headroom: Int { ParsedFragment.maxIPv6Unfragmentable }

    /// Slot bookkeeping, `capacity + 1` entries: the spare one lets a just-returned slot sit out
    /// a call (see `insert`) without shrinking the table.
    @usableFromInline let slots: UnsafeMutablePointer<DatagramSlot>
    /// `rangeCapacity` entries per slot.
    @usableFromInline let ranges: UnsafeMutablePointer<CoveredRange>
    /// `bufferStride` bytes per slot, then two scratch buffers for atomic fragments.
    @usableFromInline let buffers: UnsafeMutableRawPointer
    /// Free slot numbers, a FIFO ring of `capacity + 1`, so a freed slot is reused as late as possible.
    @usableFromInline let freeRing: UnsafeMutablePointer<Int32>
    @usableFromInline let index: SlotIndex
    @usableFromInline let capacity: Int
    @usableFromInline let rangeCapacity: Int
    @usableFromInline let maxFragments: Int
    @usableFromInline let timeoutNanos: UInt64
    @usableFromInline let sizeLimitV4: Int
    @usableFromInline let sizeLimitV6: Int
    @usableFromInline let bufferStride: Int
    @usableFromInline let seed: UInt64
    @usableFromInline var freeHead = 0
    @usableFromInline var freeCount = 0
    /// Age list ends (slot numbers or -1); datagrams are appended as they start, so the oldest
    /// is always at the front for both expiry and eviction.
    @usableFromInline var oldest: Int32 = -1
    @usableFromInline var newest: Int32 = -1
    @usableFromInline var held = 0
    /// The slot whose bytes the last call returned, kept off the free ring for one call.
    @usableFromInline var pendingFree: Int32 = -1
    /// Which scratch buffer the next atomic fragment uses; alternating keeps the previous result intact.
    @usableFromInline var scratchTurn = 0

    /// Allocates everything the defragmenter will ever use, sized from `config` (values clamped
    /// as documented there).
    public init(config: DefragConfig) {
        capacity = min(max(config.maxDatagrams, 1), 65536)
        maxFragments = min(max(config.maxFragmentsPerDatagram, 1), Int(Int32.max))
        // Ranges are coalesced and all but the last end on 8-byte boundaries, so a datagram of
        // at most 65575 bytes never has more than ~4100 of them; more slots would be dead weight.
        rangeCapacity = min(maxFragments, 8192)
        timeoutNanos = config.timeoutNanos
        let size = min(max(config.maxDatagramSize, 0), 65535 + 40)
        sizeLimitV4 = min(size, 65535)
        sizeLimitV6 = size
        bufferStride = (Self.headroom + size + 63) & ~63
        seed = UInt64.random(in: .min ... .max)

        let slotCount = capacity + 1
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: DatagramSlot(), count: slotCount)
        // Left uninitialized: only entries below a slot's rangeCount are ever read, and a large
        // maxFragmentsPerDatagram should cost address space, not touched pages.
        ranges = .allocate(capacity: slotCount * rangeCapacity)
        buffers = .allocate(byteCount: (slotCount + 2) * bufferStride, alignment: 4096)
        freeRing = .allocate(capacity: slotCount)
        for i in 0..<slotCount { (freeRing + i).initialize(to: Int32(i)) }
        freeCount = slotCount
        index = SlotIndex(slotCapacity: slotCount)
    }

    deinit {
        slots.deallocate()
        ranges.deallocate()
        buffers.deallocate()
        freeRing.deallocate()
        index.deallocate()
    }

    /// Datagrams currently held.
    @inlinable public var inFlight: Int { held }

    /// Adds one fragment.
    ///
    /// - Parameters:
    ///   - ip: the fragment's IP datagram from the first byte of its IP header to the end of the
    ///     datagram (the caller already trimmed link padding using the IP length).
    ///   - fragmentHeaderOffset: for IPv6, the offset (from the start of `ip`) of the IPv6
    ///     Fragment extension header; ignored for IPv4.
    ///   - vlan: distinguishes otherwise identical datagrams seen on different VLANs.
    ///   - now: packet time in nanoseconds, for the timeout.
    /// - Returns: `.reassembled` with a complete IP datagram (header + payload) that stays valid
    ///   until the next call on this defragmenter; `ip` may point into that buffer (a fragment
    ///   tunnelled inside a rebuilt datagram).
    @inlinable
    public mutating func insert(ip: UnsafeRawBufferPointer, fragmentHeaderOffset: Int, vlan: UInt16,
                                now: UInt64) -> DefragResult {
        // The previous result's slot may hold `ip` itself, so it rejoins the free ring only once
        // this call is done reading `ip`.
        let previous = pendingFree
        pendingFree = -1
        let result = accept(ip, fragmentHeaderOffset: fragmentHeaderOffset, vlan: vlan, now: now)
        if previous >= 0 { pushFree(previous) }
        return result
    }

    /// Drops datagrams older than the timeout (counted as timeouts); cheap to call often: it only
    /// looks at the oldest datagrams. `insert` does this too, so idle workers are what need it.
    @inlinable
    public mutating func expire(now: UInt64) {
        if pendingFree >= 0 { pushFree(pendingFree); pendingFree = -1 }
        expireOld(now: now)
    }
}

/// Safe to hand to another thread: it is noncopyable, so its storage has exactly one owner.
extension Defragmenter: @unchecked Sendable {}
