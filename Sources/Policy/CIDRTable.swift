import Codecs

/// The address side of the compiled policy: the 128-bit address space cut into elementary
/// intervals at every CIDR boundary of every group, each carrying an interned "address class"
/// (the groups that contain the whole interval, split into those used as rule sources and those
/// used as destinations) and the workload whose block is most specific there.
///
/// A sorted interval table rather than a trie: groups overlap freely and an address belongs to
/// every group with a prefix containing it (not only the longest), which a flat table answers
/// with one binary search and no per-group walk.
struct CIDRTableBuilder {
    var starts: [IPAddress] = []
    var classOf: [UInt32] = []
    var workloadOf: [Int32] = []
    /// Four words per class: from-offset, from-count, to-offset, to-count into the group pool.
    var classes: [UInt32] = [0, 0, 0, 0]

    struct Block {
        var first: U128
        var last: U128
        var group: UInt32
        var prefix: Int
    }

    /// `groupWorkload[g]` is the workload of group id `g` (or -1); group ids start at 1.
    mutating func build(groups: [PolicyGroup], fromUsed: [Bool], toUsed: [Bool], groupWorkload: [Int32],
                        pool: inout [UInt32]) {
        var blocks: [Block] = []
        for (gi, g) in groups.enumerated() {
            for c in g.cidrs {
                for (a, b) in c.ranges { blocks.append(Block(first: a, last: b, group: UInt32(gi + 1), prefix: c.prefixLength)) }
            }
        }
        var points = Set<U128>([U128(hi: 0, lo: 0)])
        for b in blocks {
            points.insert(b.first)
            if b.last != .max { points.insert(b.last.plusOne) }
        }
        let sorted = points.sorted()
        let byStart = blocks.indices.sorted { blocks[$0].first < blocks[$1].first }
        let byEnd = blocks.indices.sorted { blocks[$0].last < blocks[$1].last }
        var si = 0, ei = 0
        var active = Set<Int>()
        var interned: [[UInt32]: UInt32] = [[UInt32.max]: 0]
        for p in sorted {
            while ei < byEnd.count, blocks[byEnd[ei]].last < p {
                active.remove(byEnd[ei]); ei += 1
            }
            while si < byStart.count, blocks[byStart[si]].first == p {
                active.insert(byStart[si]); si += 1
            }
            var gs = Set<UInt32>()
            var best: (prefix: Int, workload: Int32) = (-1, -1)
            for i in active {
                let b = blocks[i]
                gs.insert(b.group)
                let w = groupWorkload[Int(b.group)]
                if w >= 0 && (b.prefix > best.prefix || (b.prefix == best.prefix && w < best.workload)) { best = (b.prefix, w) }
            }
            let ordered = gs.sorted()
            let from = ordered.filter { fromUsed[Int($0)] }
            let to = ordered.filter { toUsed[Int($0)] }
            let key = from + [UInt32.max] + to
            let cls: UInt32
            if let c = interned[key] {
                cls = c
            } else {
                cls = UInt32(classes.count / 4)
                interned[key] = cls
                classes += [UInt32(pool.count), UInt32(from.count)]
                pool += from
                classes += [UInt32(pool.count), UInt32(to.count)]
                pool += to
            }
            // Neighbours with the same class and workload are one interval to the lookup.
            if let lc = classOf.last, lc == cls, workloadOf.last == best.workload { continue }
            starts.append(p.address)
            classOf.append(cls)
            workloadOf.append(best.workload)
        }
    }
}

/// A jump table over the interval table: for each value of an address's top 16 bits (of the
/// IPv4 value for IPv4, of the 128 bits for IPv6), the first interval that can hold it. The
/// binary search then runs over the few intervals between two neighbouring entries instead of
/// the whole table, which with thousands of blocks saves most of its cache misses and
/// mispredicted branches. Empty for small tables, where the plain search is already short.
enum CIDRJumpTable {
    static let minimumIntervals = 64

    static func build(_ starts: [IPAddress]) -> (v4: [UInt32], v6: [UInt32]) {
        guard starts.count >= minimumIntervals else { return ([], []) }
        func interval(_ a: IPAddress) -> UInt32 {
            var lo = 0, hi = starts.count
            while hi - lo > 1 {
                let m = (lo + hi) / 2
                if U128(starts[m]) <= U128(a) { lo = m } else { hi = m }
            }
            return UInt32(lo)
        }
        var v4 = [UInt32](), v6 = [UInt32]()
        v4.reserveCapacity(65537); v6.reserveCapacity(65537)
        for k in 0..<65536 {
            v4.append(interval(IPAddress(v4: UInt32(k) << 16)))
            v6.append(interval(IPAddress(hi: UInt64(k) << 48, lo: 0)))
        }
        v4.append(UInt32(starts.count - 1)); v6.append(UInt32(starts.count - 1))
        return (v4, v6)
    }
}

extension CompiledPolicy {
    /// The interval of the address table that holds `a`: the last start not above it.
    @inlinable @inline(__always) func addressInterval(_ a: IPAddress) -> Int {
        let s = addrStarts.base
        var base = 0
        var len = addrStarts.count
        if jumpV4.count != 0 {
            let j = a.isV4 ? jumpV4.base + Int(a.v4Value >> 16) : jumpV6.base + Int(a.hi >> 48)
            base = Int(j[0])
            len = Int(j[1]) &- base &+ 1
        }
        while len > 1 {
            let half = len &>> 1
            let m = s[base &+ half]
            // m <= a, as a 128-bit subtraction that must not borrow: no branch to mispredict.
            let (dlo, b1) = a.lo.subtractingReportingOverflow(m.lo)
            let (dhi, b2) = a.hi.subtractingReportingOverflow(m.hi)
            let b3 = dhi < (b1 ? 1 : 0)
            _ = dlo
            base &+= (b2 || b3) ? 0 : half
            len &-= half
        }
        return base
    }
}
