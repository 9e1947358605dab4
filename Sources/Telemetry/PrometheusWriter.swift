/// The kind of a metric family, as `# TYPE` names it.
public enum PrometheusType: String, Sendable {
    /// Only goes up (names end in `_total`).
    case counter
    /// Goes up and down.
    case gauge
    /// Cumulative buckets, `_sum` and `_count`.
    case histogram
}

/// Writes Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` lines, then samples
/// with escaped label values. Scrape side; builds a `String`.
public struct PrometheusWriter: Sendable {
    /// The text written so far.
    public private(set) var text = ""

    /// An empty document.
    public init() { text.reserveCapacity(16 << 10) }

    /// Starts family `name`: its `# HELP` (escaped) and `# TYPE` lines.
    public mutating func family(_ name: String, _ type: PrometheusType, help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
    }

    /// One sample line without labels, integer value.
    public mutating func sample(_ name: String, _ value: UInt64) { line(name, [], String(value)) }

    /// One sample line without labels, floating-point value.
    public mutating func sample(_ name: String, _ value: Double) { line(name, [], Self.format(value)) }

    /// One sample line with an integer value.
    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: UInt64) {
        line(name, labels, String(value))
    }

    /// One sample line with a floating-point value (`+Inf`, `-Inf` and `NaN` spelled as
    /// Prometheus spells them).
    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        line(name, labels, Self.format(value))
    }

    mutating func line(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (i, (k, v)) in labels.enumerated() {
                if i > 0 { text += "," }
                text += k
                text += "=\""
                text += Self.escapeLabel(v)
                text += "\""
            }
            text += "}"
        }
        text += " "
        text += value
        text += "\n"
    }

    /// `value` as the exposition format writes a float.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return value.description
    }

    /// A label value escaped: backslash, double quote and line feed.
    public static func escapeLabel(_ s: String) -> String { escape(s, quote: true) }

    /// HELP text escaped: backslash and line feed.
    public static func escapeHelp(_ s: String) -> String { escape(s, quote: false) }

    static func escape(_ s: String, quote: Bool) -> String {
        let scalars = s.unicodeScalars
        guard scalars.contains(where: { $0 == "\\" || $0 == "\n" || (quote && $0 == "\"") }) else { return s }
        var out = String.UnicodeScalarView()
        for c in scalars {
            switch c {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\"" where quote: out.append(contentsOf: "\\\"".unicodeScalars)
            default: out.append(c)
            }
        }
        return String(out)
    }
}
