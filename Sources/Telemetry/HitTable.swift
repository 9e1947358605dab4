/// A bounded table of id -> count (policy rule ids, sensor rule sids), stored inline: 256
/// entries, open addressing with linear probing, no heap. Once 256 distinct ids are held, hits
/// for a new id are counted in `overflow` instead of being lost silently.
///
/// A slot is in use when its count is non-zero (an id enters with its first hit and never
/// leaves), so every id, 0 included, can be stored.
public struct HitTable: BitwiseCopyable, Sendable {
    @usableFromInline var keys = Counters256()
    @usableFromInline var counts = Counters256()
    @usableFromInline var usedSlots: Int = 0
    @usableFromInline var overflowHits: UInt64 = 0

    /// Distinct ids held.
    public var used: Int { usedSlots }
    /// Hits not recorded because the table was full when their id first came.
    public var overflow: UInt64 { overflowHits }

    /// Number of distinct ids the table holds at most.
    @inlinable public static var capacity: Int { Counters256.capacity }

    /// Empty.
    @inlinable public init() {}

    /// Adds `n` hits for `id`. Allocation-free; probes at most `capacity` slots (only a full
    /// table meeting a new id probes them all).
    @inlinable public mutating func record(_ id: Int, count n: UInt64 = 1) {
        guard n != 0 else { return }
        let key = UInt64(bitPattern: Int64(id))
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56)
        // 0: a new id took an empty slot; 1: the id's slot was found; 2: the table is full.
        let outcome: Int = withUnsafeMutableBytes(of: &counts) { c in
            withUnsafeMutableBytes(of: &keys) { k in
                for _ in 0..<Self.capacity {
                    let o = i &* 8
                    let have = c.load(fromByteOffset: o, as: UInt64.self)
                    if have == 0 {
                        k.storeBytes(of: key, toByteOffset: o, as: UInt64.self)
                        c.storeBytes(of: n, toByteOffset: o, as: UInt64.self)
                        return 0
                    }
                    if k.load(fromByteOffset: o, as: UInt64.self) == key {
                        c.storeBytes(of: have &+ n, toByteOffset: o, as: UInt64.self)
                        return 1
                    }
                    i = (i &+ 1) & (Self.capacity - 1)
                }
                return 2
            }
        }
        if outcome == 0 { usedSlots &+= 1 } else if outcome == 2 { overflowHits &+= n }
    }

    /// Hits recorded for `id` (0 when absent).
    public func count(of id: Int) -> UInt64 {
        let key = UInt64(bitPattern: Int64(id))
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56)
        for _ in 0..<Self.capacity {
            let have = counts[i]
            if have == 0 { return 0 }
            if keys[i] == key { return have }
            i = (i &+ 1) & (Self.capacity - 1)
        }
        return 0
    }

    /// Calls `body` with every id held and its count, in slot order.
    public func forEach(_ body: (_ id: Int, _ count: UInt64) -> Void) {
        for i in 0..<Self.capacity where counts[i] != 0 {
            body(Int(Int64(bitPattern: keys[i])), counts[i])
        }
    }
}

extension HitTable {
    /// Adds every id and count of `other` (and its overflow) into this table.
    public mutating func add(_ other: HitTable) {
        other.forEach { id, n in record(id, count: n) }
        overflowHits &+= other.overflowHits
    }
}
