import CHSCompile
import CHyperscan
import Glibc

/// Bounds on one Hyperscan compile. Hyperscan's compile time and memory grow steeply with
/// some patterns (a bounded repeat such as `.{3000}`, thousands of rules), and a compile
/// cannot be interrupted; so a bounded compile runs in a forked child process capped at
/// `memoryBytes` of address space (on top of what the process already maps) and killed after
/// `timeoutSeconds`. The child sends the serialized database back; the parent deserializes it.
public struct CompileLimits: Sendable, Equatable {
    /// Wall-clock seconds one database may take to compile.
    public var timeoutSeconds: Double
    /// Bytes of address space the compile may add.
    public var memoryBytes: Int

    /// Limits; the defaults fit every built-in set many times over.
    public init(timeoutSeconds: Double = 60, memoryBytes: Int = 4 << 30) {
        self.timeoutSeconds = timeoutSeconds
        self.memoryBytes = memoryBytes
    }

    /// Seconds as people write them: `5` when whole, else `0.5`.
    public static func format(_ s: Double) -> String {
        s == s.rounded() && s < 1e9 ? String(Int(s)) : String(s)
    }
}

extension HyperscanDatabase {
    /// `hs_compile_multi` in a child process within `limits`; the `hs_database_t *`.
    static func compileBounded(_ patterns: [Pattern], mode: ScanMode, limits: CompileLimits) throws -> OpaquePointer {
        guard !patterns.isEmpty else { throw HyperscanError.emptyPatternSet }
        for p in patterns where p.expression.utf8.contains(0) {
            throw HyperscanError.expressionContainsNUL(patternID: p.id)
        }
        // Prepared before fork: the child only reads these C arrays.
        let cStrings: [UnsafePointer<CChar>?] = patterns.map { UnsafePointer(strdup($0.expression)) }
        defer { for s in cStrings { free(UnsafeMutablePointer(mutating: s)) } }
        let flags = patterns.map { $0.flags.rawValue }
        let ids = patterns.map(\.id)
        let timeoutMs = UInt32(clamping: Int((limits.timeoutSeconds * 1000).rounded(.up).clamped(to: 1...4e9)))
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        var index: Int32 = -1
        let capacity = 1024
        var message = [CChar](repeating: 0, count: capacity)
        noteCompile()
        let outcome = cStrings.withUnsafeBufferPointer { exprs in
            sluice_hs_compile_bounded(exprs.baseAddress, flags, ids, UInt32(patterns.count), mode.hsMode(for: patterns),
                                      timeoutMs, max(0, limits.memoryBytes), &bytes, &length, &index, &message, capacity)
        }
        let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        switch outcome {
        case Int32(SLUICE_HS_OK):
            defer { free(bytes) }
            return try deserializeRaw(UnsafeRawBufferPointer(start: bytes, count: length), mode: mode)
        case Int32(SLUICE_HS_REJECTED):
            let i = Int(index)
            if i >= 0, i < patterns.count {
                throw HyperscanError.compile(patternID: patterns[i].id, expression: patterns[i].expression, message: text)
            }
            throw HyperscanError.compile(patternID: nil, expression: nil, message: text)
        case Int32(SLUICE_HS_TIMEOUT):
            throw HyperscanError.compileTimeout(seconds: limits.timeoutSeconds)
        case Int32(SLUICE_HS_SYSTEM):
            throw HyperscanError.compileProcess(reason: String(cString: strerror(index)))
        default:
            throw HyperscanError.compileProcess(reason: "\(text) (memory limit \(limits.memoryBytes >> 20) MiB)")
        }
    }
}

extension Double {
    fileprivate func clamped(to r: ClosedRange<Double>) -> Double { Swift.min(Swift.max(self, r.lowerBound), r.upperBound) }
}
