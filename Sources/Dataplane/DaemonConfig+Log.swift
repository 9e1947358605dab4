import ConfigYAML
import Logging

extension DaemonConfig {
    /// `log: { level: info, format: auto }`: the least severe level logged (trace, debug,
    /// info, notice, warning, error, critical) and the line format (auto, journald, text).
    static func parseLog(_ m: ConfigMap) throws(ConfigError) -> (Logger.Level, LogFormat) {
        try m.allowOnly(["level", "format"])
        var level = Logger.Level.info
        if let name = try m.string("level") {
            guard let l = Logger.Level(rawValue: name.lowercased()) else {
                throw m.error("level", "unknown level \"\(name)\" (expected one of: \(Logger.Level.names.joined(separator: ", ")))")
            }
            level = l
        }
        var format = LogFormat.auto
        if let name = try m.string("format") {
            guard let f = LogFormat(rawValue: name) else {
                throw m.error("format", "unknown format \"\(name)\" (expected one of: \(LogFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            format = f
        }
        return (level, format)
    }
}
