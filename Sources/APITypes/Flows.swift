/// `GET /v1/flows`.
public struct FlowsResponse: Codable, Sendable, Equatable {
    public var flows: [FlowInfo]
    public var count: Int
    /// Workers that did not answer in time (their flows are missing).
    public var workersLate: Int

    enum CodingKeys: String, CodingKey {
        case flows, count
        case workersLate = "workers_late"
    }

    public init(flows: [FlowInfo], count: Int, workersLate: Int) {
        self.flows = flows; self.count = count; self.workersLate = workersLate
    }
}

/// One active flow, with EVE's field names.
public struct FlowInfo: Codable, Sendable, Equatable {
    public var flowID: Int
    public var srcIP: String
    public var destIP: String
    /// TCP and UDP only.
    public var srcPort: Int?
    public var destPort: Int?
    public var proto: Int
    /// The interface's name in the daemon config.
    public var interface: String?
    /// Absent until the application is detected.
    public var appProto: String?
    public var state: String
    public var pkts: Int
    public var bytes: Int
    public var ageSeconds: Double
    /// `allow`, `learn`, `violate`, `deny`, `pending` or `undecided`.
    public var verdict: String

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id", srcIP = "src_ip", destIP = "dest_ip", srcPort = "src_port", destPort = "dest_port"
        case proto, interface, appProto = "app_proto", state, pkts, bytes, ageSeconds = "age_seconds", verdict
    }

    public init(flowID: Int, srcIP: String, destIP: String, srcPort: Int? = nil, destPort: Int? = nil, proto: Int,
                interface: String? = nil, appProto: String? = nil, state: String, pkts: Int, bytes: Int, ageSeconds: Double,
                verdict: String) {
        self.flowID = flowID; self.srcIP = srcIP; self.destIP = destIP; self.srcPort = srcPort; self.destPort = destPort
        self.proto = proto; self.interface = interface; self.appProto = appProto; self.state = state; self.pkts = pkts
        self.bytes = bytes; self.ageSeconds = ageSeconds; self.verdict = verdict
    }
}
