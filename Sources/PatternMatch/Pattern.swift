import CHyperscan
import Glibc

/// One regular expression of a pattern set, with the id Hyperscan reports when it matches.
///
/// Ids need not be unique: the sensors layer may give several expressions of one rule the
/// same id, and Hyperscan simply reports that id for whichever matched.
public struct Pattern: Sendable, Hashable {
    /// The id passed back to the match callback.
    public var id: UInt32
    /// The expression in Hyperscan's PCRE subset, without delimiters (`/.../`) or PCRE flags.
    public var expression: String
    /// Compile flags for this expression.
    public var flags: Flags

    /// A pattern with `id`, `expression` and `flags`.
    public init(id: UInt32, expression: String, flags: Flags = []) {
        self.id = id
        self.expression = expression
        self.flags = flags
    }

    /// Per-expression compile flags; each is one `HS_FLAG_*` bit, so the raw value can be
    /// handed to Hyperscan unchanged.
    public struct Flags: OptionSet, Sendable, Hashable {
        /// The `HS_FLAG_*` bits.
        public var rawValue: UInt32
        /// Flags from raw `HS_FLAG_*` bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Match without regard to ASCII case (`HS_FLAG_CASELESS`).
        public static let caseless = Flags(rawValue: UInt32(HS_FLAG_CASELESS))
        /// `.` also matches newlines (`HS_FLAG_DOTALL`).
        public static let dotAll = Flags(rawValue: UInt32(HS_FLAG_DOTALL))
        /// `^` and `$` match at embedded newlines (`HS_FLAG_MULTILINE`).
        public static let multiline = Flags(rawValue: UInt32(HS_FLAG_MULTILINE))
        /// Report only the first match of this expression per scan or stream
        /// (`HS_FLAG_SINGLEMATCH`); cheaper when a rule only needs to know "did it occur".
        public static let singleMatch = Flags(rawValue: UInt32(HS_FLAG_SINGLEMATCH))
        /// Allow an expression that can match the empty string (`HS_FLAG_ALLOWEMPTY`).
        public static let allowEmpty = Flags(rawValue: UInt32(HS_FLAG_ALLOWEMPTY))
        /// Treat the expression and data as UTF-8 (`HS_FLAG_UTF8`).
        public static let utf8 = Flags(rawValue: UInt32(HS_FLAG_UTF8))
        /// Unicode properties for `\w`, `\d`, ... (`HS_FLAG_UCP`; needs `utf8`).
        public static let unicodeProperties = Flags(rawValue: UInt32(HS_FLAG_UCP))
        /// Prefilter mode: may report false positives, for expressions Hyperscan cannot
        /// compile exactly (`HS_FLAG_PREFILTER`); confirm matches with another engine.
        public static let prefilter = Flags(rawValue: UInt32(HS_FLAG_PREFILTER))
        /// Report the true leftmost start offset (`HS_FLAG_SOM_LEFTMOST`). Without it the
        /// `from` offset of a match is 0, because tracking starts costs memory and speed;
        /// ask for it only where a payload excerpt needs the start. In stream mode the
        /// database is compiled with `HS_MODE_SOM_HORIZON_LARGE` when any pattern sets this.
        public static let leftmostStart = Flags(rawValue: UInt32(HS_FLAG_SOM_LEFTMOST))
    }
}

/// How a database scans: whole buffers at once, or a stream of chunks whose matches may span
/// chunk boundaries.
public enum ScanMode: UInt8, Sendable, Hashable {
    /// `HS_MODE_BLOCK`: each scan is a complete, independent buffer (URI, header value).
    case block
    /// `HS_MODE_STREAM`: data arrives in chunks (TCP payload, body pieces) and state
    /// carries between them in a ``HyperscanStream``.
    case stream

    /// The `HS_MODE_*` bits for compiling `patterns` in this mode.
    func hsMode(for patterns: [Pattern]) -> UInt32 {
        switch self {
        case .block:
            return UInt32(HS_MODE_BLOCK)
        case .stream:
            // Leftmost start in stream mode needs a SOM horizon; "large" keeps starts exact
            // at any distance, at the price of more stream state.
            let needsSOM = patterns.contains { $0.flags.contains(.leftmostStart) }
            return UInt32(HS_MODE_STREAM) | (needsSOM ? UInt32(HS_MODE_SOM_HORIZON_LARGE) : 0)
        }
    }
}

/// What Hyperscan's parser says about one expression before any compile
/// (`hs_expression_info`): cheap next to a compile, and enough to refuse patterns whose
/// bounded repeats make a compile slow.
public struct ExpressionInfo: Sendable, Equatable {
    /// The fewest bytes a match spans.
    public var minWidth: Int
    /// The most bytes a match spans; nil when unbounded (`.*`, `+`).
    public var maxWidth: Int?

    /// Widths as given.
    public init(minWidth: Int, maxWidth: Int?) { self.minWidth = minWidth; self.maxWidth = maxWidth }

    /// Analyses `pattern`; throws ``HyperscanError/compile(patternID:expression:message:)`` for
    /// an expression Hyperscan cannot parse.
    public init(_ pattern: Pattern) throws {
        guard !pattern.expression.utf8.contains(0) else { throw HyperscanError.expressionContainsNUL(patternID: pattern.id) }
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let code = hs_expression_info(pattern.expression, pattern.flags.rawValue, &info, &error)
        guard code == HS_SUCCESS, let info else {
            defer { if let error { hs_free_compile_error(error) } }
            let message = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? HyperscanStatus(rawValue: code).description
            throw HyperscanError.compile(patternID: pattern.id, expression: pattern.expression, message: message)
        }
        defer { free(info) }
        minWidth = Int(info.pointee.min_width)
        maxWidth = info.pointee.max_width == UInt32.max ? nil : Int(info.pointee.max_width)
    }
}
