/// A byte string of bounded length stored inline (no heap), for fields parsers keep between
/// packets: a request's host and URI until its response arrives, a TLS server name, a query.
/// Longer input is cut at `capacity` and `truncated` is set, so output can say so.
public struct FixedBytes<let capacity: Int>: Sendable {
    @usableFromInline var storage: InlineArray<capacity, UInt8>
    @usableFromInline var held: Int = 0
    @usableFromInline var cut: Bool = false
    /// Bytes held.
    @inlinable public var count: Int { held }
    /// Whether input was cut to fit.
    @inlinable public var truncated: Bool { cut }

    /// Empty.
    @inlinable public init() { storage = InlineArray(repeating: 0) }

    /// Empties it.
    @inlinable public mutating func removeAll() { held = 0; cut = false }

    /// Appends as much of `bytes` as fits.
    @inlinable public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let n = min(bytes.count, capacity - held)
        if n < bytes.count { cut = true }
        guard n > 0, let src = bytes.baseAddress else { return }
        let start = held
        withUnsafeMutableBytes { dst in
            (dst.baseAddress! + start).copyMemory(from: src, byteCount: n)
        }
        held += n
    }

    /// Appends one byte if it fits.
    @inlinable public mutating func append(_ byte: UInt8) {
        guard held < capacity else { cut = true; return }
        storage[held] = byte
        held += 1
    }

    /// Replaces the contents with `bytes`.
    @inlinable public mutating func set(_ bytes: UnsafeRawBufferPointer) {
        removeAll()
        append(bytes)
    }

    /// Calls `body` with the bytes held.
    @inlinable public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        // Through the span, not `withUnsafeBytes(of: storage)`: that one may copy the whole
        // inline array to a temporary first, kilobytes per call for the larger fields.
        try storage.span.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<held])) }
    }

    @inlinable mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeMutableBytes(of: &storage) { try body($0) }
    }

    /// The bytes held by the value at `p`, read in place. Calling a method on a large value
    /// (a 16 KB message buffer) can copy it first; through its address it cannot.
    @inlinable public static func withBytes<R>(at p: UnsafePointer<Self>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let base = UnsafeRawPointer(p) + MemoryLayout<Self>.offset(of: \Self.storage)!
        return try body(UnsafeRawBufferPointer(start: base, count: p.pointee.held))
    }

    /// The contents as a String (tests and summaries only).
    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    /// Whether the contents equal `other` byte for byte.
    @inlinable public func equals(_ other: StaticString) -> Bool {
        guard other.utf8CodeUnitCount == count else { return false }
        return withBytes { b in (0..<count).allSatisfy { b[$0] == other.utf8Start[$0] } }
    }
}
