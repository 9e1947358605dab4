import CHyperscan

/// Per-thread working memory for scans (`hs_scratch_t`).
///
/// A scan needs scratch space; allocating it per scan would put malloc on the packet path,
/// so each worker owns one, sized for every database it scans. Not for concurrent use: two
/// threads scanning with one scratch get ``HyperscanStatus/scratchInUse``. It is `Sendable`
/// only so that a worker can be handed its scratch at start.
public final class HyperscanScratch: @unchecked Sendable {
    /// The owned `hs_scratch_t *`.
    var raw: OpaquePointer

    /// Scratch large enough for `database`.
    public init(for database: HyperscanDatabase) throws {
        var scratch: OpaquePointer?
        try HyperscanError.check(hs_alloc_scratch(database.raw, &scratch), "hs_alloc_scratch")
        raw = scratch!
    }

    private init(raw: OpaquePointer) { self.raw = raw }

    deinit { hs_free_scratch(raw) }

    /// Grows this scratch (if needed) so it also serves `database`. Hyperscan reallocates
    /// only when the new database needs more, so calling this for each of a worker's
    /// databases at start leaves one scratch that fits all of them.
    public func grow(for database: HyperscanDatabase) throws {
        var scratch: OpaquePointer? = raw
        try HyperscanError.check(hs_alloc_scratch(database.raw, &scratch), "hs_alloc_scratch")
        raw = scratch!
    }

    /// A scratch of the same size for another worker (`hs_clone_scratch`).
    public func clone() throws -> HyperscanScratch {
        var copy: OpaquePointer?
        try HyperscanError.check(hs_clone_scratch(raw, &copy), "hs_clone_scratch")
        return HyperscanScratch(raw: copy!)
    }

    /// Bytes this scratch occupies (`hs_scratch_size`).
    public var sizeInBytes: Int {
        var size = 0
        return hs_scratch_size(raw, &size) == HS_SUCCESS ? size : 0
    }
}
