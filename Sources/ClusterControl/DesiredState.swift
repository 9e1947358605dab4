/// The desired state a node reads under `prefix/desired/`: the policy, the sensor file and
/// the workload overrides, each optional (a key that is absent leaves that part as the node
/// has it). Their newest modification is the desired revision.
public struct DesiredState: Sendable, Equatable {
    /// `prefix/desired/policy`: policy YAML.
    public var policy: EtcdKeyValue?
    /// `prefix/desired/sensors`: a sensor file (YAML), put in force before the policy that may name it.
    public var sensors: EtcdKeyValue?
    /// `prefix/desired/overrides`: workload modes and quarantine (JSON, `{"modes":{...},"quarantined":[...]}`).
    public var overrides: EtcdKeyValue?

    /// Nothing desired.
    public init() {}

    /// The revision of the newest desired document (0 when none is set).
    public var revision: Int64 { max(policy?.modRevision ?? 0, sensors?.modRevision ?? 0, overrides?.modRevision ?? 0) }

    /// Takes a put or delete of one of the desired keys (others are ignored).
    public mutating func take(_ event: EtcdEvent, config: ClusterConfig) {
        let kv = event.kind == .put ? event.kv : nil
        switch event.kv.key {
        case config.policyKey: policy = kv
        case config.sensorsKey: sensors = kv
        case config.overridesKey: overrides = kv
        default: break
        }
    }
}

/// Why a desired document was not put in force: where (key, line, column) and what.
public struct Rejection: Sendable, Equatable, Codable {
    /// The etcd key of the document at fault.
    public var key: String
    /// 1-based line and column in it (0 when unknown).
    public var line: Int
    public var column: Int
    /// What is wrong.
    public var reason: String
    /// The desired revision that was rejected.
    public var revision: Int64

    /// A rejection of `key` at `line`:`column`.
    public init(key: String, line: Int, column: Int, reason: String, revision: Int64 = 0) {
        self.key = key; self.line = line; self.column = column; self.reason = reason; self.revision = revision
    }
}

/// What applying a desired state did.
public struct ApplyOutcome: Sendable {
    /// Applied (something changed and is in force), unchanged (already in force), or rejected.
    public enum Result: String, Sendable, CaseIterable { case applied, unchanged, rejected }
    /// The result.
    public var result: Result
    /// Why, when rejected (the running state stays in force).
    public var rejection: Rejection?
    /// Milliseconds from publication to every worker running the new policy, when known.
    public var inForceMs: Double?
    /// The node's local policy version after.
    public var policyVersion: Int

    /// An outcome.
    public init(_ result: Result, rejection: Rejection? = nil, inForceMs: Double? = nil, policyVersion: Int) {
        self.result = result; self.rejection = rejection; self.inForceMs = inForceMs; self.policyVersion = policyVersion
    }
}

/// The node the watcher drives: the daemon, which puts a desired state in force through the
/// same validated path as an API push.
public protocol DesiredStateTarget: AnyObject, Sendable {
    /// Validates and puts `state` in force (sensors, then policy with overrides); leaves the
    /// running state alone when anything is invalid. Called on one thread at a time; may block.
    func apply(_ state: DesiredState) -> ApplyOutcome
    /// How the state in force differs from `state` (a local API push, say); nil when it does not.
    func drift(from state: DesiredState) -> String?
    /// The local policy version in force.
    var localPolicyVersion: Int { get }
}
