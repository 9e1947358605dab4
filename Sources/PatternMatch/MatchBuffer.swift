import CHyperscan

/// One match as Hyperscan reported it: the pattern id and the end offset (one past the last
/// byte, counted from the start of the block or stream); `from` is 0 unless the pattern set
/// ``Pattern/Flags/leftmostStart``.
public struct Match: Sendable, Equatable {
    /// The pattern's id.
    public var id: UInt32
    /// Start offset (with `leftmostStart`), else 0.
    public var from: UInt64
    /// End offset.
    public var to: UInt64

    /// A match of `id` over `from..<to`.
    @inlinable public init(id: UInt32, from: UInt64, to: UInt64) {
        self.id = id
        self.from = from
        self.to = to
    }
}

/// The buffer's header, laid out for the C callback.
@usableFromInline
struct MatchBufferHeader {
    @usableFromInline var storage: UnsafeMutablePointer<Match>
    @usableFromInline var capacity: Int
    @usableFromInline var count: Int
    @usableFromInline var dropped: Int
}

/// Fixed storage the scan callback appends matches to, so a scan needs no closure at all:
/// Hyperscan calls a plain C function that writes here, and the caller reads the matches
/// after the scan returns. Nothing is allocated per scan, and nothing is reference counted.
///
/// A handle, like swift-system's `FileDescriptor`: copies refer to the same storage, and
/// one owner calls ``deallocate()``. One per worker; not for concurrent use.
public struct MatchBuffer: @unchecked Sendable {
    @usableFromInline let header: UnsafeMutablePointer<MatchBufferHeader>

    /// Room for `capacity` matches per scan; matches beyond it are counted in ``dropped``.
    public init(capacity: Int) {
        header = .allocate(capacity: 1)
        header.initialize(to: MatchBufferHeader(storage: .allocate(capacity: max(1, capacity)),
                                                capacity: max(1, capacity), count: 0, dropped: 0))
    }

    /// Frees the storage.
    public func deallocate() {
        header.pointee.storage.deallocate()
        header.deallocate()
    }

    /// Matches held now.
    @inlinable public var count: Int { header.pointee.count }
    /// Matches that did not fit since the last ``removeAll()``.
    @inlinable public var dropped: Int { header.pointee.dropped }
    /// The `i`th match, in the order Hyperscan reported them (by end offset).
    @inlinable public subscript(i: Int) -> Match { header.pointee.storage[i] }

    /// Empties the buffer; every scan call does this first.
    @inlinable public func removeAll() {
        header.pointee.count = 0
        header.pointee.dropped = 0
    }

    /// The context pointer the callback receives.
    @inlinable var context: UnsafeMutableRawPointer { UnsafeMutableRawPointer(header) }
}

/// The one C callback of the handle-level scans: appends the match and always continues.
@usableFromInline
let appendMatch: match_event_handler = { id, from, to, _, context in
    let h = context!.assumingMemoryBound(to: MatchBufferHeader.self)
    if h.pointee.count < h.pointee.capacity {
        h.pointee.storage[h.pointee.count] = Match(id: id, from: from, to: to)
        h.pointee.count += 1
    } else {
        h.pointee.dropped += 1
    }
    return 0
}
