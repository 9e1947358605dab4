/// A configuration problem, located in its file: `file:line:column: key: reason`.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The file that holds the problem.
    public var file: String
    /// 1-based line (0 when unknown).
    public var line: Int
    /// 1-based column (0 when unknown).
    public var column: Int
    /// The dotted key path, such as `flow.timeouts.tcp_new`; empty for syntax errors.
    public var key: String
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    public init(file: String, line: Int, column: Int, key: String, reason: String) {
        self.file = file; self.line = line; self.column = column; self.key = key; self.reason = reason
    }

    /// The one-line message people and editors read.
    public var description: String {
        let at = line > 0 ? "\(file):\(line):\(column)" : file
        return key.isEmpty ? "\(at): \(reason)" : "\(at): \(key): \(reason)"
    }
}
