import Yams

/// A YAML mapping being read as configuration. It remembers its file and key path so every
/// error names the file, the line and the key; and it rejects keys nobody reads, so a typo
/// is an error rather than a silently ignored setting.
public struct ConfigMap {
    /// The file the mapping came from.
    public let file: String
    /// Dotted path of this mapping ("" at the top).
    public let path: String
    /// The mapping's own node, for its position.
    public let node: Node
    /// Keys and values, in file order.
    public let pairs: [(key: String, keyNode: Node, value: Node)]

    /// Parses `text` (the contents of `file`) and returns its top-level mapping.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigMap {
        // Before composing: Yams expands aliases and recurses on nesting as it goes.
        try YAMLLimits.check(text, file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw syntaxError(e, file: file)
        } catch {
            throw ConfigError(file: file, line: 0, column: 0, key: "", reason: "\(error)")
        }
        guard let root else { throw ConfigError(file: file, line: 1, column: 1, key: "", reason: "the file is empty") }
        return try ConfigMap(node: root, file: file, path: "")
    }

    static func syntaxError(_ e: YamlError, file: String) -> ConfigError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, key: "", reason: "YAML syntax: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ConfigError(file: file, line: context.mark.line, column: context.mark.column,
                               key: duplicates.joined(separator: ","), reason: "key appears more than once")
        default:
            return ConfigError(file: file, line: 0, column: 0, key: "", reason: "YAML: \(e)")
        }
    }

    /// Wraps `node`, which must be a mapping.
    public init(node: Node, file: String, path: String) throws(ConfigError) {
        guard case .mapping(let m) = node else {
            throw ConfigError(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0,
                              key: path, reason: "expected a mapping of keys to values")
        }
        self.file = file
        self.path = path
        self.node = node
        var out: [(String, Node, Node)] = []
        var seen = Set<String>()
        for (k, v) in m {
            guard let name = k.string else {
                throw ConfigError(file: file, line: k.mark?.line ?? 0, column: k.mark?.column ?? 0,
                                  key: path, reason: "keys must be plain strings")
            }
            guard seen.insert(name).inserted else {
                throw ConfigError(file: file, line: k.mark?.line ?? 0, column: k.mark?.column ?? 0,
                                  key: Self.join(path, name), reason: "key appears more than once")
            }
            out.append((name, k, v))
        }
        pairs = out
    }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a).\(b)" }

    /// An error at `node` (or this mapping) for `key`.
    public func error(_ key: String, _ reason: String, at node: Node? = nil) -> ConfigError {
        let n = node ?? pairs.first(where: { $0.key == key })?.value ?? self.node
        return ConfigError(file: file, line: n.mark?.line ?? 0, column: n.mark?.column ?? 0,
                           key: Self.join(path, key), reason: reason)
    }

    /// Fails on any key not in `allowed`.
    public func allowOnly(_ allowed: [String]) throws(ConfigError) {
        for p in pairs where !allowed.contains(p.key) {
            throw ConfigError(file: file, line: p.keyNode.mark?.line ?? 0, column: p.keyNode.mark?.column ?? 0,
                              key: Self.join(path, p.key),
                              reason: "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    /// The raw value of `key`, if present.
    public func value(_ key: String) -> Node? { pairs.first(where: { $0.key == key })?.value }

    /// A nested mapping, if present.
    public func map(_ key: String) throws(ConfigError) -> ConfigMap? {
        guard let v = value(key) else { return nil }
        // A section left empty (only comments under it) is YAML null: same as absent.
        if case .scalar(let s) = v, ["", "~", "null"].contains(s.string) { return nil }
        return try ConfigMap(node: v, file: file, path: Self.join(path, key))
    }

    /// An integer within `range`.
    public func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let v = value(key) else { return nil }
        let between = "must be between \(range.lowerBound) and \(range.upperBound)"
        guard let s = v.scalar?.string else { throw error(key, "expected an integer") }
        guard let n = Int(s) else {
            // Digits that do not fit in 64 bits are a number out of range, not a typo.
            throw error(key, Self.isDigits(s) ? between : "expected an integer")
        }
        guard range.contains(n) else { throw error(key, between) }
        return n
    }

    /// A boolean (`true`/`false`, `yes`/`no`, `on`/`off`).
    public func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let v = value(key) else { return nil }
        switch v.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(key, "expected true or false")
        }
    }

    /// A string scalar.
    public func string(_ key: String) throws(ConfigError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.scalar?.string else { throw error(key, "expected a string") }
        return s
    }

    /// A `host:port` address (`[::1]:9100` for IPv6), its port within 0...65535: the text as
    /// written, checked, since the socket layer traps on a port that does not fit 16 bits.
    public func hostPort(_ key: String) throws(ConfigError) -> String? {
        guard let s = try string(key) else { return nil }
        guard let colon = s.lastIndex(of: ":"), colon != s.startIndex else { throw error(key, "expected host:port") }
        let port = String(s[s.index(after: colon)...])
        guard Self.isDigits(port), !port.hasPrefix("-"), !port.hasPrefix("+") else { throw error(key, "expected host:port") }
        guard let n = Int(port), (0...65535).contains(n) else { throw error(key, "port must be between 0 and 65535") }
        return s
    }

    /// A byte size: a number with an optional KiB, MiB or GiB suffix (also kb, mb, gb).
    public func bytes(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let s = try string(key) else { return nil }
        let between = "must be between \(range.lowerBound) and \(range.upperBound) bytes"
        switch Self.parseBytes(s) {
        case .none: throw error(key, "expected a size such as 65536, 64KiB or 1MiB")
        case .some(.none): throw error(key, between)
        case .some(.some(let n)):
            guard range.contains(n) else { throw error(key, between) }
            return n
        }
    }

    /// A duration: seconds, or a number with an `s`, `m` or `h` suffix; returned in seconds.
    public func seconds(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let s = try string(key) else { return nil }
        let between = "must be between \(range.lowerBound) and \(range.upperBound) seconds"
        switch Self.scaled(s.lowercased(), units: [("h", 3600), ("m", 60), ("s", 1)]) {
        case .none: throw error(key, "expected a duration such as 30, 30s, 10m or 1h")
        case .some(.none): throw error(key, between)
        case .some(.some(let v)):
            guard range.contains(v) else { throw error(key, between) }
            return v
        }
    }

    /// A byte size in bytes: nil when it is not a size, `.some(nil)` when it is one too large
    /// for 64 bits (say "must be between", not "expected a size").
    static func parseBytes(_ text: String) -> Int?? {
        let s = String(text.lowercased().filter { $0 != " " })
        return scaled(s, units: [("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
                                 ("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("tb", 1 << 40),
                                 ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("t", 1 << 40), ("b", 1)])
    }

    /// An integer with an optional unit suffix, multiplied out with overflow checked: nil when
    /// `s` is not one, `.some(nil)` when it is but the value does not fit in an `Int`.
    static func scaled(_ s: String, units: [(String, Int)]) -> Int?? {
        if let n = Int(s) { return .some(n) }
        if isDigits(s) { return .some(nil) }
        for (suffix, mult) in units where s.hasSuffix(suffix) {
            let number = String(s.dropLast(suffix.count))
            guard let n = Int(number) else { return isDigits(number) ? .some(nil) : nil }
            let (v, overflow) = n.multipliedReportingOverflow(by: mult)
            return overflow ? .some(nil) : .some(v)
        }
        return nil
    }

    /// An optional sign and one or more ASCII digits: a number, however large.
    static func isDigits(_ s: String) -> Bool {
        let body = s.first == "-" || s.first == "+" ? s.dropFirst() : Substring(s)
        return !body.isEmpty && body.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
