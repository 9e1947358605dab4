import CHyperscan

/// A Hyperscan return code (`hs_error_t`), named like `Errno` so a failure reads as what
/// went wrong rather than as a bare negative number.
public struct HyperscanStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The raw `hs_error_t`.
    public var rawValue: Int32
    /// A status from a raw `hs_error_t`.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `HS_INVALID`: a parameter was invalid (e.g. a block database given to a stream call).
    public static let invalid = HyperscanStatus(rawValue: HS_INVALID)
    /// `HS_NOMEM`: an allocation failed.
    public static let noMemory = HyperscanStatus(rawValue: HS_NOMEM)
    /// `HS_SCAN_TERMINATED`: the callback asked to stop.
    public static let scanTerminated = HyperscanStatus(rawValue: HS_SCAN_TERMINATED)
    /// `HS_COMPILER_ERROR`: compilation failed.
    public static let compilerError = HyperscanStatus(rawValue: HS_COMPILER_ERROR)
    /// `HS_DB_VERSION_ERROR`: the database was built by another Hyperscan version.
    public static let databaseVersionError = HyperscanStatus(rawValue: HS_DB_VERSION_ERROR)
    /// `HS_DB_PLATFORM_ERROR`: the database was built for another platform.
    public static let databasePlatformError = HyperscanStatus(rawValue: HS_DB_PLATFORM_ERROR)
    /// `HS_DB_MODE_ERROR`: block database used for streaming or the reverse.
    public static let databaseModeError = HyperscanStatus(rawValue: HS_DB_MODE_ERROR)
    /// `HS_BAD_ALIGN`: a pointer was not suitably aligned.
    public static let badAlignment = HyperscanStatus(rawValue: HS_BAD_ALIGN)
    /// `HS_BAD_ALLOC`: the allocator returned misaligned memory.
    public static let badAllocation = HyperscanStatus(rawValue: HS_BAD_ALLOC)
    /// `HS_SCRATCH_IN_USE`: the scratch is being used by another scan (two threads sharing one).
    public static let scratchInUse = HyperscanStatus(rawValue: HS_SCRATCH_IN_USE)
    /// `HS_ARCH_ERROR`: the CPU lacks SSSE3, the minimum Hyperscan needs.
    public static let architectureError = HyperscanStatus(rawValue: HS_ARCH_ERROR)
    /// `HS_INSUFFICIENT_SPACE`: a provided buffer was too small.
    public static let insufficientSpace = HyperscanStatus(rawValue: HS_INSUFFICIENT_SPACE)

    /// The constant's name, for logs.
    public var description: String {
        switch self {
        case .invalid: return "HS_INVALID"
        case .noMemory: return "HS_NOMEM"
        case .scanTerminated: return "HS_SCAN_TERMINATED"
        case .compilerError: return "HS_COMPILER_ERROR"
        case .databaseVersionError: return "HS_DB_VERSION_ERROR"
        case .databasePlatformError: return "HS_DB_PLATFORM_ERROR"
        case .databaseModeError: return "HS_DB_MODE_ERROR"
        case .badAlignment: return "HS_BAD_ALIGN"
        case .badAllocation: return "HS_BAD_ALLOC"
        case .scratchInUse: return "HS_SCRATCH_IN_USE"
        case .architectureError: return "HS_ARCH_ERROR"
        case .insufficientSpace: return "HS_INSUFFICIENT_SPACE"
        default: return "hs_error_t(\(rawValue))"
        }
    }
}

/// What can go wrong in the wrapper, with enough context to fix a rule without reading
/// Hyperscan's source.
public enum HyperscanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An expression did not compile. `patternID` and `expression` are nil when Hyperscan's
    /// error is about the set as a whole (e.g. the database grew too large).
    case compile(patternID: UInt32?, expression: String?, message: String)
    /// A pattern set was empty; Hyperscan cannot build a database with no expressions.
    case emptyPatternSet
    /// An expression contained a NUL byte, which cannot pass through Hyperscan's C strings.
    case expressionContainsNUL(patternID: UInt32)
    /// A buffer was longer than the 4 GiB Hyperscan takes per call.
    case bufferTooLarge(Int)
    /// A deserialized database had the wrong mode for the caller.
    case modeMismatch(expected: ScanMode)
    /// A Hyperscan call returned `status`.
    case call(function: String, status: HyperscanStatus)
    /// A bounded compile (``CompileLimits``) ran longer than its time limit and was killed.
    case compileTimeout(seconds: Double)
    /// The process of a bounded compile could not run or ended without an answer (for
    /// example killed for exceeding its memory limit); `reason` says how.
    case compileProcess(reason: String)

    /// One line naming the failure.
    public var description: String {
        switch self {
        case let .compile(id, expression, message):
            if let id, let expression {
                return "pattern \(id) /\(expression)/ does not compile: \(message)"
            }
            return "pattern set does not compile: \(message)"
        case .emptyPatternSet: return "pattern set is empty"
        case let .expressionContainsNUL(id): return "pattern \(id) contains a NUL byte"
        case let .bufferTooLarge(n): return "buffer of \(n) bytes exceeds Hyperscan's 4 GiB limit"
        case let .modeMismatch(mode): return "database is not a \(mode) database"
        case let .call(function, status): return "\(function) failed: \(status)"
        case let .compileTimeout(seconds): return "compile exceeded \(CompileLimits.format(seconds)) s"
        case let .compileProcess(reason): return "compile process failed: \(reason)"
        }
    }

    /// Throws `.call` unless `code` is `HS_SUCCESS`.
    static func check(_ code: hs_error_t, _ function: String) throws {
        if code != HS_SUCCESS { throw HyperscanError.call(function: function, status: HyperscanStatus(rawValue: code)) }
    }
}
