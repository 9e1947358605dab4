import CHyperscan

/// How a scan ended.
public enum ScanResult: Sendable, Equatable {
    /// All bytes were scanned.
    case completed
    /// The match callback returned `false` and Hyperscan stopped early.
    case stopped
}

/// The match callback's signature: pattern id, start offset (0 unless the pattern set
/// ``Pattern/Flags/leftmostStart``), end offset (one past the last byte, counted from the
/// start of the block or stream); return `true` to continue, `false` to stop.
public typealias MatchHandler = (_ id: UInt32, _ from: UInt64, _ to: UInt64) -> Bool

/// What the C callback's context pointer points at: the caller's closure, on the stack.
struct MatchContext {
    let handler: MatchHandler
}

/// The one C callback for every scan; it forwards to the closure behind `context`.
/// A non-zero return tells Hyperscan to stop.
let matchTrampoline: match_event_handler = { id, from, to, _, context in
    let ctx = context!.assumingMemoryBound(to: MatchContext.self)
    return ctx.pointee.handler(id, from, to) ? 0 : 1
}

/// Runs `body` with a context pointer for `matchTrampoline` that refers to `onMatch`,
/// without copying the closure to the heap: `withoutActuallyEscaping` lets the non-escaping
/// closure sit in a stack struct, and Swift checks on return that it did not escape.
@inline(__always)
func withMatchContext<R>(_ onMatch: MatchHandler, _ body: (UnsafeMutableRawPointer) throws -> R) rethrows -> R {
    try withoutActuallyEscaping(onMatch) { escapable in
        var ctx = MatchContext(handler: escapable)
        return try withUnsafeMutablePointer(to: &ctx) { try body(UnsafeMutableRawPointer($0)) }
    }
}

/// Maps a scan call's return code to a ``ScanResult`` or an error.
@inline(__always)
func scanResult(_ code: hs_error_t, _ function: String) throws -> ScanResult {
    if code == HS_SUCCESS { return .completed }
    if code == HS_SCAN_TERMINATED { return .stopped }
    throw HyperscanError.call(function: function, status: HyperscanStatus(rawValue: code))
}

extension HyperscanDatabase {
    /// Scans one complete buffer (`hs_scan`) with a block-mode database, calling `onMatch`
    /// for each match in offset order. Allocation-free: the closure is passed to Hyperscan
    /// through a stack context, and `scratch` provides the working memory.
    ///
    /// - Throws: ``HyperscanError/call(function:status:)`` (e.g. `databaseModeError` for a
    ///   stream database, `scratchInUse` when another thread holds `scratch`),
    ///   ``HyperscanError/bufferTooLarge(_:)`` beyond 4 GiB.
    @discardableResult
    public func scan(_ bytes: UnsafeRawBufferPointer, scratch: HyperscanScratch,
                     onMatch: MatchHandler) throws -> ScanResult {
        guard bytes.count <= Int(UInt32.max) else { throw HyperscanError.bufferTooLarge(bytes.count) }
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        // Hyperscan rejects a NULL data pointer even for zero length.
        var empty: CChar = 0
        return try withUnsafeMutablePointer(to: &empty) { emptyPtr in
            try withMatchContext(onMatch) { ctx in
                try scanResult(hs_scan(raw, base ?? UnsafePointer(emptyPtr), UInt32(bytes.count), 0,
                                       scratch.raw, matchTrampoline, ctx), "hs_scan")
            }
        }
    }
}
