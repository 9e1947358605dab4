/// A bounds-checked cursor over borrowed bytes. Every read returns nil instead of trapping,
/// so hostile lengths inside hellos and certificates can only end parsing early.
@usableFromInline
struct ByteReader {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var pos: Int
    @usableFromInline let end: Int

    @inlinable init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        pos = 0
        end = bytes.count
    }

    @inlinable init(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) {
        self.bytes = bytes
        pos = max(0, min(from, bytes.count))
        end = max(pos, min(to, bytes.count))
    }

    /// Bytes left before `end`.
    @inlinable var remaining: Int { end - pos }
    @inlinable var atEnd: Bool { pos >= end }

    @inlinable mutating func u8() -> UInt8? {
        guard pos < end else { return nil }
        defer { pos += 1 }
        return bytes[pos]
    }

    @inlinable mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { pos += 2 }
        return UInt16(bytes[pos]) << 8 | UInt16(bytes[pos + 1])
    }

    @inlinable mutating func u24() -> Int? {
        guard remaining >= 3 else { return nil }
        defer { pos += 3 }
        return Int(bytes[pos]) << 16 | Int(bytes[pos + 1]) << 8 | Int(bytes[pos + 2])
    }

    @inlinable mutating func skip(_ n: Int) -> Bool {
        guard n >= 0, remaining >= n else { return false }
        pos += n
        return true
    }

    /// A reader over the next `n` bytes, advancing past them; nil when fewer remain.
    @inlinable mutating func sub(_ n: Int) -> ByteReader? {
        guard n >= 0, remaining >= n else { return nil }
        defer { pos += n }
        return ByteReader(bytes, from: pos, to: pos + n)
    }

    /// The bytes from `pos` to `end` as a buffer slice.
    @inlinable var rest: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[pos..<end])
    }
}
