/// TCP sequence-number comparisons modulo 2^32 (RFC 793's "less than" on a circle).
public enum Seq {
    /// `a < b` in sequence space.
    @inlinable @inline(__always) public static func lt(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
    /// `a <= b` in sequence space.
    @inlinable @inline(__always) public static func le(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) <= 0 }
    /// `a > b` in sequence space.
    @inlinable @inline(__always) public static func gt(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) > 0 }
    /// `b - a` as a signed distance.
    @inlinable @inline(__always) public static func diff(_ a: UInt32, _ b: UInt32) -> Int { Int(Int32(bitPattern: b &- a)) }
}
