import L7Core

/// One (source group, destination group) pair that some rule names, in the open-addressed pair
/// table: its run of port intervals in `portBounds`. `key == .max` marks an empty slot.
@usableFromInline struct PairSlot {
    @usableFromInline var key: UInt64 = .max
    @usableFromInline var offset: UInt32 = 0
    @usableFromInline var count: UInt32 = 0
    init() {}
}

/// Builds the rule side of the compiled policy. Rules are grouped by the (from, to) group pairs
/// they name; each pair cuts the protocol/port key space (`PortKey`) at its rules' range ends,
/// and each resulting interval gets an "answer": for every app slot (the `AppProto` raw value),
/// the first rule by id that matches there. Slot 0 (`unknown`) holds the first rule regardless
/// of its apps, so the lookup can tell "a rule that names apps comes first: wait for the app".
///
/// A lookup then costs a probe per (source group, destination group) pair the two addresses
/// belong to, plus a binary search over that pair's few port intervals — independent of how
/// many rules there are in total.
struct PortIndexBuilder {
    var pairSlots: [PairSlot] = []
    var bounds: [UInt32] = []
    var boundAnswers: [UInt32] = []
    var answers: [UInt32] = []
    let slots: Int

    struct RuleShape {
        var pairs: [UInt64]
        var ranges: [ClosedRange<UInt32>]
        /// Bit `a` set when the rule names app raw value `a`; 0 when it names none.
        var appMask: UInt32
    }

    init(slots: Int) { self.slots = slots }

    static func pairKey(_ from: UInt32, _ to: UInt32) -> UInt64 { UInt64(from) << 32 | UInt64(to) }

    mutating func build(rules: [RuleShape]) {
        var byPair: [UInt64: [Int]] = [:]
        for (r, shape) in rules.enumerated() {
            for p in shape.pairs { byPair[p, default: []].append(r) }
        }
        var cap = 16
        while cap < byPair.count * 2 { cap <<= 1 }
        pairSlots = Array(repeating: PairSlot(), count: cap)
        var interned: [[UInt32]: UInt32] = [:]
        var next: [Int] = []

        for key in byPair.keys.sorted() {
            let members = byPair[key]!
            var cuts = Set<UInt32>([0])
            var usedApps: UInt32 = 0
            for r in members {
                usedApps |= rules[r].appMask
                for k in rules[r].ranges {
                    cuts.insert(k.lowerBound)
                    if k.upperBound < PortKey.last { cuts.insert(k.upperBound + 1) }
                }
            }
            let pts = cuts.sorted()
            let n = pts.count
            var local = [UInt32](repeating: .max, count: n * slots)

            /// Paints, for one slot, every interval with the first (lowest-index) rule that
            /// matches it: rules in order, skipping intervals already painted through a
            /// "next unpainted" forest, so each interval is written once.
            func paint(slot: Int, accepts: (UInt32) -> Bool) {
                next = Array(0...n)
                func find(_ x: Int) -> Int {
                    var r = x
                    while next[r] != r { r = next[r] }
                    var y = x
                    while next[y] != r { let z = next[y]; next[y] = r; y = z }
                    return r
                }
                for r in members where accepts(rules[r].appMask) {
                    for k in rules[r].ranges {
                        let a = lowerIndex(pts, k.lowerBound)
                        let b = lowerIndex(pts, k.upperBound)
                        var i = find(a)
                        while i <= b {
                            local[i * slots + slot] = UInt32(r)
                            next[i] = i + 1
                            i = find(i + 1)
                        }
                    }
                }
            }
            let failedSlot = Int(AppProto.failed.rawValue)
            paint(slot: 0) { _ in true }
            paint(slot: failedSlot) { $0 == 0 }
            for s in 1..<slots where s != failedSlot {
                if usedApps & (1 << UInt32(s)) != 0 {
                    paint(slot: s) { $0 == 0 || $0 & (1 << UInt32(s)) != 0 }
                } else {
                    // No rule of this pair names the app: same as an app that names none.
                    for i in 0..<n { local[i * slots + s] = local[i * slots + failedSlot] }
                }
            }

            let offset = bounds.count
            for i in 0..<n {
                let vector = Array(local[(i * slots)..<((i + 1) * slots)])
                let id: UInt32
                if let known = interned[vector] {
                    id = known
                } else {
                    id = UInt32(answers.count / slots)
                    interned[vector] = id
                    answers += vector
                }
                if bounds.count > offset, boundAnswers.last == id { continue }
                bounds.append(pts[i])
                boundAnswers.append(id)
            }
            var slot = PairSlot()
            slot.key = key
            slot.offset = UInt32(offset)
            slot.count = UInt32(bounds.count - offset)
            var h = Int(truncatingIfNeeded: pairHash(key)) & (cap - 1)
            while pairSlots[h].key != .max { h = (h + 1) & (cap - 1) }
            pairSlots[h] = slot
        }
    }

    /// Index of the last cut not above `k`.
    func lowerIndex(_ pts: [UInt32], _ k: UInt32) -> Int {
        var lo = 0, hi = pts.count
        while hi - lo > 1 {
            let m = (lo + hi) / 2
            if pts[m] <= k { lo = m } else { hi = m }
        }
        return lo
    }
}

/// Spreads a pair key over the table (both group ids matter equally).
@inlinable @inline(__always) func pairHash(_ key: UInt64) -> UInt64 {
    var x = key &* 0x9E37_79B9_7F4A_7C15
    x ^= x >> 32
    return x
}

extension CompiledPolicy {
    /// The first rule (index in id order) that the pair (`from`, `to`) gives for port key
    /// `key` and app slot `slot`; `.max` when the pair has no rule or none matches there.
    @inlinable @inline(__always) func pairAnswer(from: UInt32, to: UInt32, key: UInt32, slot: Int) -> UInt32 {
        let k = UInt64(from) << 32 | UInt64(to)
        let mask = pairSlots.count &- 1
        var h = Int(truncatingIfNeeded: pairHash(k)) & mask
        while true {
            let s = pairSlots.base + h
            let sk = s.pointee.key
            if sk == k {
                let b = portBounds.base + Int(s.pointee.offset)
                var base = 0
                var len = Int(s.pointee.count)
                while len > 1 {
                    let half = len &>> 1
                    if b[base &+ half] <= key { base &+= half }
                    len &-= half
                }
                let ans = Int(boundAnswers.base[Int(s.pointee.offset) &+ base])
                return answers.base[ans &* answerSlots &+ slot]
            }
            if sk == .max { return .max }
            h = (h &+ 1) & mask
        }
    }
}
