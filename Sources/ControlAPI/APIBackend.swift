import SluiceConfig

/// Why a policy push was refused.
public enum PolicyPushError: Error, Sendable {
    /// The policy does not validate: the file position and reason.
    case invalid(ConfigError)
    /// `If-Match` named another version than the one in force.
    case conflict(current: Int)
    /// The policy validated but could not be stored as the last good one; nothing changed.
    case persist(String)
    /// No workload of that name in the policy.
    case noSuchWorkload(String)
}

/// A policy push that was put in force.
public struct PolicyPushResult: Sendable {
    /// The new version.
    public var version: Int
    /// Milliseconds from publication until every worker ran it; nil if one had not after 1 s.
    public var appliedMilliseconds: Double?
    /// A result.
    public init(version: Int, appliedMilliseconds: Double?) {
        self.version = version
        self.appliedMilliseconds = appliedMilliseconds
    }
}

/// What the API controls; the daemon implements it. Called on the API's event loop thread,
/// never on a worker's: implementations hand changes to workers through their mailboxes.
public protocol APIBackend: Sendable {
    /// Daemon, interfaces, policy version, workers' counters.
    func status() -> [String: Any]
    /// The policy in force: its version, where it came from, and its text.
    func currentPolicy() -> (version: Int, source: String, text: String)
    /// Validates `text` (named `file` in errors), stores it as the last good policy and puts it
    /// in force; returns the new version and how long the workers took to switch.
    func pushPolicy(_ text: String, file: String, expectedVersion: Int?) -> Result<PolicyPushResult, PolicyPushError>
    /// The loaded sensors and their rules.
    func sensors() -> [[String: Any]]
    /// The policy's workloads: name, group, mode in force, quarantined, sensors.
    func workloads() -> [[String: Any]]
    /// Changes a workload's mode and/or quarantine; the new policy version, or why not
    /// (`nil` result error text means no such workload).
    func setWorkload(_ name: String, mode: String?, quarantine: Bool?) -> Result<PolicyPushResult, PolicyPushError>
    /// The EVE file events are written to, nil when EVE is off.
    var eventFile: String? { get }
}
