import CHyperscan
import Foundation

/// FNV-1a, 64 bits: enough to key a cache file by content (a collision only costs a
/// recompile, because the file's stored key is checked too), and it keeps this module free
/// of dependencies beyond Hyperscan.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }

    mutating func add<I: FixedWidthInteger>(_ n: I) {
        withUnsafeBytes(of: n.littleEndian) { add($0) }
    }

    /// Adds a string with its length, so ("ab","c") and ("a","bc") hash differently.
    mutating func add(string: String) {
        add(UInt64(string.utf8.count))
        add(string.utf8)
    }
}

/// The cache file layout: magic, format version, key, payload length, payload checksum,
/// then `hs_serialize_database` bytes. Integers are little-endian.
enum CacheFile {
    static let magic = Array("SLUICEHS".utf8)
    static let formatVersion: UInt32 = 1
    static let headerSize = 8 + 4 + 8 + 8 + 8

    /// The content hash of everything that decides the compiled bytes: the patterns in
    /// order, their flags, the mode, the Hyperscan version and the CPU it targets.
    static func key(patterns: [Pattern], mode: ScanMode) -> UInt64 {
        var h = FNV1a64()
        h.add(formatVersion)
        h.add(string: HyperscanDatabase.version)
        var platform = hs_platform_info_t()
        if hs_populate_platform(&platform) == HS_SUCCESS {
            h.add(platform.tune)
            h.add(platform.cpu_features)
        }
        #if arch(x86_64)
        h.add(string: "x86_64")
        #elseif arch(arm64)
        h.add(string: "arm64")
        #else
        h.add(string: "other")
        #endif
        h.add(mode.rawValue)
        h.add(UInt64(patterns.count))
        for p in patterns {
            h.add(p.id)
            h.add(p.flags.rawValue)
            h.add(string: p.expression)
        }
        return h.value
    }

    static func encode(key: UInt64, payload: [UInt8]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(headerSize + payload.count)
        var sum = FNV1a64()
        sum.add(payload)
        for n in [UInt64(formatVersion)] { withUnsafeBytes(of: UInt32(n).littleEndian) { out += $0 } }
        withUnsafeBytes(of: key.littleEndian) { out += $0 }
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { out += $0 }
        withUnsafeBytes(of: sum.value.littleEndian) { out += $0 }
        return out + payload
    }

    /// The payload if `file` is a well-formed cache file for `key`, else nil.
    static func payload(of file: [UInt8], key: UInt64) -> ArraySlice<UInt8>? {
        guard file.count >= headerSize, Array(file[0..<8]) == magic else { return nil }
        func u64(_ at: Int) -> UInt64 {
            file[at..<at + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        let version = file[8..<12].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard version == formatVersion, u64(12) == key, u64(20) == UInt64(file.count - headerSize) else { return nil }
        let payload = file[headerSize...]
        var sum = FNV1a64()
        sum.add(payload)
        return sum.value == u64(28) ? payload : nil
    }
}

extension HyperscanDatabase {
    /// The largest cache file read (1 GiB).
    static let maxCacheFileBytes = 1 << 30

    /// The cache file `cached(patterns:mode:directory:)` uses for this set.
    public static func cacheFileURL(patterns: [Pattern], mode: ScanMode, directory: URL) -> URL {
        let key = CacheFile.key(patterns: patterns, mode: mode)
        let hex = String(key, radix: 16)
        return directory.appendingPathComponent("hs-\(mode)-\(String(repeating: "0", count: 16 - hex.count))\(hex).db")
    }

    /// A database for `patterns`, loaded from `directory` when a previous run compiled the
    /// same set, otherwise compiled and stored there, so a restart does not recompile.
    ///
    /// The file is named and checked by a content hash of the patterns, flags, mode,
    /// Hyperscan version and platform. A file that is truncated, corrupt, for another set,
    /// or from another Hyperscan or CPU is ignored and replaced (``Origin/compiledAndCached(replacedInvalidFile:)``);
    /// a cache that cannot be written is reported in ``origin`` but does not fail the call.
    /// Files are written to a temporary name and renamed, so a crash never leaves half a file
    /// under the real name.
    ///
    /// With `limits`, a compile runs in a child process within them (see ``compile(_:mode:limits:)``).
    ///
    /// - Throws: only compile errors.
    public static func cached(patterns: [Pattern], mode: ScanMode, directory: URL,
                              limits: CompileLimits? = nil) throws -> HyperscanDatabase {
        let key = CacheFile.key(patterns: patterns, mode: mode)
        let url = cacheFileURL(patterns: patterns, mode: mode, directory: directory)
        var hadFile = false
        // A cache file larger than any database Sluice writes is not one: never read it whole.
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int
        if let size, size <= maxCacheFileBytes, let data = try? Data(contentsOf: url) {
            hadFile = true
            let bytes = [UInt8](data)
            if let payload = CacheFile.payload(of: bytes, key: key),
               let raw = try? payload.withUnsafeBytes({ try deserializeRaw($0, mode: mode) }) {
                return HyperscanDatabase(raw: raw, mode: mode, origin: .cacheHit)
            }
        }
        let raw = try limits.map { try compileBounded(patterns, mode: mode, limits: $0) } ?? compileRaw(patterns, mode: mode)
        let origin: Origin
        do {
            let file = CacheFile.encode(key: key, payload: try serializeRaw(raw))
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let tmp = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
            try Data(file).write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                let err = errno
                try? FileManager.default.removeItem(at: tmp)
                throw POSIXError(POSIXErrorCode(rawValue: err) ?? .EIO)
            }
            origin = .compiledAndCached(replacedInvalidFile: hadFile)
        } catch {
            origin = .compiledCacheWriteFailed(reason: "\(error)")
        }
        return HyperscanDatabase(raw: raw, mode: mode, origin: origin)
    }
}
