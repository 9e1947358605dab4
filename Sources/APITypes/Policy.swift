/// `GET /v1/policy`.
public struct PolicyResponse: Codable, Sendable, Equatable {
    public var version: Int
    /// Where it came from: a path, `api`, `last good (DIR)`, `none`.
    public var source: String
    /// The YAML text.
    public var policy: String

    public init(version: Int, source: String, policy: String) {
        self.version = version; self.source = source; self.policy = policy
    }
}

/// `PUT /v1/policy`, `PUT /v1/sensors`, `PUT /v1/workloads/NAME`: the version now in force.
public struct PushResponse: Codable, Sendable, Equatable {
    public var version: Int
    /// Milliseconds until every worker ran it; -1 when one had not after 1 s (or for sensors).
    public var appliedMs: Double

    enum CodingKeys: String, CodingKey {
        case version
        case appliedMs = "applied_ms"
    }

    public init(version: Int, appliedMs: Double) {
        self.version = version; self.appliedMs = appliedMs
    }
}

/// `GET /v1/policy/learned`: what discover mode learned, and the policies allowing it.
public struct LearnedPolicyResponse: Codable, Sendable, Equatable {
    /// Distinct shapes learned.
    public var count: Int
    public var flows: [LearnedShape]
    /// Workers that did not answer in time (their shapes are missing).
    public var workersLate: Int
    /// A policy allowing exactly the shapes, in the groups of the policy in force.
    public var policy: String
    /// The policy in force with an allow rule added for each shape it does not allow yet.
    public var merged: String
    public var mergedRulesAdded: Int
    public var alreadyAllowed: Int
    /// Shapes an explicit deny rule matches: left denied.
    public var explicitlyDenied: [LearnedShape]
    /// The version `merged` was made from.
    public var policyVersion: Int

    enum CodingKeys: String, CodingKey {
        case count, flows, policy, merged
        case workersLate = "workers_late", mergedRulesAdded = "merged_rules_added", alreadyAllowed = "already_allowed"
        case explicitlyDenied = "explicitly_denied", policyVersion = "policy_version"
    }

    public init(count: Int, flows: [LearnedShape], workersLate: Int, policy: String, merged: String, mergedRulesAdded: Int,
                alreadyAllowed: Int, explicitlyDenied: [LearnedShape], policyVersion: Int) {
        self.count = count; self.flows = flows; self.workersLate = workersLate; self.policy = policy; self.merged = merged
        self.mergedRulesAdded = mergedRulesAdded; self.alreadyAllowed = alreadyAllowed
        self.explicitlyDenied = explicitlyDenied; self.policyVersion = policyVersion
    }
}

/// A learned flow shape, with EVE's field names.
public struct LearnedShape: Codable, Sendable, Equatable {
    public var srcIP: String
    public var destIP: String
    public var proto: Int
    /// TCP and UDP only.
    public var destPort: Int?
    /// Absent when the application was not detected.
    public var appProto: String?

    enum CodingKeys: String, CodingKey {
        case srcIP = "src_ip", destIP = "dest_ip", proto, destPort = "dest_port", appProto = "app_proto"
    }

    public init(srcIP: String, destIP: String, proto: Int, destPort: Int? = nil, appProto: String? = nil) {
        self.srcIP = srcIP; self.destIP = destIP; self.proto = proto; self.destPort = destPort; self.appProto = appProto
    }
}
