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
        ranges = .allocate(capacity: slotCount * rangeCapacity)
        ranges.initialize(repeating: CoveredRange(start: 0, end: 0), count: slotCount * rangeCapacity)
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

    @inlinable
    mutating func accept(_ ip: UnsafeRawBufferPointer, fragmentHeaderOffset: Int, vlan: UInt16,
                         now: UInt64) -> DefragResult {
        stats.fragments &+= 1
        expireOld(now: now)
        guard let f = ParsedFragment.parse(ip, fragmentHeaderOffset: fragmentHeaderOffset, vlan: vlan) else {
            stats.invalid &+= 1
            return .dropped
        }
        let limit = f.key.version == 4 ? sizeLimitV4 : sizeLimitV6
        // A lone fragment needs no table entry, and must not evict datagrams that do (RFC 6946).
        if f.offset == 0 && !f.more { return rebuildAtomic(f, limit: limit) }
        let hash = f.key.hash(seed: seed)
        var s = index.find(f.key, hash: hash, slots: slots)
        if s < 0 {
            // Checked before taking a slot so that a doomed fragment evicts nobody.
            guard f.headerLength + f.end <= limit else { stats.tooLarge &+= 1; return .dropped }
            s = acquire(f.key, hash: hash, now: now)
        }
        return add(f, slot: Int(s), limit: limit)
    }

    /// Adds `f` to the datagram in slot `s`, completing it if this was the last piece missing.
    @inlinable
    mutating func add(_ f: ParsedFragment, slot s: Int, limit: Int) -> DefragResult {
        let slot = slots + s
        if Int(slot.pointee.fragmentCount) >= maxFragments {
            release(s, recycle: true); stats.tooManyFragments &+= 1; return .dropped
        }
        slot.pointee.fragmentCount += 1
        let hl = slot.pointee.headerLength != 0 ? Int(slot.pointee.headerLength) : f.headerLength
        let heldEnd = Int(slot.pointee.maxEnd)
        let maxEnd = max(heldEnd, f.end)
        if hl + maxEnd > limit {
            release(s, recycle: true); stats.tooLarge &+= 1; return .dropped
        }
        // A datagram has one end: a second last fragment that disagrees, data past the end, or a
        // last fragment short of data already held means someone is lying; trust neither copy.
        let totalEnd = Int(slot.pointee.totalEnd)
        let contradicts = f.more ? (totalEnd >= 0 && f.end > totalEnd)
                                 : ((totalEnd >= 0 && f.end != totalEnd) || f.end < heldEnd)
        if contradicts {
            release(s, recycle: true); stats.invalid &+= 1; return .dropped
        }
        let buffer = buffers + s * bufferStride
        let payloadArea = buffer + Self.headroom
        guard let overlapped = cover(slot: s, f, into: payloadArea) else {
            release(s, recycle: true); stats.tooManyFragments &+= 1; return .dropped
        }
        if overlapped { stats.overlaps &+= 1 }
        if f.offset == 0 && slot.pointee.headerLength == 0 {
            (payloadArea - f.headerLength).copyMemory(from: f.ip, byteCount: f.headerLength)
            slot.pointee.headerLength = Int32(f.headerLength)
            slot.pointee.nextHeaderPos = Int32(f.nextHeaderPos)
            slot.pointee.fragmentNextHeader = f.fragmentNextHeader
        }
        slot.pointee.maxEnd = Int32(maxEnd)
        if !f.more { slot.pointee.totalEnd = Int32(f.end) }

        let end = slot.pointee.totalEnd
        let first = ranges[s * rangeCapacity]
        guard end >= 0, slot.pointee.rangeCount == 1, first.start == 0, first.end == end else {
            return .incomplete
        }
        // Coverage from 0 means the offset-0 fragment arrived, so the header is in place.
        let headerLength = Int(slot.pointee.headerLength)
        let start = payloadArea - headerLength
        DatagramHeader.finish(start, version: slot.pointee.key.version, headerLength: headerLength,
                              payloadLength: Int(end), nextHeaderPos: Int(slot.pointee.nextHeaderPos),
                              fragmentNextHeader: slot.pointee.fragmentNextHeader)
        release(s, recycle: false)
        stats.reassembled &+= 1
        return .reassembled(UnsafeRawBufferPointer(start: start, count: headerLength + Int(end)))
    }

    /// An offset-0 fragment without MF is a whole datagram already; rebuild it in a scratch buffer.
    @inlinable
    mutating func rebuildAtomic(_ f: ParsedFragment, limit: Int) -> DefragResult {
        guard f.headerLength + f.end <= limit else { stats.tooLarge &+= 1; return .dropped }
        let payloadArea = buffers + (capacity + 1 + scratchTurn) * bufferStride + Self.headroom
        scratchTurn ^= 1
        let start = payloadArea - f.headerLength
        start.copyMemory(from: f.ip, byteCount: f.headerLength)
        payloadArea.copyMemory(from: f.payload, byteCount: f.length)
        DatagramHeader.finish(start, version: f.key.version, headerLength: f.headerLength,
                              payloadLength: f.length, nextHeaderPos: f.nextHeaderPos,
                              fragmentNextHeader: f.fragmentNextHeader)
        stats.reassembled &+= 1
        return .reassembled(UnsafeRawBufferPointer(start: start, count: f.headerLength + f.length))
    }
}

/// Safe to hand to another thread: it is noncopyable, so its storage has exactly one owner.
extension Defragmenter: @unchecked Sendable {}
