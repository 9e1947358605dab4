/// Open-addressing hash from `DatagramKey` to slot number, linear probing, at most half full so
/// probe chains stay short. Removal shifts entries back instead of leaving tombstones, so the
/// table never degrades however long the worker runs.
@usableFromInline
struct SlotIndex {
    /// Slot numbers, -1 for empty.
    @usableFromInline let table: UnsafeMutablePointer<Int32>
    @usableFromInline let mask: Int

    init(slotCapacity: Int) {
        var size = 16
        while size < slotCapacity * 2 { size <<= 1 }
        table = .allocate(capacity: size)
        table.initialize(repeating: -1, count: size)
        mask = size - 1
    }

    func deallocate() { table.deallocate() }

    /// The slot holding `key`, or -1.
    @inlinable
    func find(_ key: DatagramKey, hash: UInt64, slots: UnsafeMutablePointer<DatagramSlot>) -> Int32 {
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = table[i]
            if s < 0 { return -1 }
            if slots[Int(s)].hash == hash && slots[Int(s)].key == key { return s }
            i = (i &+ 1) & mask
        }
    }

    /// Adds `slot`, whose key is known to be absent.
    @inlinable
    func insert(_ slot: Int32, hash: UInt64) {
        var i = Int(truncatingIfNeeded: hash) & mask
        while table[i] >= 0 { i = (i &+ 1) & mask }
        table[i] = slot
    }

    /// Removes `slot`, which must be present, and closes the gap behind it.
    @inlinable
    func remove(_ slot: Int32, hash: UInt64, slots: UnsafeMutablePointer<DatagramSlot>) {
        var i = Int(truncatingIfNeeded: hash) & mask
        while table[i] != slot {
            if table[i] < 0 { return }
            i = (i &+ 1) & mask
        }
        var j = i
        while true {
            j = (j &+ 1) & mask
            let s = table[j]
            if s < 0 { break }
            let home = Int(truncatingIfNeeded: slots[Int(s)].hash) & mask
            // An entry may move back into the hole only if its home is not between hole and entry.
            let stays = i <= j ? (i < home && home <= j) : (i < home || home <= j)
            if stays { continue }
            table[i] = s
            i = j
        }
        table[i] = -1
    }
}
