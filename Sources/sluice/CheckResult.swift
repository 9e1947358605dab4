import ArgumentParser
import ConfigYAML
import Foundation

/// What `config check`, `policy check` and `sensors check` print with `--json`: one object
/// on stdout, `ok` true or false, the exit status as without `--json` (0; 2 when the file
/// does not validate, 66 when it cannot be read).
struct CheckResult: Encodable {
    /// Where and why the file was rejected; the located fields when the loader knows them.
    struct Problem: Encodable {
        /// The same one-line message the text output prints.
        var message: String
        var line: Int?
        var column: Int?
        var key: String?
        var reason: String
    }
    /// What a valid policy holds (`policy check`).
    struct PolicyStats: Encodable {
        var mode: String
        var `default`: String
        var groups: Int
        var cidrs: Int
        var fqdnPatterns: Int
        var workloads: Int
        var rules: Int
    }
    /// What a valid sensor file holds (`sensors check`).
    struct SensorStats: Encodable {
        var sensors: Int
        var rules: Int
        var origins: [String]
    }

    var file: String
    var ok = true
    var error: Problem?
    var policy: PolicyStats?
    var sensors: SensorStats?

    init(file: String) { self.file = file }

    /// One line of JSON (keys sorted and snake_case).
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and integers only: encoding cannot fail.
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reports `error` for `file` (as JSON on stdout, or its message on stderr as the check
    /// commands always have) and exits 2 (66 when the file could not be read).
    static func reject(file: String, _ error: any Error, json: Bool) throws -> Never {
        guard json else {
            FileHandleStderr.write("\(error)\n")
            throw ExitCode(RuntimeError.status(rejecting: error).rawValue)
        }
        var r = CheckResult(file: file)
        r.ok = false
        if let e = error as? ConfigError {
            r.error = Problem(message: e.description, line: e.line > 0 ? e.line : nil, column: e.column > 0 ? e.column : nil,
                              key: e.key.isEmpty ? nil : e.key, reason: e.reason)
        } else {
            r.error = Problem(message: "\(error)", reason: "\(error)")
        }
        print(r.json())
        throw ExitCode(RuntimeError.status(rejecting: error).rawValue)
    }
}
