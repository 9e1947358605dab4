import PatternMatch

/// Runs rules against a piece of text the way the packet path would, and says for each rule
/// what every pattern matched after which normalization and whether validation passed: what
/// `sluice sensors test` prints, so a rule that does not fire can be fixed without capturing
/// traffic.
public enum SensorTester {
    /// One pattern's outcome.
    public struct PatternResult: Sendable {
        /// The expression.
        public var expression: String
        /// Matches as start..<end offsets into the normalized input.
        public var matches: [Range<Int>] = []
        /// For the validated first pattern: which matches passed.
        public var validated: [Bool] = []
        /// Hyperscan's complaint when the pattern does not compile.
        public var compileError: String?
    }

    /// One rule's outcome on one normalization of the input.
    public struct RuleResult: Sendable {
        /// The rule.
        public var rule: SensorRule
        /// The sensor it belongs to.
        public var sensor: String
        /// What the input became before matching (e.g. "url: percent-decoded 2 rounds").
        public var normalization: String
        /// The input after normalization.
        public var normalized: [UInt8]
        /// Per pattern.
        public var patterns: [PatternResult]
        /// Whether the rule fires: every pattern matched, and the first's validation passed.
        public var fires: Bool
    }

    /// Tests every rule of `sensors` against `input`, once per normalization the rule's
    /// context applies (a `body` rule is also tried on the form-decoded input when it has a
    /// `%` or `+`).
    public static func run(_ sensors: [Sensor], input: [UInt8]) -> [RuleResult] {
        var out: [RuleResult] = []
        for sensor in sensors {
            for rule in sensor.rules {
                for (label, bytes) in normalizations(of: input, for: rule.context) {
                    out.append(test(rule, sensor: sensor.name, label: label, bytes: bytes))
                }
            }
        }
        return out
    }

    /// The forms of `input` a rule of `context` is matched against, with a label.
    public static func normalizations(of input: [UInt8], for context: SensorContext) -> [(String, [UInt8])] {
        switch context {
        case .url:
            var out = [UInt8](repeating: 0, count: max(1, input.count))
            let n = input.withUnsafeBytes { raw in out.withUnsafeMutableBytes { WAFNormalizer.url(raw, into: $0) } }
            return [("url: percent-decoded up to \(WAFNormalizer.urlRounds) rounds, '+' as space in the query, '\\' as '/'",
                     Array(out[0..<n]))]
        case .body:
            var forms: [(String, [UInt8])] = [("body: as decoded from the transfer and content encodings", input)]
            if input.contains(UInt8(ascii: "%")) || input.contains(UInt8(ascii: "+")) {
                var decoder = FormDecoder()
                var out = [UInt8](repeating: 0, count: input.count + 4)
                let n = input.withUnsafeBytes { raw in out.withUnsafeMutableBytes { decoder.decode(raw, into: $0) } }
                forms.append(("body: form-urlencoded, percent- and plus-decoded", Array(out[0..<n])))
            }
            return forms
        case .header:
            return [("header: one `Name: value` line, raw", input)]
        case .query:
            return [("query: the command text, raw", input)]
        case .packet, .request, .response:
            return [("\(context): the raw reassembled stream", input)]
        }
    }

    static func test(_ rule: SensorRule, sensor: String, label: String, bytes: [UInt8]) -> RuleResult {
        var results: [PatternResult] = []
        for (k, expression) in rule.patterns.enumerated() {
            var r = PatternResult(expression: expression)
            var flags: Pattern.Flags = [.leftmostStart]
            if rule.nocase { flags.insert(.caseless) }
            do {
                // As the packet path does: exact starts where Hyperscan can track them. Bounded
                // like every compile of rules from a file (``CompileLimits``).
                let limits = CompileLimits()
                let db = try (try? HyperscanDatabase.compile([Pattern(id: 0, expression: expression, flags: flags)], mode: .block, limits: limits))
                    ?? HyperscanDatabase.compile([Pattern(id: 0, expression: expression, flags: flags.subtracting(.leftmostStart))],
                                                 mode: .block, limits: limits)
                let scratch = try HyperscanScratch(for: db)
                var found: [Range<Int>] = []
                try bytes.withUnsafeBytes { b in
                    try db.scan(b, scratch: scratch) { _, from, to in
                        found.append(Int(from)..<Int(to))
                        return true
                    }
                }
                r.matches = found
                if k == 0 && rule.validate != .none {
                    r.validated = found.map { m in
                        bytes.withUnsafeBytes { Validators.check(rule.validate, UnsafeRawBufferPointer(rebasing: $0[m])) }
                    }
                }
            } catch {
                r.compileError = "\(error)"
            }
            results.append(r)
        }
        let fires = results.enumerated().allSatisfy { k, r in
            r.compileError == nil && !r.matches.isEmpty && (k != 0 || rule.validate == .none || r.validated.contains(true))
        }
        return RuleResult(rule: rule, sensor: sensor, normalization: label, normalized: bytes, patterns: results, fires: fires)
    }
}
