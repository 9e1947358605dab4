/// Reads a fuzzer's input as a sequence of fields, so one byte string can drive several
/// calls (frames of a capture, segments of a stream). Every read is bounds-checked and
/// returns zero or an empty buffer past the end: the fuzzer owns the input, never the harness.
public struct FuzzInput {
    /// The whole input.
    public let bytes: UnsafeRawBufferPointer
    /// Where the next read starts.
    public private(set) var offset = 0

    /// Wraps `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Whether everything was read.
    public var isAtEnd: Bool { offset >= bytes.count }
    /// How many bytes are left.
    public var remaining: Int { max(0, bytes.count - offset) }

    /// The next byte, 0 past the end.
    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The next two bytes, big-endian, 0 past the end.
    public mutating func uint16() -> UInt16 {
        UInt16(byte()) << 8 | UInt16(byte())
    }

    /// The next `count` bytes (fewer at the end).
    public mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let n = min(max(0, count), remaining)
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
    }

    /// The rest of the input.
    public mutating func rest() -> UnsafeRawBufferPointer { take(remaining) }

    /// The next length-prefixed record (two-byte big-endian length, then that many bytes);
    /// nil at the end. The record format of every multi-message target and of the seeds
    /// `scripts/fuzz-seeds.py` writes.
    public mutating func record() -> UnsafeRawBufferPointer? {
        guard remaining >= 2 else { return nil }
        return take(Int(uint16()))
    }
}
