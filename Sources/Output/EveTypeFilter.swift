/// The EVE event types a writer keeps, like the `types:` list of Suricata's eve-log output
/// (`sluice replay --eve-types alert,http,dns`). Up to 32 names, compared by a 64-bit hash of
/// the name so the check per record is a few instructions and allocates nothing.
public struct EveTypeFilter: Sendable {
    @usableFromInline var hashes: InlineArray<32, UInt64> = InlineArray(repeating: 0)
    @usableFromInline var count = 0

    /// A filter keeping `names` (the first 32).
    public init(_ names: [String]) {
        for name in names.prefix(32) {
            var copy = name
            hashes[count] = copy.withUTF8 { Self.hash(UnsafeRawBufferPointer($0)) }
            count += 1
        }
    }

    /// Whether records of `eventType` are written.
    @inlinable public func contains(_ eventType: StaticString) -> Bool {
        let h = Self.hash(UnsafeRawBufferPointer(start: eventType.utf8Start, count: eventType.utf8CodeUnitCount))
        for i in 0..<count where hashes[i] == h { return true }
        return false
    }

    /// FNV-1a.
    @inlinable static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
