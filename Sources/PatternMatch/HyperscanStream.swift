import CHyperscan

/// One open stream (`hs_stream_t`) of a stream-mode database: the state that lets a match
/// span chunks, e.g. one per flow direction.
///
/// A value type over a handle, like swift-system's `FileDescriptor`: copies refer to the same
/// stream, and exactly one of them must be closed (``close()`` or
/// ``close(scratch:onMatch:)``), or handed back to the ``HyperscanStreamPool`` it came from.
/// It keeps its database alive, because Hyperscan's stream state points into it.
public struct HyperscanStream: @unchecked Sendable {
    /// The `hs_stream_t *`.
    let raw: OpaquePointer
    /// The database the stream was opened on.
    public let database: HyperscanDatabase

    init(raw: OpaquePointer, database: HyperscanDatabase) {
        self.raw = raw
        self.database = database
    }

    /// Opens a stream (`hs_open_stream`); this allocates ``HyperscanDatabase/streamSize``
    /// bytes, so on the packet path take streams from a ``HyperscanStreamPool`` instead.
    public static func open(_ database: HyperscanDatabase) throws -> HyperscanStream {
        guard database.mode == .stream else { throw HyperscanError.modeMismatch(expected: .stream) }
        var stream: OpaquePointer?
        try HyperscanError.check(hs_open_stream(database.raw, 0, &stream), "hs_open_stream")
        return HyperscanStream(raw: stream!, database: database)
    }

    /// Scans the next chunk (`hs_scan_stream`). Offsets count from the start of the stream,
    /// so a match that began in an earlier chunk ends at its true stream offset. If
    /// `onMatch` stops the scan, Hyperscan ignores the rest of this stream's data until it
    /// is reset.
    @discardableResult
    public func scan(_ bytes: UnsafeRawBufferPointer, scratch: HyperscanScratch,
                     onMatch: MatchHandler) throws -> ScanResult {
        guard bytes.count <= Int(UInt32.max) else { throw HyperscanError.bufferTooLarge(bytes.count) }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count > 0 else {
            return .completed // an empty chunk changes nothing; Hyperscan rejects a NULL pointer
        }
        return try withMatchContext(onMatch) { ctx in
            try scanResult(hs_scan_stream(raw, base, UInt32(bytes.count), 0, scratch.raw,
                                          matchTrampoline, ctx), "hs_scan_stream")
        }
    }

    /// Ends the stream and frees it (`hs_close_stream`), first reporting matches that
    /// need end of data, such as `abc$`.
    public func close(scratch: HyperscanScratch, onMatch: MatchHandler) throws {
        try withMatchContext(onMatch) { ctx in
            _ = try scanResult(hs_close_stream(raw, scratch.raw, matchTrampoline, ctx), "hs_close_stream")
        }
    }

    /// Frees the stream without reporting end-of-data matches (a flow that was evicted or
    /// timed out, whose end is not a real end).
    public func close() {
        _ = hs_close_stream(raw, nil, nil, nil)
    }

    /// Returns the stream to its freshly opened state (`hs_reset_stream`), first reporting
    /// end-of-data matches through `onMatch` when `scratch` is given. Hyperscan reinitialises
    /// the state in place, so this does not allocate (the tests count); it is how a pool
    /// reuses a stream for the next flow.
    public func reset(scratch: HyperscanScratch? = nil, onMatch: MatchHandler = { _, _, _ in true }) throws {
        if let scratch {
            try withMatchContext(onMatch) { ctx in
                _ = try scanResult(hs_reset_stream(raw, 0, scratch.raw, matchTrampoline, ctx), "hs_reset_stream")
            }
        } else {
            try HyperscanError.check(hs_reset_stream(raw, 0, nil, nil, nil), "hs_reset_stream")
        }
    }
}
