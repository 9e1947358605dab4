/// What stream 0 of an HTTP/2 connection carried, for Suricata's stream-0 `http` record: each
/// side's SETTINGS entries (the first eight with an id RFC 9113 defines) and the error code of
/// its last GOAWAY. Index 0 is the client, 1 the server.
public struct HTTP2Connection {
    /// Entries kept per side.
    public static let settingsCapacity = 8
    @usableFromInline var ids: InlineArray<16, UInt16> = InlineArray(repeating: 0)
    @usableFromInline var values: InlineArray<16, UInt32> = InlineArray(repeating: 0)
    @usableFromInline var counts: InlineArray<2, Int> = InlineArray(repeating: 0)
    /// The last GOAWAY's error code per side, -1 when none came.
    @usableFromInline var goaway: InlineArray<2, Int64> = InlineArray(repeating: -1)

    public init() {}

    /// Whether anything was seen on stream 0 worth a record.
    public var isEmpty: Bool { counts[0] == 0 && counts[1] == 0 && goaway[0] < 0 && goaway[1] < 0 }

    /// Number of SETTINGS entries kept for a side.
    public func settingsCount(client: Bool) -> Int { counts[client ? 0 : 1] }

    /// The `i`th SETTINGS entry of a side: (identifier, value).
    public func setting(_ i: Int, client: Bool) -> (id: UInt16, value: UInt32) {
        let base = client ? 0 : Self.settingsCapacity
        return (ids[base + i], values[base + i])
    }

    /// The last GOAWAY error code a side sent, nil when it sent none.
    public func goawayCode(client: Bool) -> UInt32? {
        let c = goaway[client ? 0 : 1]
        return c < 0 ? nil : UInt32(truncatingIfNeeded: c)
    }

    @inlinable mutating func addSetting(side d: Int, id: UInt16, value: UInt32) {
        guard (1...6).contains(id), counts[d] < Self.settingsCapacity else { return }
        ids[d * Self.settingsCapacity + counts[d]] = id
        values[d * Self.settingsCapacity + counts[d]] = value
        counts[d] += 1
    }

    @inlinable mutating func setGoAway(side d: Int, code: UInt32) { goaway[d] = Int64(code) }
}
