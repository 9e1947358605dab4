/// `GET /v1/status`.
public struct StatusResponse: Codable, Sendable, Equatable {
    public var uptimeSeconds: Int
    public var workers: Int
    /// `open` or `closed`.
    public var fail: String
    public var interfaces: [InterfaceStatus]
    public var policy: PolicyStatus
    /// The loaded sensor sets' names.
    public var sensors: [String]

    enum CodingKeys: String, CodingKey {
        case uptimeSeconds = "uptime_seconds", workers, fail, interfaces, policy, sensors
    }

    public init(uptimeSeconds: Int, workers: Int, fail: String, interfaces: [InterfaceStatus], policy: PolicyStatus, sensors: [String]) {
        self.uptimeSeconds = uptimeSeconds; self.workers = workers; self.fail = fail
        self.interfaces = interfaces; self.policy = policy; self.sensors = sensors
    }
}

/// One interface of the daemon config.
public struct InterfaceStatus: Codable, Sendable, Equatable {
    public var name: String
    /// `inline` or `tap`.
    public var mode: String
    /// The two devices of an inline pair.
    public var pair: [String]?
    /// A tap's device.
    public var interface: String?
    public var workload: String?

    public init(name: String, mode: String, pair: [String]? = nil, interface: String? = nil, workload: String? = nil) {
        self.name = name; self.mode = mode; self.pair = pair; self.interface = interface; self.workload = workload
    }
}

/// The policy in force, as `/v1/status` shows it.
public struct PolicyStatus: Codable, Sendable, Equatable {
    public var version: Int
    public var source: String
    /// How many policies the workers were handed since start.
    public var generation: Int
    public var overrides: PolicyOverrides
    /// Milliseconds the last push took to reach every worker; -1 before any.
    public var lastApplyMs: Double

    enum CodingKeys: String, CodingKey {
        case version, source, generation, overrides
        case lastApplyMs = "last_apply_ms"
    }

    public init(version: Int, source: String, generation: Int, overrides: PolicyOverrides, lastApplyMs: Double) {
        self.version = version; self.source = source; self.generation = generation
        self.overrides = overrides; self.lastApplyMs = lastApplyMs
    }
}

/// Workload modes and quarantine set through the API, over the policy text.
public struct PolicyOverrides: Codable, Sendable, Equatable {
    /// Workload name to mode.
    public var modes: [String: String]
    public var quarantined: [String]

    public init(modes: [String: String], quarantined: [String]) {
        self.modes = modes; self.quarantined = quarantined
    }
}
