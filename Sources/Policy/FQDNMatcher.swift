/// One entry of the name table: an exact name or a wildcard suffix, and the name class it
/// resolves to. `length == 0` marks an empty slot (names are never empty).
@usableFromInline struct NameSlot {
    @usableFromInline var hash: UInt64 = 0
    @usableFromInline var offset: UInt32 = 0
    @usableFromInline var length: UInt16 = 0
    @usableFromInline var wildcard: Bool = false
    @usableFromInline var nameClass: UInt32 = 0
    init() {}
}

/// Name hashing shared by the builder and the lookup. Bytes are folded right to left, so one
/// pass over a name yields the hash of every suffix at its label boundaries as it goes.
@usableFromInline enum NameHash {
    @usableFromInline static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    @inlinable @inline(__always) static func step(_ h: UInt64, _ byte: UInt8) -> UInt64 {
        (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    @inlinable @inline(__always) static func slot(_ h: UInt64, wildcard: Bool) -> UInt64 {
        var x = h ^ (wildcard ? 0x5851_f42d_4c95_7f2d : 0)
        x ^= x >> 31
        x = x &* 0x9E37_79B9_7F4A_7C15
        return x ^ (x >> 29)
    }
    @inlinable @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
    static func of(_ name: String) -> UInt64 {
        var h = seed
        for b in name.utf8.reversed() { h = step(h, lower(b)) }
        return h
    }
}

/// Builds the name table. Each entry's class is closed over the wildcards above it, so a
/// lookup needs only its most specific hit: an exact name carries the groups of every
/// `*.suffix` that also matches it, and `*.a.example.com` carries those of `*.example.com`.
struct FQDNTableBuilder {
    var slots: [NameSlot] = []
    var bytes: [UInt8] = []
    /// Two words per name class (offset, count into the group pool); class 0 is "no group".
    var classes: [UInt32] = [0, 0]

    mutating func build(groups: [PolicyGroup], toUsed: [Bool], pool: inout [UInt32]) {
        var exact: [String: Set<UInt32>] = [:]
        var wild: [String: Set<UInt32>] = [:]
        for (gi, g) in groups.enumerated() where toUsed[gi + 1] {
            for p in g.fqdns {
                if p.isWildcard { wild[p.name, default: []].insert(UInt32(gi + 1)) } else { exact[p.name, default: []].insert(UInt32(gi + 1)) }
            }
        }
        /// Groups of every wildcard that matches names under `name` at or above it.
        func closure(of name: String, includingSelf: Bool) -> Set<UInt32> {
            var out = Set<UInt32>()
            if includingSelf { out.formUnion(wild[name] ?? []) }
            var rest = Substring(name)
            while let dot = rest.firstIndex(of: ".") {
                rest = rest[rest.index(after: dot)...]
                out.formUnion(wild[String(rest)] ?? [])
            }
            return out
        }
        var entries: [(name: String, wildcard: Bool, groups: Set<UInt32>)] = []
        for (n, gs) in exact { entries.append((n, false, gs.union(closure(of: n, includingSelf: false)))) }
        for n in wild.keys { entries.append((n, true, closure(of: n, includingSelf: true))) }
        entries.sort { ($0.name, $0.wildcard ? 1 : 0) < ($1.name, $1.wildcard ? 1 : 0) }

        if entries.isEmpty { return }
        var cap = 16
        while cap < entries.count * 2 { cap <<= 1 }
        slots = Array(repeating: NameSlot(), count: cap)
        var interned: [[UInt32]: UInt32] = [[]: 0]
        for e in entries {
            let list = e.groups.sorted()
            let cls: UInt32
            if let c = interned[list] {
                cls = c
            } else {
                cls = UInt32(classes.count / 2)
                interned[list] = cls
                classes += [UInt32(pool.count), UInt32(list.count)]
                pool += list
            }
            var s = NameSlot()
            s.hash = NameHash.of(e.name)
            s.offset = UInt32(bytes.count)
            s.length = UInt16(e.name.utf8.count)
            s.wildcard = e.wildcard
            s.nameClass = cls
            bytes += Array(e.name.utf8)
            var i = Int(truncatingIfNeeded: NameHash.slot(s.hash, wildcard: e.wildcard)) & (cap - 1)
            while slots[i].length != 0 { i = (i + 1) & (cap - 1) }
            slots[i] = s
        }
    }
}

extension CompiledPolicy {
    /// The FQDN groups `name` (a TLS SNI, an HTTP Host, or a name from the `NameCache`) puts
    /// its destination in; compared without case, a trailing dot and a `:port` ignored.
    /// No allocation: the result is one interned class held inline.
    @inlinable public func fqdnGroups(matching name: UnsafeRawBufferPointer) -> GroupSet {
        guard nameSlots.count > 0, let base = name.baseAddress, name.count > 0 else { return .empty }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var end = name.count
        // A Host header may carry a port; an IPv6 literal has more than one colon and no name.
        var colon = -1
        var i = end &- 1
        while i >= 0 {
            if p[i] == 0x3a { if colon >= 0 { colon = -2; break }; colon = i }
            i &-= 1
        }
        if colon >= 0 {
            var digits = true
            var j = colon &+ 1
            while j < end { if p[j] &- 0x30 >= 10 { digits = false }; j &+= 1 }
            if !digits { return .empty }
            end = colon
        } else if colon == -2 {
            return .empty
        }
        if end > 0 && p[end &- 1] == 0x2e { end &-= 1 }
        if end <= 0 || end > 253 { return .empty }
        var h = NameHash.seed
        var deepest: UInt32 = 0
        i = end &- 1
        while i >= 0 {
            let b = NameHash.lower(p[i])
            // Before folding in a dot, `h` is the hash of the labels to its right: a
            // wildcard there matches. The leftmost hit is the most specific and its class
            // already holds the shallower ones'.
            if b == 0x2e, i > 0, i &+ 1 < end, let c = nameClass(h, p + (i &+ 1), end &- i &- 1, wildcard: true) { deepest = c }
            h = NameHash.step(h, b)
            i &-= 1
        }
        if let c = nameClass(h, p, end, wildcard: false) { return GroupSet(single: c) }
        return GroupSet(single: deepest)
    }

    /// `fqdnGroups(matching:)` for a `String` (tests and tools).
    public func fqdnGroups(matching name: String) -> GroupSet {
        var s = name
        return s.withUTF8 { fqdnGroups(matching: UnsafeRawBufferPointer($0)) }
    }

    @inlinable func nameClass(_ h: UInt64, _ p: UnsafePointer<UInt8>, _ n: Int, wildcard: Bool) -> UInt32? {
        let mask = nameSlots.count &- 1
        var i = Int(truncatingIfNeeded: NameHash.slot(h, wildcard: wildcard)) & mask
        while true {
            let s = nameSlots.base + i
            if s.pointee.length == 0 { return nil }
            if s.pointee.hash == h && s.pointee.wildcard == wildcard && Int(s.pointee.length) == n {
                let stored = nameBytes.base + Int(s.pointee.offset)
                var k = 0
                while k < n && stored[k] == NameHash.lower(p[k]) { k &+= 1 }
                if k == n { return s.pointee.nameClass }
            }
            i = (i &+ 1) & mask
        }
    }
}
