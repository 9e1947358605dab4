import CHyperscan
import Glibc
import Synchronization

/// Number of `hs_compile_multi` calls made by this process, so callers and tests can tell a
/// cache hit from a recompile without timing anything.
private let compileCounter = Atomic<Int>(0)

/// A compiled Hyperscan database (`hs_database_t`).
///
/// Immutable once built, so one instance is shared read-only by every worker thread; each
/// worker brings its own ``HyperscanScratch``. Compiling is slow (milliseconds to seconds for
/// large sets), so it happens off the packet path, ideally through
/// ``cached(patterns:mode:directory:)``.
public final class HyperscanDatabase: @unchecked Sendable {
    /// The owned `hs_database_t *`; freed in `deinit`.
    let raw: OpaquePointer
    /// Whether this database scans blocks or streams.
    public let mode: ScanMode
    /// How this instance came to be, so callers can log whether a restart recompiled.
    public let origin: Origin

    /// Where a database came from.
    public enum Origin: Sendable, Equatable {
        /// Compiled from patterns by ``compile(_:mode:)``.
        case compiled
        /// Rebuilt from bytes by ``deserialize(_:mode:)``.
        case deserialized
        /// Loaded from the disk cache without compiling.
        case cacheHit
        /// Compiled and written to the cache; `replacedInvalidFile` when a corrupt, foreign
        /// or stale file was there before.
        case compiledAndCached(replacedInvalidFile: Bool)
        /// Compiled, but the cache file could not be written (`reason`); the next start
        /// recompiles.
        case compiledCacheWriteFailed(reason: String)
    }

    init(raw: OpaquePointer, mode: ScanMode, origin: Origin) {
        self.raw = raw
        self.mode = mode
        self.origin = origin
    }

    deinit { hs_free_database(raw) }

    /// How many times this process has called Hyperscan's compiler.
    public static var compileCount: Int { compileCounter.load(ordering: .relaxed) }

    static func noteCompile() { compileCounter.add(1, ordering: .relaxed) }

    /// The linked Hyperscan's version string (`hs_version()`), e.g. `5.4.0 2023-01-01`.
    public static var version: String { String(cString: hs_version()) }

    /// Compiles `patterns` into one database with `hs_compile_multi`.
    ///
    /// - Throws: ``HyperscanError/compile(patternID:expression:message:)`` naming the
    ///   offending pattern, ``HyperscanError/emptyPatternSet``, or
    ///   ``HyperscanError/expressionContainsNUL(patternID:)``.
    /// With `limits`, the compile runs in a child process within them and may also throw
    /// ``HyperscanError/compileTimeout(seconds:)`` or ``HyperscanError/compileProcess(reason:)``.
    public static func compile(_ patterns: [Pattern], mode: ScanMode, limits: CompileLimits? = nil) throws -> HyperscanDatabase {
        let raw = try limits.map { try compileBounded(patterns, mode: mode, limits: $0) } ?? compileRaw(patterns, mode: mode)
        return HyperscanDatabase(raw: raw, mode: mode, origin: .compiled)
    }

    static func compileRaw(_ patterns: [Pattern], mode: ScanMode) throws -> OpaquePointer {
        guard !patterns.isEmpty else { throw HyperscanError.emptyPatternSet }
        for p in patterns where p.expression.utf8.contains(0) {
            throw HyperscanError.expressionContainsNUL(patternID: p.id)
        }
        // Hyperscan wants parallel C arrays; strdup keeps each C string alive for the call.
        var cStrings: [UnsafePointer<CChar>?] = patterns.map { UnsafePointer(strdup($0.expression)) }
        defer { for s in cStrings { free(UnsafeMutablePointer(mutating: s)) } }
        let flags = patterns.map { $0.flags.rawValue }
        let ids = patterns.map(\.id)
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        noteCompile()
        let code = hs_compile_multi(&cStrings, flags, ids, UInt32(patterns.count),
                                    mode.hsMode(for: patterns), nil, &db, &error)
        if code != HS_SUCCESS {
            defer { if let error { hs_free_compile_error(error) } }
            let message = error.flatMap { $0.pointee.message.map { String(cString: $0) } }
                ?? HyperscanStatus(rawValue: code).description
            // `expression` is the index of the failing pattern, or negative for set-wide errors.
            let index = Int(error?.pointee.expression ?? -1)
            if index >= 0, index < patterns.count {
                throw HyperscanError.compile(patternID: patterns[index].id,
                                             expression: patterns[index].expression, message: message)
            }
            throw HyperscanError.compile(patternID: nil, expression: nil, message: message)
        }
        guard let db else { throw HyperscanError.call(function: "hs_compile_multi", status: .invalid) }
        return db
    }

