import L7Core

/// Small text appenders used to build JA3/JA4 strings and EVE values in inline storage.
extension FixedBytes {
    /// Appends the decimal form of `value`.
    @inlinable mutating func appendDecimal(_ value: UInt64) {
        var digits = (UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0),
                      UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0),
                      UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        var v = value
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - n] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                n += 1
            } while v > 0 && n < 20
            append(UnsafeRawBufferPointer(rebasing: d[(20 - n)...]))
        }
    }

    /// Appends two hex digits for `b` (`upper` picks the case).
    @inlinable mutating func appendHex(_ b: UInt8, upper: Bool = false) {
        append(hexDigit(b >> 4, upper: upper))
        append(hexDigit(b & 0xf, upper: upper))
    }

    /// Appends four lowercase hex digits for `v` (JA4's cipher and extension form).
    @inlinable mutating func appendHex16(_ v: UInt16) {
        appendHex(UInt8(v >> 8))
        appendHex(UInt8(v & 0xff))
    }

    /// Appends a two-digit zero-padded decimal (dates, JA4 counts).
    @inlinable mutating func append2Digits(_ v: Int) {
        append(UInt8(ascii: "0") + UInt8((v / 10) % 10))
        append(UInt8(ascii: "0") + UInt8(v % 10))
    }

    /// Appends static ASCII text.
    @inlinable mutating func append(_ s: StaticString) {
        append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
}

@inlinable func hexDigit(_ nibble: UInt8, upper: Bool) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : (upper ? UInt8(ascii: "A") : UInt8(ascii: "a")) + nibble - 10
}
