/// Bookkeeping for one datagram being rebuilt. Trivial so that the whole table is one flat
/// allocation; its bytes live in the slot's region of `Defragmenter.buffers`.
@usableFromInline
struct DatagramSlot {
    @usableFromInline var key = DatagramKey()
    /// Cached so the hash index can be repaired on removal without rehashing keys.
    @usableFromInline var hash: UInt64 = 0
    /// When the first fragment arrived; the timeout runs from here.
    @usableFromInline var firstSeen: UInt64 = 0
    /// Neighbours in the age list (oldest first), or -1.
    @usableFromInline var older: Int32 = -1
    @usableFromInline var newer: Int32 = -1
    /// Fragments received, duplicates included.
    @usableFromInline var fragmentCount: Int32 = 0
    /// Entries used in this slot's `CoveredRange` run.
    @usableFromInline var rangeCount: Int32 = 0
    /// Payload end given by the fragment without MF, or -1 while it has not been seen.
    @usableFromInline var totalEnd: Int32 = -1
    /// Highest payload end seen so far.
    @usableFromInline var maxEnd: Int32 = 0
    /// Bytes of header in front of the payload (IPv4 header, or IPv6 unfragmentable part), copied
    /// from the offset-0 fragment; 0 until that fragment arrives.
    @usableFromInline var headerLength: Int32 = 0
    /// IPv6: offset of the Next Header byte that must name the fragment header's next header.
    @usableFromInline var nextHeaderPos: Int32 = 0
    /// IPv6: the offset-0 fragment's fragment-header Next Header.
    @usableFromInline var fragmentNextHeader: UInt8 = 0

    @inlinable init() {}
}

/// Payload bytes [start, end) already held. A slot's ranges are kept sorted and coalesced
/// (never touching), so the datagram is whole exactly when one range spans [0, totalEnd).
@usableFromInline
struct CoveredRange {
    @usableFromInline var start: Int32
    @usableFromInline var end: Int32

    @inlinable init(start: Int32, end: Int32) { self.start = start; self.end = end }
}
