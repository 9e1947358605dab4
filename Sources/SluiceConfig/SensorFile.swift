import ConfigYAML
import Foundation
import Sensors
import Yams

/// Reads sensor files: `sensors:` is a list of `{name, rules: [{id, name, context, patterns,
/// validate, severity, action, nocase}]}`. Every error names the file, line and key.
public enum SensorFile {
    /// Loads the sensors in `path`.
    public static func load(path: String) throws(ConfigError) -> [Sensor] {
        try parse(readConfigFile(path), file: path)
    }

    /// The built-in set `name`.
    public static func builtIn(_ name: String) throws(ConfigError) -> [Sensor] {
        guard let text = BuiltInSensors.yaml(named: name) else {
            throw ConfigError(file: "", line: 0, column: 0, key: "sensors",
                              reason: "no built-in sensor set \"\(name)\" (there are \(BuiltInSensors.names.joined(separator: ", ")))")
        }
        return try parse(text, file: BuiltInSensors.fileName(name))
    }

    /// Every built-in set.
    public static func allBuiltIn() throws(ConfigError) -> [Sensor] {
        var out: [Sensor] = []
        for n in BuiltInSensors.names { out += try builtIn(n) }
        return out
    }

    /// Validates `text` as the contents of `file`.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> [Sensor] {
        let top = try ConfigMap.parse(text, file: file)
        try top.allowOnly(["sensors"])
        guard let list = top.value("sensors") else { throw top.error("sensors", "missing (a list of sensors)") }
        guard let items = list.sequence else { throw top.error("sensors", "expected a list of sensors") }
        guard items.count <= SensorSet.maxSensors else {
            throw top.error("sensors", "\(items.count) sensors; a set holds at most \(SensorSet.maxSensors)")
        }
        var out: [Sensor] = []
        var ruleCount = 0
        for (i, node) in items.enumerated() {
            let s = try ConfigMap(node: node, file: file, path: "sensors[\(i)]")
            try s.allowOnly(["name", "rules"])
            guard let name = try s.string("name"), !name.isEmpty else { throw s.error("name", "missing (the sensor's name)") }
            guard let rulesNode = s.value("rules"), let ruleItems = rulesNode.sequence else {
                throw s.error("rules", "missing or not a list")
            }
            var rules: [SensorRule] = []
            for (j, rn) in ruleItems.enumerated() {
                ruleCount += 1
                guard ruleCount <= SensorSet.maxRules else {
                    throw ConfigError(file: file, line: rn.mark?.line ?? 0, column: rn.mark?.column ?? 0, key: "sensors[\(i)].rules[\(j)]",
                                      reason: "more than \(SensorSet.maxRules) rules in this file; a sensor set holds at most \(SensorSet.maxRules)")
                }
                rules.append(try rule(ConfigMap(node: rn, file: file, path: "sensors[\(i)].rules[\(j)]"), file: file))
            }
            out.append(Sensor(name: name, rules: rules))
        }
        return out
    }

    static func rule(_ r: ConfigMap, file: String) throws(ConfigError) -> SensorRule {
        try r.allowOnly(["id", "name", "context", "patterns", "pattern", "validate", "severity", "action", "nocase"])
        guard let id = try r.int("id", in: 1...Int(UInt32.max)) else { throw r.error("id", "missing (a signature id)") }
        guard let name = try r.string("name"), !name.isEmpty else { throw r.error("name", "missing (the signature text)") }
        guard let c = try r.string("context") else {
            throw r.error("context", "missing (packet, url, header, body, request, response or query)")
        }
        guard let context = SensorContext(name: c) else {
            throw r.error("context", "unknown context \"\(c)\" (expected packet, url, header, body, request, response or query)")
        }
        var patterns: [String] = []
        if let one = try r.string("pattern") { patterns.append(one) }
        if let list = r.value("patterns") {
            guard let seq = list.sequence else { throw r.error("patterns", "expected a list of regular expressions") }
            for (k, n) in seq.enumerated() {
                guard let p = n.scalar?.string, !p.isEmpty else {
                    throw r.error("patterns", "pattern \(k + 1) is not a non-empty string", at: n)
                }
                patterns.append(p)
            }
        }
        guard !patterns.isEmpty else { throw r.error("patterns", "missing (one or more regular expressions)") }
        guard patterns.count <= SensorSet.maxPatternsPerRule else {
            throw r.error("patterns", "\(patterns.count) patterns; a rule holds at most \(SensorSet.maxPatternsPerRule)")
        }
        var validate = Validation.none
        if let v = try r.string("validate") {
            guard let known = Validation.allCases.first(where: { $0.description == v }), known != .none else {
                throw r.error("validate", "unknown check \"\(v)\" (expected luhn, iban or ssn)")
            }
            validate = known
        }
        let severity = try r.int("severity", in: 1...4) ?? 2
        var action = SensorAction.alert
        if let a = try r.string("action") {
            switch a {
            case "alert": action = .alert
            case "block": action = .block
            default: throw r.error("action", "unknown action \"\(a)\" (expected alert or block)")
            }
        }
        let line = (r.node.mark?.line).map { "\(file):\($0)" } ?? file
        return SensorRule(id: UInt32(id), name: name, patterns: patterns, context: context, validate: validate,
                          severity: UInt8(severity), action: action, nocase: try r.bool("nocase") ?? false, origin: line)
    }
}

extension SluiceSettings {
    /// Loads the built-in sets and files these settings name, plus `extraFiles`, and compiles
    /// them; nil when there are none. Errors name the file and line (a sensor file's, or the
    /// rule Hyperscan rejected).
    public func compileSensors(extraFiles: [String] = [], builtIns: Bool = true, extraSensors: [Sensor] = [],
                               prefilter: Bool = true) throws -> SensorSet? {
        var sensors: [Sensor] = []
        if builtIns { for n in builtInSensors { sensors += try SensorFile.builtIn(n) } }
        for f in sensorFiles + extraFiles { sensors += try SensorFile.load(path: f) }
        sensors += extraSensors
        guard !sensors.isEmpty else { return nil }
        return try SensorSet(sensors: sensors, cacheDirectory: resolvedSensorCache.map { URL(fileURLWithPath: $0) },
                             limits: sensorCompileLimits, prefilter: prefilter)
    }

    /// Where compiled databases are cached: `sensors.cache_dir`, `none` for nowhere, else
    /// `$XDG_CACHE_HOME/sluice/hyperscan` (or `~/.cache/sluice/hyperscan`).
    public var resolvedSensorCache: String? {
        if let dir = sensorCacheDirectory { return dir == "none" ? nil : dir }
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/sluice/hyperscan" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.cache/sluice/hyperscan" }
        return nil
    }
}
