/// The path one fragment takes: parse, find or start its datagram, place its bytes, and rebuild
/// the datagram once nothing is missing.
extension Defragmenter {
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
