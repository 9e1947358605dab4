/// Payload placement under the FIRST WINS overlap policy.
extension Defragmenter {
    /// Copies the parts of `f`'s payload that fill holes in slot `s` to `payloadArea`, and merges
    /// its range into the slot's sorted, coalesced ranges. Returns whether `f` overlapped bytes
    /// already held, or nil (nothing written) when the range array is full.
    @inlinable
    mutating func cover(slot s: Int, _ f: ParsedFragment, into payloadArea: UnsafeMutableRawPointer) -> Bool? {
        let r = ranges + s * rangeCapacity
        let n = Int(slots[s].rangeCount)
        let start = Int32(f.offset), end = Int32(f.end)
        // r[i..<j] are the ranges that overlap or touch [start, end); they merge with it.
        var i = 0
        while i < n && r[i].end < start { i += 1 }
        var j = i
        while j < n && r[j].start <= end { j += 1 }
        if i == j && n == rangeCapacity { return nil }

        var cursor = start
        var overlapped = false
        for k in i..<j {
            let rs = r[k].start, re = r[k].end
            if rs > cursor { copy(f, from: cursor, to: rs, into: payloadArea) }
            if rs < end && re > start { overlapped = true }
            if re > cursor { cursor = re }
        }
        if cursor < end { copy(f, from: cursor, to: end, into: payloadArea) }

        let merged = i < j ? CoveredRange(start: min(start, r[i].start), end: max(end, r[j - 1].end))
                           : CoveredRange(start: start, end: end)
        let stride = MemoryLayout<CoveredRange>.stride
        if i == j {
            UnsafeMutableRawPointer(r + i + 1).copyMemory(from: r + i, byteCount: (n - i) * stride)
        } else if j - i > 1 {
            UnsafeMutableRawPointer(r + i + 1).copyMemory(from: r + j, byteCount: (n - j) * stride)
        }
        r[i] = merged
        slots[s].rangeCount = Int32(n - (j - i) + 1)
        return overlapped
    }

    /// Copies payload bytes [from, to) of the rebuilt datagram out of `f`.
    @inlinable @inline(__always)
    func copy(_ f: ParsedFragment, from: Int32, to: Int32, into payloadArea: UnsafeMutableRawPointer) {
        let a = Int(from), b = Int(to)
        (payloadArea + a).copyMemory(from: f.payload + (a - f.offset), byteCount: b - a)
    }
}
