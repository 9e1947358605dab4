#if os(Linux)
import APITypes
import ControlAPI
import Enforce
import Foundation
import L7Core
import Policy
import Sensors
import SluiceConfig
import ConfigYAML

// The daemon as the local API's backend. These run on the API's event loop thread: policy
// changes reach workers only through the mailbox, between their batches.
extension Daemon: APIBackend {
    public func status() -> StatusResponse {
        policyLock.lock()
        let (version, source, overridesSnapshot) = (policyVersion, policySource, overrides)
        let sensorSet = self.sensorSet // a push replaces it from the slow-request queue
        policyLock.unlock()
        return StatusResponse(
            uptimeSeconds: Int(Date().timeIntervalSince(startedAt)),
            workers: config.workers,
            fail: config.failOpen ? "open" : "closed",
            interfaces: attachments.snapshot.map(\.spec).map { i in
                InterfaceStatus(name: i.name, mode: i.mode.rawValue, pair: i.mode == .inline ? i.pair : nil,
                                interface: i.mode == .inline ? nil : i.interface, workload: i.workload)
            },
            policy: PolicyStatus(version: version, source: source, generation: Int(clamping: mailbox.generation),
                                 overrides: PolicyOverrides(modes: overridesSnapshot.modes, quarantined: overridesSnapshot.quarantined),
                                 lastApplyMs: lastApplyNanos.map { Double($0) / 1e6 } ?? -1),
            sensors: sensorSet?.sensors.map(\.name) ?? [])
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
            log("policy push rejected: \(e); the running policy stays in force", level: .warning)
            return .failure(.invalid(e))
        } catch let e as PolicyPushError {
            return .failure(e)
        } catch {
            return .failure(.persist("\(error)"))
        }
    }

    public func sensors() -> [SensorInfo] {
        policyLock.lock()
        let sensorSet = self.sensorSet // a push replaces it from the slow-request queue
        policyLock.unlock()
        guard let set = sensorSet else { return [] }
        return set.sensors.map { s in
            SensorInfo(name: s.name, rules: s.rules.map { r in
                SensorRuleInfo(id: Int(r.id), name: r.name, context: "\(r.context)", action: "\(r.action)", severity: Int(r.severity))
            })
        }
    }

    public var eventFile: String? { config.evePath }

    public func pushedSensors() -> (version: Int, text: String) {
        policyLock.lock()
        defer { policyLock.unlock() }
        return (sensorsVersion, sensorsText)
    }

    /// Runs on the API's slow-request thread (`APIRouter.isSlow`), not its event loop: the
    /// compile takes seconds (bounded by `sensors.compile_timeout`), and other requests are
    /// answered meanwhile. State it changes is changed under `policyLock`.
    public func pushSensors(_ text: String, file: String) -> Result<PolicyPushResult, PolicyPushError> {
        let set: SensorSet?
        do {
            set = try settings.compileSensors(extraSensors: SensorFile.parse(text, file: file))
        } catch let e as ConfigError {
            return .failure(.invalid(e))
        } catch let e as SensorSetError {
            // "file:line" of the rule at fault, when known.
            let parts = e.origin.split(separator: ":")
            return .failure(.invalid(ConfigError(file: parts.first.map(String.init) ?? file,
                                                 line: parts.count > 1 ? Int(parts[1]) ?? 0 : 0, column: 0, key: "", reason: e.reason)))
        } catch {
            return .failure(.persist("\(error)"))
        }
        policyLock.lock()
        // The policy in force must not lose a sensor its workloads name.
        for w in mailbox.policy.document.workloads {
            let missing = set.map { $0.unknownSensors(in: w.sensors) } ?? w.sensors
            if !missing.isEmpty {
                policyLock.unlock()
                return .failure(.invalid(ConfigError(file: file, line: 0, column: 0, key: "sensors",
                                                     reason: "the policy's workload \(w.name) names \(missing.joined(separator: ", ")), which this file does not define")))
            }
            for b in w.bindings {
                if let why = set?.bindingProblem(sensor: b.name, disabledRules: b.disabledRules) {
                    policyLock.unlock()
                    return .failure(.invalid(ConfigError(file: file, line: 0, column: 0, key: "sensors",
                                                         reason: "the policy's workload \(w.name) would lose a binding: \(why)")))
                }
            }
        }
        let version = sensorsVersion + 1
        do { try store?.saveSensors(text, version: version) } catch {
            policyLock.unlock()
            return .failure(.persist("\(error)"))
        }
        sensorSet = set
        (sensorsText, sensorsVersion) = (text, version)
        policyLock.unlock()
        sensorMailbox.publish(set)
        log("sensors pushed through the API: version \(version), \(set?.rules.count ?? 0) rules")
        return .success(PolicyPushResult(version: version, appliedMilliseconds: nil))
    }

    public func flows(limit: Int) -> (flows: [FlowInfo], late: Int) {
        let (all, late) = flowSnapshots.collect()
        let attached = attachments.snapshot
        let effects = ["allow", "learn", "violate", "deny", "pending"]
        let list = all.sorted { $0.lastSeen > $1.lastSeen }.prefix(limit).map { f in
            let ports = f.proto == 6 || f.proto == 17
            return FlowInfo(
                flowID: Int(bitPattern: UInt(f.flowID)), srcIP: f.client.description, destIP: f.server.description,
                srcPort: ports ? Int(f.clientPort) : nil, destPort: ports ? Int(f.serverPort) : nil, proto: Int(f.proto),
                interface: attached.first { $0.iface == f.iface }?.spec.name,
                appProto: f.app != 0 ? AppProto(rawValue: f.app).map { "\($0.name)" } : nil,
                state: "\(f.state.name)", pkts: Int(clamping: f.packets), bytes: Int(clamping: f.bytes),
                ageSeconds: Double(f.lastSeen &- f.firstSeen) / 1e9,
                verdict: Int(f.verdict) < effects.count ? effects[Int(f.verdict)] : "undecided")
        }
        return (Array(list), late)
    }

    public func learnedPolicy(mode: String?) -> Result<LearnedPolicyResponse, APIFailure> {
        guard let mode = PolicyMode(name: mode ?? "protect") else {
            return .failure(APIFailure(400, "unknown mode \"\(mode ?? "")\" (expected discover, monitor or protect)"))
        }
        let (all, late) = learnedSnapshots.collect()
        let shapes = Array(Set(all))
        let current = currentPolicy()
        // The text in force, without the API's mode and quarantine overrides: what a user edits and pushes.
        let document = (try? PolicyDocument.parse(current.text, file: "policy in force")) ?? mailbox.policy.document
        let merge = LearnedPolicy.merge(shapes, into: document)
        let list = shapes.sorted { "\($0.client)\($0.server)\($0.port)" < "\($1.client)\($1.server)\($1.port)" }.map(Self.describe)
        return .success(LearnedPolicyResponse(
            count: shapes.count, flows: list, workersLate: late,
            policy: LearnedPolicy.yaml(shapes, groups: document.groups, mode: mode),
            merged: merge.document.yaml, mergedRulesAdded: merge.added, alreadyAllowed: merge.alreadyAllowed,
            explicitlyDenied: merge.explicitlyDenied.map(Self.describe), policyVersion: current.version))
    }

    /// A learned shape as the API lists it (EVE's field names).
    static func describe(_ f: LearnedFlow) -> LearnedShape {
        LearnedShape(srcIP: f.client.description, destIP: f.server.description, proto: Int(f.proto),
                     destPort: f.proto == 6 || f.proto == 17 ? Int(f.port) : nil,
                     appProto: f.app != .unknown && f.app != .failed ? "\(f.app.name)" : nil)
    }

    public func workloads() -> [WorkloadInfo] {
        let policy = mailbox.policy
        return policy.document.workloads.map { w in
            WorkloadInfo(name: w.name, group: w.group, mode: "\((w.mode ?? policy.document.mode).name)",
                         quarantine: w.quarantine, sensors: w.sensors,
                         sensorBindings: w.bindings.map { b in
                             SensorBindingInfo(name: b.name, action: b.action.map { "\($0.name)" } ?? "rule", disable: b.disabledRules.map { Int($0) })
                         })
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
        api = try APIServer(socketPath: config.apiSocket, listen: config.apiListen, router: APIRouter(token: token, backend: self),
                            maxConnections: config.apiMaxConnections, requestTimeoutMs: Int64(config.apiRequestTimeoutMs))
        log("api: \([config.apiSocket, config.apiListen].compactMap { $0 }.joined(separator: " and "))")
    }
}
#endif

