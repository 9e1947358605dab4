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
        guard let s = v.scalar?.string, let n = Int(s) else { throw error(key, "expected an integer") }
        guard range.contains(n) else { throw error(key, "must be between \(range.lowerBound) and \(range.upperBound)") }
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

    /// A byte size: a number with an optional KiB, MiB or GiB suffix (also kb, mb, gb).
    public func bytes(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let s = try string(key) else { return nil }
        guard let n = Self.parseBytes(s) else { throw error(key, "expected a size such as 65536, 64KiB or 1MiB") }
        guard range.contains(n) else { throw error(key, "must be between \(range.lowerBound) and \(range.upperBound) bytes") }
        return n
    }

    /// A duration: seconds, or a number with an `s`, `m` or `h` suffix; returned in seconds.
    public func seconds(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let s = try string(key)?.lowercased() else { return nil }
        let units: [(String, Int)] = [("h", 3600), ("m", 60), ("s", 1)]
        var value: Int?
        if let n = Int(s) { value = n }
        for (suffix, mult) in units where value == nil && s.hasSuffix(suffix) {
            if let n = Int(s.dropLast(suffix.count)) { value = n * mult }
        }
        guard let v = value else { throw error(key, "expected a duration such as 30, 30s, 10m or 1h") }
        guard range.contains(v) else { throw error(key, "must be between \(range.lowerBound) and \(range.upperBound) seconds") }
        return v
    }

    static func parseBytes(_ text: String) -> Int? {
        let s = String(text.lowercased().filter { $0 != " " })
        let units: [(String, Int)] = [("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30),
                                      ("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30),
                                      ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1)]
        if let n = Int(s) { return n }
        for (suffix, mult) in units where s.hasSuffix(suffix) {
            if let n = Int(s.dropLast(suffix.count)) { return n * mult }
        }
        return nil
    }
}
