import L7Core

/// Builds the normalized URI that sensors match on, so that `/a/%2e%2e/b`, `/a/../b`,
/// `\a\..\b` and `//b` all read `/b`: the forms an attacker uses to slip past a filter
/// that looks at the raw URI.
public enum URINormalizer {
    @inlinable static func hex(_ c: UInt8) -> Int {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c - UInt8(ascii: "A") + 10)
        default: return -1
        }
    }

    /// Normalizes the path-and-query part `raw` (an absolute URI's authority already removed)
    /// into `out`, returning the URI flags it raised. Path: percent-decoded once, `\` read as
    /// `/`, empty, `.` and `..` segments resolved. Query: percent-decoded, `+` read as space.
    /// An invalid escape is kept literally; `%25` followed by two hex digits is flagged as
    /// double encoding and decoded only once.
    @inlinable public static func normalize<let N: Int>(_ raw: UnsafeRawBufferPointer,
                                                        into out: inout FixedBytes<N>) -> HTTPFlags {
        var flags: HTTPFlags = []
        out.removeAll()
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: N) { buf -> HTTPFlags in
            var n = 0
            var cut = false
            var inQuery = false
            var i = 0
            @inline(__always) func put(_ b: UInt8) { if n < N { buf[n] = b; n += 1 } else { cut = true } }
            // Resolves the segment ending at `n` when a `/` (or the end of the path) arrives.
            // Returns whether the slash itself should be written.
            func endSegment() -> Bool {
                var s = n
                while s > 0 && buf[s - 1] != UInt8(ascii: "/") { s -= 1 }
                let len = n - s
                if s > 0 && len == 0 { return false }   // "//"
                if len == 1 && buf[s] == UInt8(ascii: ".") { n = s; return false }
                if len == 2 && buf[s] == UInt8(ascii: ".") && buf[s + 1] == UInt8(ascii: ".") {
                    // Drop ".." and the segment before it, keeping the slash that led to it.
                    var p = s - 1
                    if p <= 0 { if s > 0 { flags.insert(.uriAboveRoot) }; n = max(s, 0); return false }
                    p -= 1
                    while p > 0 && buf[p] != UInt8(ascii: "/") { p -= 1 }
                    n = buf[p] == UInt8(ascii: "/") ? p + 1 : 0
                    return false
                }
                return true
            }
            while i < raw.count {
                var c = raw[i]
                i += 1
                if !inQuery && c == UInt8(ascii: "?") {
                    _ = endSegment()
                    inQuery = true
                    put(c)
                    continue
                }
                if c == UInt8(ascii: "%") {
                    if i + 1 < raw.count, hex(raw[i]) >= 0, hex(raw[i + 1]) >= 0 {
                        c = UInt8(hex(raw[i]) << 4 | hex(raw[i + 1]))
                        if c == UInt8(ascii: "%"), i + 3 < raw.count, hex(raw[i + 2]) >= 0, hex(raw[i + 3]) >= 0 {
                            flags.insert(.uriDoubleEncoded)
                        }
                        i += 2
                    } else {
                        flags.insert(.uriInvalidEscape)
                    }
                } else if inQuery && c == UInt8(ascii: "+") {
                    c = UInt8(ascii: " ")
                }
                if !inQuery {
                    if c == UInt8(ascii: "\\") { c = UInt8(ascii: "/") }
                    if c == UInt8(ascii: "/") {
                        if n == 0 || endSegment() { put(c) }
                        continue
                    }
                }
                put(c)
            }
            if !inQuery && n > 0 {
                // A path ending in "." or ".." resolves like one followed by a slash.
                var s = n
                while s > 0 && buf[s - 1] != UInt8(ascii: "/") { s -= 1 }
                let len = n - s
                let dot = len == 1 && buf[s] == UInt8(ascii: ".")
                let dotdot = len == 2 && buf[s] == UInt8(ascii: ".") && buf[s + 1] == UInt8(ascii: ".")
                if (dot || dotdot) && s > 0 { _ = endSegment() }
            }
            out.append(UnsafeRawBufferPointer(start: buf.baseAddress, count: n))
            if cut { out.append(UInt8(0)) }   // full already: marks the field truncated
            return flags
        }
    }
}
