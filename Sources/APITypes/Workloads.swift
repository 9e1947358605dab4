/// `GET /v1/workloads`.
public struct WorkloadsResponse: Codable, Sendable, Equatable {
    public var workloads: [WorkloadInfo]

    public init(workloads: [WorkloadInfo]) { self.workloads = workloads }
}

/// One workload of the policy in force.
public struct WorkloadInfo: Codable, Sendable, Equatable {
    public var name: String
    public var group: String
    /// The mode in force (the workload's, an override, or the policy's).
    public var mode: String
    public var quarantine: Bool
    /// The sensors bound to it.
    public var sensors: [String]
    public var sensorBindings: [SensorBindingInfo]

    enum CodingKeys: String, CodingKey {
        case name, group, mode, quarantine, sensors
        case sensorBindings = "sensor_bindings"
    }

    public init(name: String, group: String, mode: String, quarantine: Bool, sensors: [String], sensorBindings: [SensorBindingInfo]) {
        self.name = name; self.group = group; self.mode = mode; self.quarantine = quarantine
        self.sensors = sensors; self.sensorBindings = sensorBindings
    }
}

/// A sensor bound to a workload.
public struct SensorBindingInfo: Codable, Sendable, Equatable {
    public var name: String
    /// `alert`, `block`, or `rule` (each rule's own action).
    public var action: String
    /// Rule ids turned off for this workload.
    public var disable: [Int]

    public init(name: String, action: String, disable: [Int]) {
        self.name = name; self.action = action; self.disable = disable
    }
}

/// `PUT /v1/workloads/NAME`: either field or both.
public struct WorkloadUpdate: Codable, Sendable, Equatable {
    /// `discover`, `monitor` or `protect`.
    public var mode: String?
    public var quarantine: Bool?

    public init(mode: String? = nil, quarantine: Bool? = nil) {
        self.mode = mode; self.quarantine = quarantine
    }
}
