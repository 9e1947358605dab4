/// Per-worker reassembly counters. Plain fields owned by one worker; summed across workers when read.
public struct DefragCounters: Sendable, BitwiseCopyable {
    /// Calls to `Defragmenter.insert`, whatever became of the fragment.
    public var fragments: UInt64 = 0
    /// Datagrams rebuilt and handed back.
    public var reassembled: UInt64 = 0
    /// Fragments that overlapped bytes already held (first wins; only their holes were used).
    public var overlaps: UInt64 = 0
    /// Datagrams dropped because they were not complete within the timeout.
    public var timeouts: UInt64 = 0
    /// Datagrams dropped for receiving more than `maxFragmentsPerDatagram` fragments.
    public var tooManyFragments: UInt64 = 0
    /// Datagrams evicted (oldest first) to make room for a new one.
    public var tableFull: UInt64 = 0
    /// Datagrams (or lone fragments) dropped for exceeding `maxDatagramSize` or the IP length field.
    public var tooLarge: UInt64 = 0
    /// Malformed fragments, and datagrams dropped for contradicting themselves (conflicting last
    /// fragment, data beyond the last fragment's end).
    public var invalid: UInt64 = 0

    /// All zero.
    @inlinable public init() {}

    /// Drops for every reason but timeouts.
    @inlinable public var dropped: UInt64 { tooManyFragments &+ tableFull &+ tooLarge &+ invalid }

    /// Adds another worker's counters into these.
    public mutating func add(_ o: DefragCounters) {
        fragments &+= o.fragments; reassembled &+= o.reassembled; overlaps &+= o.overlaps
        timeouts &+= o.timeouts; tooManyFragments &+= o.tooManyFragments; tableFull &+= o.tableFull
        tooLarge &+= o.tooLarge; invalid &+= o.invalid
    }
}