    /// The database as portable bytes (`hs_serialize_database`), loadable by
    /// ``deserialize(_:mode:)`` on a host with the same Hyperscan version and CPU features.
    public func serialize() throws -> [UInt8] { try Self.serializeRaw(raw) }

    static func serializeRaw(_ raw: OpaquePointer) throws -> [UInt8] {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        try HyperscanError.check(hs_serialize_database(raw, &bytes, &length), "hs_serialize_database")
        // Hyperscan allocates with its misc allocator, which is malloc unless a process
        // installs another with hs_set_allocator; Sluice never does outside tests that forward to malloc.
        defer { free(bytes) }
        guard let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// Rebuilds a database from ``serialize()`` output.
    ///
    /// - Throws: ``HyperscanError/call(function:status:)`` with `databaseVersionError` or
    ///   `databasePlatformError` for a foreign database, `invalid` for garbage, and
    ///   ``HyperscanError/modeMismatch(expected:)`` when the bytes hold the other mode.
    public static func deserialize(_ bytes: UnsafeRawBufferPointer, mode: ScanMode) throws -> HyperscanDatabase {
        HyperscanDatabase(raw: try deserializeRaw(bytes, mode: mode), mode: mode, origin: .deserialized)
    }

    /// ``deserialize(_:mode:)`` over an array.
    public static func deserialize(_ bytes: [UInt8], mode: ScanMode) throws -> HyperscanDatabase {
        try bytes.withUnsafeBytes { try deserialize($0, mode: mode) }
    }

    static func deserializeRaw(_ bytes: UnsafeRawBufferPointer, mode: ScanMode) throws -> OpaquePointer {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else {
            throw HyperscanError.call(function: "hs_deserialize_database", status: .invalid)
        }
        var db: OpaquePointer?
        try HyperscanError.check(hs_deserialize_database(base, bytes.count, &db), "hs_deserialize_database")
        guard let db else { throw HyperscanError.call(function: "hs_deserialize_database", status: .invalid) }
        // Hyperscan does not say the mode directly; its info string ends in "Mode: BLOCK" or
        // "Mode: STREAM". Checking here turns a later HS_DB_MODE_ERROR on the packet path
        // into an error at load time.
        if modeOf(db) != mode {
            hs_free_database(db)
            throw HyperscanError.modeMismatch(expected: mode)
        }
        return db
    }

    static func modeOf(_ db: OpaquePointer) -> ScanMode? {
        var info: UnsafeMutablePointer<CChar>?
        guard hs_database_info(db, &info) == HS_SUCCESS, let info else { return nil }
        defer { free(info) }
        let text = String(cString: info)
        if text.contains("Mode: STREAM") { return .stream }
        if text.contains("Mode: BLOCK") { return .block }
        return nil
    }

    /// Hyperscan's description of the database (`hs_database_info`): version, CPU features, mode.
    public var info: String {
        var info: UnsafeMutablePointer<CChar>?
        guard hs_database_info(raw, &info) == HS_SUCCESS, let info else { return "" }
        defer { free(info) }
        return String(cString: info)
    }

    /// Bytes the database occupies (`hs_database_size`).
    public var sizeInBytes: Int {
        var size = 0
        return hs_database_size(raw, &size) == HS_SUCCESS ? size : 0
    }

    /// Bytes of state each open stream needs (`hs_stream_size`), nil for a block database.
    /// Multiply by the flow table's size to bound per-worker stream memory.
    public var streamSize: Int? {
        guard mode == .stream else { return nil }
        var size = 0
        return hs_stream_size(raw, &size) == HS_SUCCESS ? size : nil
    }
}
