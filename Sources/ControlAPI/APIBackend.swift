import APITypes
import ConfigYAML

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
/// Answers are APITypes values, the types `sluice ctl` decodes and docs/openapi.yaml describes.
public protocol APIBackend: Sendable {
    /// Daemon, interfaces, policy version, workers' counters.
    func status() -> StatusResponse
    /// The network threats detected, their settings and counts.
    func threats() -> ThreatsResponse
    /// The policy in force: its version, where it came from, and its text.
    func currentPolicy() -> (version: Int, source: String, text: String)
    /// Validates `text` (named `file` in errors), stores it as the last good policy and puts it
    /// in force; returns the new version and how long the workers took to switch.
    func pushPolicy(_ text: String, file: String, expectedVersion: Int?) -> Result<PolicyPushResult, PolicyPushError>
    /// The loaded sensors and their rules.
    func sensors() -> [SensorInfo]
    /// The last pushed sensor file (version 0 and empty when none was pushed).
    func pushedSensors() -> (version: Int, text: String)
    /// Validates a sensor file (named `file` in errors), compiles it with the built-in sets,
    /// stores it and puts it in force on every worker; the new sensors version.
    func pushSensors(_ text: String, file: String) -> Result<PolicyPushResult, PolicyPushError>
    /// The policy's workloads: name, group, mode in force, quarantined, sensors.
    func workloads() -> [WorkloadInfo]
    /// Changes a workload's mode and/or quarantine; the new policy version, or why not
    /// (`nil` result error text means no such workload).
    func setWorkload(_ name: String, mode: String?, quarantine: Bool?) -> Result<PolicyPushResult, PolicyPushError>
    /// Starts a capture (its fields already checked for type and range); its description, or
    /// a status and reason.
    func startCapture(_ request: CaptureStartRequest) -> Result<CaptureResponse, APIFailure>
    /// Every capture.
    func listCaptures() -> [CaptureResponse]
    /// One capture.
    func capture(_ id: String) -> Result<CaptureResponse, APIFailure>
    /// One capture's frames as one pcapng file.
    func capturePcapng(_ id: String) -> Result<[UInt8], APIFailure>
    /// Stops a capture (its file stays for download).
    func stopCapture(_ id: String) -> Result<CaptureResponse, APIFailure>
    /// Stops and deletes a capture and its files.
    func deleteCapture(_ id: String) -> Result<Void, APIFailure>
    /// The active flows the workers hold (at most `limit`), and how many workers did not answer.
    func flows(limit: Int) -> (flows: [FlowInfo], late: Int)
    /// What discover mode learned so far: the shapes (`src_ip`, `dest_ip`, `proto`,
    /// `dest_port`, `app_proto`), the policy allowing exactly them (top-level `mode`, default
    /// protect, in the groups of the policy in force), that policy merged into the policy in
    /// force, and how many workers did not answer; 400 for an unknown mode.
    func learnedPolicy(mode: String?) -> Result<LearnedPolicyResponse, APIFailure>
    /// The EVE file events are written to, nil when EVE is off.
    var eventFile: String? { get }
    /// Every interface attached now.
    func interfaces() -> [InterfaceInfo]
    /// Attaches an interface at run time (fields checked for type and length).
    func attachInterface(_ request: AttachRequest) -> Result<InterfaceInfo, APIFailure>
    /// Detaches an interface attached at run time.
    func detachInterface(_ name: String) -> Result<InterfaceInfo, APIFailure>
}

/// Backends without run-time interfaces (tests, fuzzing) list none and attach nothing.
extension APIBackend {
    public func interfaces() -> [InterfaceInfo] { [] }
    public func attachInterface(_ request: AttachRequest) -> Result<InterfaceInfo, APIFailure> {
        .failure(APIFailure(409, "this backend attaches no interfaces"))
    }
    public func detachInterface(_ name: String) -> Result<InterfaceInfo, APIFailure> {
        .failure(APIFailure(404, "no interface \"\(name)\" is attached"))
    }
}

/// A request the backend refused: the HTTP status and why.
public struct APIFailure: Error, Sendable {
    /// HTTP status (400, 404, 409, 503, ...).
    public var status: Int
    /// What went wrong.
    public var reason: String
    /// A failure with `status` and `reason`.
    public init(_ status: Int, _ reason: String) {
        self.status = status
        self.reason = reason
    }
}
