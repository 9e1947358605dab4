/// Fixed-size runs of `UInt64` counters stored inline (no heap, no reference counting), so a
/// snapshot that holds them copies as plain bytes.
///
/// Conformers are structs made only of `UInt64` tuples laid out back to back; index `i` is
/// the `i`-th word. Indexes are masked to the capacity (a power of two), never trapped on.
public protocol FixedCounters: BitwiseCopyable, Sendable {
    /// Number of counters; a power of two.
    static var capacity: Int { get }
    /// All zero.
    init()
}

extension FixedCounters {
    /// The counter at `index` (masked to `0..<capacity`).
    @inlinable public subscript(index: Int) -> UInt64 {
        get {
            withUnsafeBytes(of: self) { $0.load(fromByteOffset: (index & (Self.capacity - 1)) &* 8, as: UInt64.self) }
        }
        set {
            withUnsafeMutableBytes(of: &self) {
                $0.storeBytes(of: newValue, toByteOffset: (index & (Self.capacity - 1)) &* 8, as: UInt64.self)
            }
        }
    }

    /// Adds `n` (wrapping) to the counter at `index`.
    @inlinable public mutating func add(_ n: UInt64, at index: Int) {
        withUnsafeMutableBytes(of: &self) {
            let o = (index & (Self.capacity - 1)) &* 8
            $0.storeBytes(of: $0.load(fromByteOffset: o, as: UInt64.self) &+ n, toByteOffset: o, as: UInt64.self)
        }
    }

    /// Adds every counter of `other` into this one.
    @inlinable public mutating func add(_ other: Self) {
        for i in 0..<Self.capacity { add(other[i], at: i) }
    }

    /// Sum of all counters (wrapping).
    @inlinable public var total: UInt64 {
        var t: UInt64 = 0
        for i in 0..<Self.capacity { t &+= self[i] }
        return t
    }
}

/// 8 counters inline.
public struct Counters8: FixedCounters {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    /// 8.
    @inlinable public static var capacity: Int { 8 }
    /// All zero.
    @inlinable public init() {}
}

/// 32 counters inline.
public struct Counters32: FixedCounters {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                  UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                  UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                  UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// 32.
    @inlinable public static var capacity: Int { 32 }
    /// All zero.
    @inlinable public init() {}
}

/// 64 counters inline.
public struct Counters64: FixedCounters {
    @usableFromInline var low = Counters32()
    @usableFromInline var high = Counters32()
    /// 64.
    @inlinable public static var capacity: Int { 64 }
    /// All zero.
    @inlinable public init() {}
}

/// 256 counters inline.
public struct Counters256: FixedCounters {
    @usableFromInline var parts: (Counters64, Counters64, Counters64, Counters64)
        = (Counters64(), Counters64(), Counters64(), Counters64())
    /// 256.
    @inlinable public static var capacity: Int { 256 }
    /// All zero.
    @inlinable public init() {}
}
