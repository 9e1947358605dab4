/// ASCII helpers over raw bytes: header names and tokens compare without case, and nothing
/// here builds a String on the packet path.
@usableFromInline enum ByteText {
    @inlinable static func lower(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
    }

    @inlinable static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C
    }

    /// Whether `b` equals `s` ignoring ASCII case.
    @inlinable static func equals(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        guard b.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for i in 0..<b.count where lower(b[i]) != lower(p[i]) { return false }
        return true
    }

    /// Whether `b` starts with `s` ignoring ASCII case.
    @inlinable static func hasPrefix(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        guard b.count >= s.utf8CodeUnitCount else { return false }
        return equals(UnsafeRawBufferPointer(rebasing: b[0..<s.utf8CodeUnitCount]), s)
    }

    /// Whether `s` occurs in `b` ignoring ASCII case.
    @inlinable static func contains(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard b.count >= n else { return false }
        for start in 0...(b.count - n) where equals(UnsafeRawBufferPointer(rebasing: b[start..<(start + n)]), s) {
            return true
        }
        return false
    }

    /// `b` without leading and trailing whitespace.
    @inlinable static func trim(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var s = 0, e = b.count
        while s < e && isSpace(b[s]) { s += 1 }
        while e > s && isSpace(b[e - 1]) { e -= 1 }
        return UnsafeRawBufferPointer(rebasing: b[s..<e])
    }

    /// A decimal number, or nil when `b` is empty, has a non-digit, or overflows 2^62.
    @inlinable static func decimal(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count > 0 else { return nil }
        var v: Int64 = 0
        for c in b {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            // Checked steps: a wire value such as 18446744073709551615 must be a parse error, not a trap.
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (sum, o2) = m.addingReportingOverflow(Int64(c &- UInt8(ascii: "0")))
            if o1 || o2 || sum > (1 << 62) { return nil }
            v = sum
        }
        return v
    }
}
