/// The FQDN groups a destination belongs to, held inline (no allocation) as up to eight
/// interned "name classes": each class stands for the groups one DNS name matches. One name
/// (SNI or Host) gives one class; the names a `NameCache` holds for an address (at most its
/// probe window, eight) give one each.
///
/// When more distinct classes are inserted than fit, `overflowed` is set and the extra ones are
/// dropped; a caller that can hit that classifies in parts and keeps `Decision.earliest`.
public struct GroupSet: Sendable {
    /// How many classes fit.
    public static let capacity = 8

    @usableFromInline var ids: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline var n: Int = 0
    @usableFromInline var lost = false

    /// Classes held.
    @inlinable public var count: Int { n }
    /// Whether a class was dropped for lack of room.
    @inlinable public var overflowed: Bool { lost }

    /// The set of no FQDN group: the destination is matched by address only.
    public static var empty: GroupSet { GroupSet() }

    /// An empty set.
    @inlinable public init() {}

    @inlinable init(single id: UInt32) {
        if id != 0 { ids.0 = id; n = 1 }
    }

    /// Whether no FQDN group is in the set.
    @inlinable public var isEmpty: Bool { count == 0 }

    /// The class at `i` (< `count`).
    @inlinable func id(at i: Int) -> UInt32 {
        withUnsafeBytes(of: ids) { $0.load(fromByteOffset: i &* 4, as: UInt32.self) }
    }

    @inlinable mutating func insert(_ id: UInt32) {
        if id == 0 { return }
        for i in 0..<count where self.id(at: i) == id { return }
        guard n < Self.capacity else { lost = true; return }
        let at = n &* 4
        withUnsafeMutableBytes(of: &ids) { $0.storeBytes(of: id, toByteOffset: at, as: UInt32.self) }
        n &+= 1
    }

    /// Adds the groups of `other` (the groups of another name of the same destination).
    @inlinable public mutating func formUnion(_ other: GroupSet) {
        for i in 0..<other.count { insert(other.id(at: i)) }
        if other.lost { lost = true }
    }
}
