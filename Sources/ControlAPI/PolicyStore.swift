import Foundation

/// The last good policy on disk, with its version: what a restart (or a crash) comes back to.
/// Written to a temporary file, synced and renamed, so a crash leaves the old or the new
/// version, never half of one.
public struct PolicyStore: Sendable {
    /// The state folder (`state_dir` in the daemon config).
    public let directory: String

    /// A store in `directory` (created when missing).
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    var policyPath: String { directory + "/policy.yaml" }
    var versionPath: String { directory + "/policy.version" }

    /// The stored policy text and its version, nil when none was stored.
    public func load() -> (text: String, version: Int)? {
        guard let text = try? String(contentsOfFile: policyPath, encoding: .utf8) else { return nil }
        let v = (try? String(contentsOfFile: versionPath, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (text, v ?? 1)
    }

    /// Stores `text` as version `version`.
    public func save(_ text: String, version: Int) throws {
        try write(Array(text.utf8), to: policyPath)
        try write(Array("\(version)\n".utf8), to: versionPath)
    }

    var overridesPath: String { directory + "/workloads.json" }
    var sensorsPath: String { directory + "/sensors.yaml" }
    var sensorsVersionPath: String { directory + "/sensors.version" }

    /// The pushed sensor file and its version, nil when none was pushed.
    public func loadSensors() -> (text: String, version: Int)? {
        guard let text = try? String(contentsOfFile: sensorsPath, encoding: .utf8) else { return nil }
        let v = (try? String(contentsOfFile: sensorsVersionPath, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (text, v ?? 1)
    }

    /// Stores a pushed sensor file as version `version`.
    public func saveSensors(_ text: String, version: Int) throws {
        try write(Array(text.utf8), to: sensorsPath)
        try write(Array("\(version)\n".utf8), to: sensorsVersionPath)
    }

    /// The workload overrides set through the API (modes, quarantine), empty when none.
    public func loadOverrides() -> WorkloadOverrides {
        guard let data = FileManager.default.contents(atPath: overridesPath),
              let o = try? JSONDecoder().decode(WorkloadOverrides.self, from: data) else { return WorkloadOverrides() }
        return o
    }

    /// Stores the workload overrides.
    public func save(_ overrides: WorkloadOverrides) throws {
        try write(Array(try JSONEncoder().encode(overrides)), to: overridesPath)
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let ok = bytes.withUnsafeBytes { b in Glibc.write(fd, b.baseAddress, b.count) == b.count } && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }
}

/// What the API changed about workloads on top of the policy text: their modes and which are
/// quarantined. Kept apart from the text (which stays as pushed) and applied at every compile.
public struct WorkloadOverrides: Codable, Sendable, Equatable {
    /// Mode by workload name (`discover`, `monitor`, `protect`).
    public var modes: [String: String] = [:]
    /// Quarantined workloads.
    public var quarantined: [String] = []
    /// None.
    public init() {}
}
