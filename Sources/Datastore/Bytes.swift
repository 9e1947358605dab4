/// Bounds-free loads and small text tests shared by probes and parsers. Callers check lengths
/// first; these exist so that every protocol file reads the same way.
@usableFromInline enum Bytes {
    @inlinable static func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    @inlinable static func be32(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int {
        Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }
    /// A signed big-endian int32, for fields where -1 means "null".
    @inlinable static func be32s(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(Int32(truncatingIfNeeded: be32(b, i))) }
    @inlinable static func le24(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }
    @inlinable static func le32(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { le24(b, i) | Int(b[i + 3]) << 24 }

    /// `b[from..<to]`, clamped to `b`, empty when the range is inverted.
    @inlinable static func slice(_ b: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
        let lo = max(0, min(from, b.count)), hi = max(lo, min(to, b.count))
        return UnsafeRawBufferPointer(rebasing: b[lo..<hi])
    }

    @inlinable static func text(_ s: StaticString) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
    }

    /// Whether `b` starts with `s`.
    @inlinable static func startsWith(_ b: UnsafeRawBufferPointer, _ s: StaticString, at offset: Int = 0) -> Bool {
        let n = s.utf8CodeUnitCount
        guard b.count >= offset + n else { return false }
        for i in 0..<n where b[offset + i] != s.utf8Start[i] { return false }
        return true
    }

    /// Whether `b` and `s` agree on their common prefix (so a short `b` may still become `s`).
    @inlinable static func agrees(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        let n = min(b.count, s.utf8CodeUnitCount)
        for i in 0..<n where b[i] != s.utf8Start[i] { return false }
        return true
    }

    /// Whether `b` equals `s`, ignoring ASCII case.
    @inlinable static func equalsFolded(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        guard b.count == s.utf8CodeUnitCount else { return false }
        for i in 0..<b.count where upper(b[i]) != upper(s.utf8Start[i]) { return false }
        return true
    }

    @inlinable static func upper(_ c: UInt8) -> UInt8 { c >= 0x61 && c <= 0x7a ? c - 0x20 : c }
    @inlinable static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a }
    @inlinable static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    /// Printable ASCII, space included.
    @inlinable static func isPrintable(_ c: UInt8) -> Bool { c >= 0x20 && c < 0x7f }

    /// Index of the first NUL in `b[from..<min(to, count)]`, if any.
    @inlinable static func nul(_ b: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        var i = from
        let end = min(to, b.count)
        while i < end { if b[i] == 0 { return i }; i += 1 }
        return nil
    }

    /// Whether every byte of `b[from..<to]` is printable (the range is clamped to `b`).
    @inlinable static func allPrintable(_ b: UnsafeRawBufferPointer, from: Int, to: Int) -> Bool {
        var i = max(0, from)
        let end = min(to, b.count)
        while i < end { if !isPrintable(b[i]) { return false }; i += 1 }
        return true
    }
}
