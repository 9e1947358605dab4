/// `GET /v1/sensors`: the loaded sensors, and the last pushed sensor file.
public struct SensorsResponse: Codable, Sendable, Equatable {
    public var sensors: [SensorInfo]
    /// The pushed file's version (0: none pushed).
    public var version: Int
    /// The pushed file's text ("" when none).
    public var file: String

    public init(sensors: [SensorInfo], version: Int, file: String) {
        self.sensors = sensors; self.version = version; self.file = file
    }
}

/// One loaded sensor.
public struct SensorInfo: Codable, Sendable, Equatable {
    public var name: String
    public var rules: [SensorRuleInfo]

    public init(name: String, rules: [SensorRuleInfo]) {
        self.name = name; self.rules = rules
    }
}

/// One sensor rule.
public struct SensorRuleInfo: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    /// Where it matches: `url`, `header`, `body`, ...
    public var context: String
    /// `alert` or `block`.
    public var action: String
    public var severity: Int

    public init(id: Int, name: String, context: String, action: String, severity: Int) {
        self.id = id; self.name = name; self.context = context; self.action = action; self.severity = severity
    }
}
