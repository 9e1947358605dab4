/// A DNS name pattern of an FQDN group: an exact name (`example.com`) or a wildcard
/// (`*.example.com`). Names compare without case. A wildcard matches every name below its
/// suffix at any depth (`a.example.com`, `a.b.example.com`) but not the suffix itself, which
/// is why the example lists both `*.example.com` and `example.com`.
public struct FQDNPattern: Sendable, Hashable, CustomStringConvertible {
    /// The name, or for a wildcard the suffix after `*.`; lower case, no trailing dot.
    public var name: String
    /// Whether the pattern was `*.name`.
    public var isWildcard: Bool

    /// Parses `text`; nil with the reason when it is not a DNS name or `*.` and a DNS name.
    public static func parse(_ text: String) -> Result<FQDNPattern, FQDNPatternError> {
        var s = Substring(text.lowercased())
        if s.hasSuffix(".") { s = s.dropLast() }
        var wild = false
        if s.hasPrefix("*.") { wild = true; s = s.dropFirst(2) }
        guard !s.isEmpty else { return .failure(.empty) }
        guard s.utf8.count <= 253 else { return .failure(.tooLong) }
        for label in s.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.utf8.count <= 63 else { return .failure(.badLabel(String(label))) }
            for c in label.utf8 {
                let ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f
                if !ok { return .failure(c == 0x2a ? .wildcardPlacement : .badLabel(String(label))) }
            }
        }
        return .success(FQDNPattern(name: String(s), isWildcard: wild))
    }

    /// A pattern from its parts (`name` lower case, without `*.`).
    public init(name: String, isWildcard: Bool) {
        self.name = name; self.isWildcard = isWildcard
    }

    /// The spelling policy files use.
    public var description: String { isWildcard ? "*.\(name)" : name }

    /// Whether `host` matches (the straightforward test; the classifier uses its tables).
    public func matches(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasSuffix(".") { h.removeLast() }
        return isWildcard ? h.utf8.count > name.utf8.count + 1 && h.hasSuffix("." + name) : h == name
    }
}

/// Why an FQDN pattern did not parse.
public enum FQDNPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing but `*.` or an empty string.
    case empty
    /// Longer than 253 characters.
    case tooLong
    /// A label that is empty, too long or has characters other than letters, digits, `-`, `_`.
    case badLabel(String)
    /// `*` anywhere but a leading `*.`.
    case wildcardPlacement

    /// The reason, for error messages.
    public var description: String {
        switch self {
        case .empty: return "empty name"
        case .tooLong: return "name longer than 253 characters"
        case .badLabel(let l): return "bad label \"\(l)\" (letters, digits, - and _ only, 1 to 63 characters)"
        case .wildcardPlacement: return "* is allowed only as a leading \"*.\""
        }
    }
}
