#if os(Linux)
import ClusterControl
import ControlAPI
import Foundation
import ConfigYAML
import SluiceConfig

// The daemon as a cluster node's target: a desired state read from etcd goes through the same
// steps as an API push (validate, store as last good, publish to the mailbox, wait for the
// workers), so a document that does not validate is rejected and the running policy stays.
extension Daemon: DesiredStateTarget {
    public var localPolicyVersion: Int { currentPolicy().version }

    /// Starts the cluster node when the config has a `control:` section (before the metrics
    /// endpoint, which serves its counters; it watches once the workers run).
    func makeClusterNode() throws {
        guard let c = config.cluster else { return }
        cluster = try ClusterNode(config: c, stateDirectory: config.stateDir, target: self, log: { [weak self] in self?.log($0) })
    }

    public func apply(_ desired: DesiredState) -> ApplyOutcome {
        let version = { self.localPolicyVersion }
        func rejected(_ e: PolicyPushError, _ key: String) -> ApplyOutcome {
            .init(.rejected, rejection: Self.rejection(e, key: key), policyVersion: version())
        }
        var overrides: WorkloadOverrides? = nil
        if let o = desired.overrides {
            do { overrides = try DesiredOverrides.parse(o.text, file: o.key) } catch let e as ConfigError {
                return rejected(.invalid(e), o.key)
            } catch {
                return rejected(.persist("\(error)"), o.key)
            }
        }
        policyLock.lock()
        let (text, inForce, sensorsInForce) = (policyText, self.overrides, sensorsText)
        policyLock.unlock()
        let sensorsChange = desired.sensors.flatMap { $0.text == sensorsInForce ? nil : $0 }
        let policyChange = desired.policy.map { $0.text != text } ?? false
        let overridesChange = overrides.map { $0 != inForce } ?? false
        guard sensorsChange != nil || policyChange || overridesChange else { return .init(.unchanged, policyVersion: version()) }

        // Sensors before the policy that may name them; when the running policy names a sensor
        // the new file drops, the new policy must go first.
        var sensorsDone = false
        if let s = sensorsChange {
            switch pushSensors(s.text, file: s.key) {
            case .success: sensorsDone = true
            case .failure(let e) where !(policyChange || overridesChange): return rejected(e, s.key)
            case .failure: break
            }
        }
        var inForceMs: Double? = nil
        if policyChange || overridesChange {
            let key = desired.policy?.key ?? desired.overrides?.key ?? ""
            let source = "etcd \(key)@\(desired.revision)"
            do {
                _ = try adopt(desired.policy?.text ?? text, file: key, source: source, expectedVersion: nil, overrides: overrides)
            } catch let e as ConfigError {
                return rejected(.invalid(e), key)
            } catch let e as PolicyPushError {
                return rejected(e, key)
            } catch {
                return rejected(.persist("\(error)"), key)
            }
            let applied = mailbox.waitApplied(timeoutMs: 1000)
            lastApplyNanos = applied
            inForceMs = applied.map { Double($0) / 1e6 }
        }
        if let s = sensorsChange, !sensorsDone, case .failure(let e) = pushSensors(s.text, file: s.key) {
            return rejected(e, s.key)
        }
        return .init(.applied, inForceMs: inForceMs, policyVersion: version())
    }

    public func drift(from desired: DesiredState) -> String? {
        policyLock.lock()
        let (text, inForce, sensorsInForce, version) = (policyText, overrides, sensorsText, policyVersion)
        policyLock.unlock()
        var out: [String] = []
        if let p = desired.policy, p.text != text { out.append("policy version \(version) is not the desired one") }
        if let s = desired.sensors, s.text != sensorsInForce { out.append("sensors differ") }
        if let o = desired.overrides, let want = try? DesiredOverrides.parse(o.text, file: o.key), want != inForce {
            out.append("workload overrides differ")
        }
        return out.isEmpty ? nil : out.joined(separator: ", ")
    }

    static func rejection(_ e: PolicyPushError, key: String) -> Rejection {
        switch e {
        case .invalid(let c): return Rejection(key: key, line: c.line, column: c.column, reason: c.key.isEmpty ? c.reason : "\(c.key): \(c.reason)")
        case .conflict(let v): return Rejection(key: key, line: 0, column: 0, reason: "version conflict (in force \(v))")
        case .persist(let m): return Rejection(key: key, line: 0, column: 0, reason: "cannot store the last good copy: \(m)")
        case .noSuchWorkload(let w): return Rejection(key: key, line: 0, column: 0, reason: "no workload \(w)")
        }
    }
}
#endif
