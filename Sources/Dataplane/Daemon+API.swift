#if os(Linux)
import ControlAPI
import Foundation
import SluiceConfig

// The daemon as the local API's backend. These run on the API's event loop thread: policy
// changes reach workers only through the mailbox, between their batches.
extension Daemon: APIBackend {
    public func status() -> [String: Any] {
        policyLock.lock()
        let (version, source, overridesSnapshot) = (policyVersion, policySource, overrides)
        policyLock.unlock()
        return [
            "uptime_seconds": Int(Date().timeIntervalSince(startedAt)),
            "workers": config.workers,
            "fail": config.failOpen ? "open" : "closed",
            "interfaces": config.interfaces.map { i -> [String: Any] in
                var o: [String: Any] = ["name": i.name, "mode": i.mode.rawValue]
                if i.mode == .inline { o["pair"] = i.pair } else { o["interface"] = i.interface }
                if let w = i.workload { o["workload"] = w }
                return o
            },
            "policy": ["version": version, "source": source, "generation": Int(mailbox.generation),
                       "overrides": ["modes": overridesSnapshot.modes, "quarantined": overridesSnapshot.quarantined],
                       "last_apply_ms": lastApplyNanos.map { Double($0) / 1e6 } ?? -1],
            "sensors": sensorSet?.sensors.map(\.name) ?? [],
        ]
    }

    public func currentPolicy() -> (version: Int, source: String, text: String) {
        policyLock.lock()
        defer { policyLock.unlock() }
        return (policyVersion, policySource, policyText)
    }

    public func pushPolicy(_ text: String, file: String, expectedVersion: Int?) -> Result<PolicyPushResult, PolicyPushError> {
        do {
            let version = try adopt(text, file: file, source: "api", expectedVersion: expectedVersion)
            // Answered once every worker runs it (or after 1 s, when one is stuck): a caller
            // that gets 200 knows the policy is in force.
            let applied = mailbox.waitApplied(timeoutMs: 1000)
            lastApplyNanos = applied
            log("policy pushed through the API: version \(version), "
                + (applied.map { "in force on every worker after \(Double($0) / 1e6) ms" } ?? "not yet applied by every worker after 1 s"))
            return .success(PolicyPushResult(version: version, appliedMilliseconds: applied.map { Double($0) / 1e6 }))
        } catch let e as ConfigError {
            log("policy push rejected: \(e); the running policy stays in force")
            return .failure(.invalid(e))
        } catch let e as PolicyPushError {
            return .failure(e)
        } catch {
            return .failure(.persist("\(error)"))
        }
    }

    public func sensors() -> [[String: Any]] {
        guard let set = sensorSet else { return [] }
        return set.sensors.map { s in
            ["name": s.name, "rules": s.rules.map { r in
                ["id": Int(r.id), "name": r.name, "context": "\(r.context)", "action": "\(r.action)", "severity": Int(r.severity)]
            }]
        }
    }

    public var eventFile: String? { config.evePath }

    public func workloads() -> [[String: Any]] {
        let policy = mailbox.policy
        return policy.document.workloads.map { w in
            ["name": w.name, "group": w.group, "mode": (w.mode ?? policy.document.mode).name,
             "quarantine": w.quarantine, "sensors": w.sensors]
        }
    }

    public func setWorkload(_ name: String, mode: String?, quarantine: Bool?) -> Result<PolicyPushResult, PolicyPushError> {
        let (text, source) = (currentPolicy().text, currentPolicy().source)
        guard mailbox.policy.document.workloads.contains(where: { $0.name == name }) else { return .failure(.noSuchWorkload(name)) }
        policyLock.lock()
        var next = overrides
        policyLock.unlock()
        if let mode { next.modes[name] = mode }
        if let quarantine {
            next.quarantined.removeAll { $0 == name }
            if quarantine { next.quarantined.append(name) }
        }
        do {
            let version = try adopt(text, file: "policy (version in force)", source: source, expectedVersion: nil, overrides: next)
            let applied = mailbox.waitApplied(timeoutMs: 1000)
            log("workload \(name): " + [mode.map { "mode \($0)" }, quarantine.map { $0 ? "quarantined" : "released" }]
                .compactMap { $0 }.joined(separator: ", ") + "; policy version \(version)")
            return .success(PolicyPushResult(version: version, appliedMilliseconds: applied.map { Double($0) / 1e6 }))
        } catch let e as ConfigError {
            return .failure(.invalid(e))
        } catch let e as PolicyPushError {
            return .failure(e)
        } catch {
            return .failure(.persist("\(error)"))
        }
    }

    /// Starts the API when the config asks for it; the token file must exist and not be empty.
    func startAPI() throws {
        guard let tokenFile = config.apiTokenFile else { return }
        let token = try readConfigFile(tokenFile).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw ConfigError(file: config.file, line: 0, column: 0, key: "api.token_file", reason: "\(tokenFile) is empty")
        }
        api = try APIServer(socketPath: config.apiSocket, listen: config.apiListen, router: APIRouter(token: token, backend: self))
        log("api: \([config.apiSocket, config.apiListen].compactMap { $0 }.joined(separator: " and "))")
    }
}
#endif
