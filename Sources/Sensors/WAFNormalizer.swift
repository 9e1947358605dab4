/// The normalizations WAF contexts see, so that an attack written with escapes reads the same
/// as one written plainly. DLP contexts keep the raw bytes.
public enum WAFNormalizer {
    @inlinable static func hex(_ c: UInt8) -> Int {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        default: return -1
        }
    }

    /// Rounds of percent-decoding: enough for double and triple encoding (`%25252e`).
    public static let urlRounds = 3

    /// Normalizes a request target into `out` and returns the length written: percent-decoded
    /// repeatedly until nothing changes (up to ``urlRounds``), `+` read as space after `?`,
    /// `\` read as `/`. Dot segments are kept, so traversal stays visible. `out` must hold at
    /// least `raw.count` bytes; decoding never lengthens.
    @inlinable
    public static func url(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        var n = min(raw.count, out.count)
        guard n > 0, let base = raw.baseAddress else { return 0 }
        out.baseAddress!.copyMemory(from: base, byteCount: n)
        var round = 0
        var changed = true
        while changed && round < urlRounds {
            (n, changed) = percentDecodeInPlace(out, count: n, plusIsSpace: false)
            round += 1
        }
        var inQuery = false
        for i in 0..<n {
            let b = out[i]
            if b == 0x5C { out[i] = 0x2F }
            else if b == 0x3F { inQuery = true }
            else if b == 0x2B && inQuery { out[i] = 0x20 }
        }
        return n
    }

    /// One round of percent-decoding of `buf[0..<count]` in place; invalid escapes stay as
    /// written. Returns the new length and whether anything was decoded.
    @inlinable
    static func percentDecodeInPlace(_ buf: UnsafeMutableRawBufferPointer, count: Int, plusIsSpace: Bool) -> (Int, Bool) {
        var r = 0, w = 0
        var changed = false
        while r < count {
            let b = buf[r]
            if b == 0x25, r + 2 < count {
                let h = hex(buf[r + 1]), l = hex(buf[r + 2])
                if h >= 0 && l >= 0 {
                    buf[w] = UInt8(h << 4 | l); w += 1; r += 3; changed = true
                    continue
                }
            }
            buf[w] = plusIsSpace && b == 0x2B ? 0x20 : b
            w += 1; r += 1
        }
        return (w, changed)
    }

    /// Writes `name: value` into `out` (cut to its size) and returns the length: the form the
    /// `header` context matches.
    @inlinable
    public static func headerLine(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                                  into out: UnsafeMutableRawBufferPointer) -> Int {
        var n = 0
        @inline(__always) func put(_ src: UnsafeRawBufferPointer) {
            let k = min(src.count, out.count - n)
            if k > 0 { (out.baseAddress! + n).copyMemory(from: src.baseAddress!, byteCount: k); n += k }
        }
        put(name)
        if n + 2 <= out.count { out[n] = 0x3A; out[n + 1] = 0x20; n += 2 }
        put(value)
        return n
    }
}

/// Percent- and plus-decoding of a form body that arrives in pieces: an escape split between
/// two pieces (`%4` | `1`) is carried over, so the decoded stream is the same however the body
/// was cut.
public struct FormDecoder: Sendable {
    /// Bytes of an escape cut at the end of the last piece, `%` included (0 when none).
    @usableFromInline var pending: (UInt8, UInt8) = (0, 0)
    @usableFromInline var pendingCount = 0

    /// A decoder at the start of a body.
    @inlinable public init() {}

    /// Decodes `input` into `out` (at least `input.count + 2` bytes) and returns the length.
    @inlinable
    public mutating func decode(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        // The carried bytes of a cut escape and this piece are decoded as one run, so an
        // escape that turns out invalid is read again byte by byte, exactly as it would be
        // had the body not been cut there (`%4` | `%41` is `%4A`, `%+` | `x` is `% x`).
        let carried = pendingCount
        let carry0 = pending.0, carry1 = pending.1
        pendingCount = 0
        @inline(__always) func at(_ k: Int) -> UInt8 {
            k < carried ? (k == 0 ? carry0 : carry1) : input[k - carried]
        }
        let total = carried + input.count
        var w = 0
        var i = 0
        while i < total {
            let b = at(i)
            if b == 0x25 {
                let left = total - i - 1
                if left < 2 {
                    pending.0 = b
                    if left == 1 { pending.1 = at(i + 1) }
                    pendingCount = 1 + left
                    return w
                }
                let h = WAFNormalizer.hex(at(i + 1)), l = WAFNormalizer.hex(at(i + 2))
                if h >= 0 && l >= 0 { out[w] = UInt8(h << 4 | l); w += 1; i += 3; continue }
            }
            out[w] = b == 0x2B ? 0x20 : b
            w += 1; i += 1
        }
        return w
    }
}
