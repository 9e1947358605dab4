/// Slot lifecycle: taking a slot for a new datagram, giving it back, and timing datagrams out.
extension Defragmenter {
    /// Takes a slot for a new datagram, evicting the oldest one when the table is full.
    @inlinable
    mutating func acquire(_ key: DatagramKey, hash: UInt64, now: UInt64) -> Int32 {
        if held >= capacity, oldest >= 0 {
            release(Int(oldest), recycle: true)
            stats.tableFull &+= 1
        }
        // capacity + 1 slots, at most capacity held and one pending: the ring is never empty here.
        let s = freeRing[freeHead]
        freeHead = freeHead + 1 == capacity + 1 ? 0 : freeHead + 1
        freeCount -= 1
        let slot = slots + Int(s)
        slot.pointee = DatagramSlot()
        slot.pointee.key = key
        slot.pointee.hash = hash
        slot.pointee.firstSeen = now
        slot.pointee.older = newest
        if newest >= 0 { slots[Int(newest)].newer = s } else { oldest = s }
        newest = s
        index.insert(s, hash: hash)
        held += 1
        return s
    }

    /// Forgets the datagram in slot `s`. With `recycle` false the slot's bytes were just handed
    /// out, so it waits in `pendingFree` until the next call.
    @inlinable
    mutating func release(_ s: Int, recycle: Bool) {
        let slot = slots + s
        index.remove(Int32(s), hash: slot.pointee.hash, slots: slots)
        let older = slot.pointee.older, newer = slot.pointee.newer
        if older >= 0 { slots[Int(older)].newer = newer } else { oldest = newer }
        if newer >= 0 { slots[Int(newer)].older = older } else { newest = older }
        held -= 1
        if recycle { pushFree(Int32(s)) } else { pendingFree = Int32(s) }
    }

    @inlinable
    mutating func pushFree(_ s: Int32) {
        var tail = freeHead + freeCount
        if tail >= capacity + 1 { tail -= capacity + 1 }
        freeRing[tail] = s
        freeCount += 1
    }

    /// Drops timed-out datagrams from the front of the age list; stops at the first live one,
    /// so the cost is proportional to what expires.
    @inlinable
    mutating func expireOld(now: UInt64) {
        while oldest >= 0 {
            let first = slots[Int(oldest)].firstSeen
            // A clock that stepped back leaves datagrams alone rather than expiring them early.
            guard now > first, now - first > timeoutNanos else { return }
            release(Int(oldest), recycle: true)
            stats.timeouts &+= 1
        }
    }
}
