import CHyperscan

// The packet path scans through these plain handles rather than through the classes that own
// the Hyperscan objects: reading a class reference out of a worker's state costs a retain and
// a release per use, and the owners (a compiled sensor set, a worker's scratch) outlive every
// scan anyway. A handle is valid while its owner is alive and, for scratch, not grown again.

/// A database to scan with (`hs_database_t *`), borrowed from its ``HyperscanDatabase``.
public struct DatabaseHandle: @unchecked Sendable {
    @usableFromInline let raw: OpaquePointer

    /// Scans a complete buffer with a block-mode database; matches go to `matches` (emptied
    /// first). Returns Hyperscan's status: `HS_SUCCESS` (0), or an error the caller counts.
    @inlinable
    public func scan(_ bytes: UnsafeRawBufferPointer, scratch: ScratchHandle, into matches: MatchBuffer) -> HyperscanStatus {
        matches.removeAll()
        var empty: CChar = 0
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        return withUnsafePointer(to: &empty) { e in
            HyperscanStatus(rawValue: hs_scan(raw, base ?? e, UInt32(truncatingIfNeeded: bytes.count), 0,
                                              scratch.raw, appendMatch, matches.context))
        }
    }
}

/// A worker's scratch (`hs_scratch_t *`), borrowed from its ``HyperscanScratch``.
public struct ScratchHandle: @unchecked Sendable {
    @usableFromInline let raw: OpaquePointer
}

extension HyperscanDatabase {
    /// The handle the packet path scans with; valid while this database is alive.
    public var handle: DatabaseHandle { DatabaseHandle(raw: raw) }
}

extension HyperscanScratch {
    /// The handle the packet path scans with; valid while this scratch is alive and until
    /// the next ``grow(for:)``.
    public var handle: ScratchHandle { ScratchHandle(raw: raw) }
}

/// A fixed set of streams of one stream-mode database, opened up front and lent by index:
/// `hs_open_stream` allocates, `hs_reset_stream` does not, so giving a flow a stream costs
/// nothing on the packet path. The count is the per-worker bound on stream state
/// (`count * database.streamSize` bytes). One per worker and database; not thread-safe.
///
/// A handle like ``MatchBuffer``: copies share the streams, and one owner calls
/// ``deallocate()``. (A noncopyable type with a deinit, stored in another, trips the
/// optimizer's inliner in Swift 6.3.)
public struct StreamSlots: @unchecked Sendable {
    @usableFromInline struct Header {
        @usableFromInline var freeCount: Int
    }
    @usableFromInline let streams: UnsafeMutablePointer<OpaquePointer>
    @usableFromInline let freeList: UnsafeMutablePointer<Int32>
    @usableFromInline let header: UnsafeMutablePointer<Header>
    /// How many streams there are.
    public let count: Int

    /// Opens `count` streams on `database` (a stream-mode database).
    public init(database: HyperscanDatabase, count: Int) throws {
        guard database.mode == .stream else { throw HyperscanError.modeMismatch(expected: .stream) }
        let n = max(1, count)
        let opened = UnsafeMutablePointer<OpaquePointer>.allocate(capacity: n)
        for i in 0..<n {
            var s: OpaquePointer?
            let code = hs_open_stream(database.raw, 0, &s)
            guard code == HS_SUCCESS, let s else {
                for j in 0..<i { _ = hs_close_stream(opened[j], nil, nil, nil) }
                opened.deallocate()
                throw HyperscanError.call(function: "hs_open_stream", status: HyperscanStatus(rawValue: code))
            }
            (opened + i).initialize(to: s)
        }
        freeList = .allocate(capacity: n)
        for i in 0..<n { freeList[i] = Int32(n - 1 - i) }
        streams = opened
        header = .allocate(capacity: 1)
        header.initialize(to: Header(freeCount: n))
        self.count = n
    }

    /// No streams: ``borrow()`` always returns -1 (a worker whose sensors have no streamed
    /// context).
    public init() {
        streams = .allocate(capacity: 1)
        freeList = .allocate(capacity: 1)
        header = .allocate(capacity: 1)
        header.initialize(to: Header(freeCount: 0))
        count = 0
    }

    /// Closes every stream and frees the slots.
    public func deallocate() {
        for i in 0..<count { _ = hs_close_stream(streams[i], nil, nil, nil) }
        streams.deallocate()
        freeList.deallocate()
        header.deallocate()
    }

    /// Streams not lent now.
    @inlinable public var available: Int { header.pointee.freeCount }

    /// Lends a fresh stream's index, or -1 when all are lent (the caller counts that).
    @inlinable public func borrow() -> Int32 {
        guard header.pointee.freeCount > 0 else { return -1 }
        header.pointee.freeCount -= 1
        return freeList[header.pointee.freeCount]
    }

    /// Scans the next chunk of stream `slot`; offsets count from the stream's start.
    @inlinable
    public func scan(_ slot: Int32, _ bytes: UnsafeRawBufferPointer, scratch: ScratchHandle,
                     into matches: MatchBuffer) -> HyperscanStatus {
        matches.removeAll()
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count > 0 else {
            return HyperscanStatus(rawValue: HS_SUCCESS)
        }
        return HyperscanStatus(rawValue: hs_scan_stream(streams[Int(slot)], base, UInt32(truncatingIfNeeded: bytes.count), 0,
                                                        scratch.raw, appendMatch, matches.context))
    }

    /// Ends what stream `slot` was scanning: end-of-data matches (`abc$`) go to `matches`
    /// when it is given, and the stream is reset in place for its next use. The slot stays lent.
    @inlinable
    public func finish(_ slot: Int32, scratch: ScratchHandle, into matches: MatchBuffer?) -> HyperscanStatus {
        if let matches {
            matches.removeAll()
            return HyperscanStatus(rawValue: hs_reset_stream(streams[Int(slot)], 0, scratch.raw, appendMatch, matches.context))
        }
        return HyperscanStatus(rawValue: hs_reset_stream(streams[Int(slot)], 0, nil, nil, nil))
    }

    /// Takes stream `slot` back, resetting it without reporting anything (report first with
    /// ``finish(_:scratch:into:)`` if the data really ended).
    @inlinable
    public func giveBack(_ slot: Int32) {
        _ = hs_reset_stream(streams[Int(slot)], 0, nil, nil, nil)
        freeList[header.pointee.freeCount] = slot
        header.pointee.freeCount += 1
    }
}