#if os(Linux)
import Capture

// Captures on demand, through the registry the workers write for.
extension Daemon {
    func registry() -> Result<CaptureRegistry, APIFailure> {
        guard let captures else { return .failure(APIFailure(503, "captures are off: set state_dir or captures.directory")) }
        return .success(captures)
    }

    static func failure(_ error: any Error) -> APIFailure {
        guard let e = error as? CaptureError else { return APIFailure(500, "\(error)") }
        switch e {
        case .unknownCapture: return APIFailure(404, e.description)
        case .filter, .unknownTarget, .invalidRequest: return APIFailure(400, e.description)
        case .diskBudgetExceeded, .busy: return APIFailure(409, e.description)
        case .tooManyCaptures: return APIFailure(429, e.description)
        default: return APIFailure(500, e.description)
        }
    }

    static func describe(_ c: CaptureInfo) -> CaptureResponse {
        CaptureResponse(id: c.id, target: c.target.description, interfaces: c.interfaces, filter: c.filter,
                        snaplen: c.snapLength, state: c.state.description, closed: c.closed,
                        limits: CaptureLimitsInfo(packets: Int(clamping: c.limits.packets), bytes: Int(clamping: c.limits.bytes),
                                                  seconds: c.limits.seconds),
                        counters: CaptureCountersInfo(seen: Int(clamping: c.counters.seen), matched: Int(clamping: c.counters.matched),
                                                      written: Int(clamping: c.counters.written), bytes: Int(clamping: c.counters.bytes),
                                                      fileBytes: Int(clamping: c.counters.fileBytes)))
    }

    public func startCapture(_ r: CaptureStartRequest) -> Result<CaptureResponse, APIFailure> {
        registry().flatMap { reg in
            let target: CaptureTarget = r.interface.map { .interface($0) } ?? .workload(r.workload ?? "")
            let limits = CaptureLimits(packets: UInt64(clamping: r.packets), bytes: UInt64(clamping: r.bytes), seconds: r.seconds)
            let request = CaptureRequest(target: target, filter: r.filter, snapLength: r.snaplen, limits: limits)
            do {
                let info = try reg.start(request)
                log("capture \(info.id) started: \(info.target), filter \"\(info.filter)\"")
                return .success(Self.describe(info))
            } catch { return .failure(Self.failure(error)) }
        }
    }

    public func listCaptures() -> [CaptureResponse] {
        (try? registry().get().list().map(Self.describe)) ?? []
    }

    public func capture(_ id: String) -> Result<CaptureResponse, APIFailure> {
        registry().flatMap { reg in
            do { return .success(Self.describe(try reg.info(id: id))) } catch { return .failure(Self.failure(error)) }
        }
    }

    public func capturePcapng(_ id: String) -> Result<[UInt8], APIFailure> {
        registry().flatMap { reg in
            do { return .success(try reg.pcapng(id: id)) } catch { return .failure(Self.failure(error)) }
        }
    }

    public func stopCapture(_ id: String) -> Result<CaptureResponse, APIFailure> {
        registry().flatMap { reg in
            do { return .success(Self.describe(try reg.stop(id: id))) } catch { return .failure(Self.failure(error)) }
        }
    }

    public func deleteCapture(_ id: String) -> Result<Void, APIFailure> {
        registry().flatMap { reg in
            do { try reg.delete(id: id); return .success(()) } catch { return .failure(Self.failure(error)) }
        }
    }
}
#endif
