import Dispatch
import Foundation
import Synchronization

/// One node's side of cluster policy distribution: reads the desired state under
/// `prefix/desired/`, watches it from the revision read, puts each change in force through
/// `target` (the daemon's validated push path), and writes the node's status key.
///
/// When etcd is down or unreachable the node keeps what is in force (the last good policy,
/// also kept in `state_dir`), retries with exponential backoff, and on reconnect reads the
/// whole desired state again at the current revision: what changed while it was away is
/// applied once, whatever happened in between (compaction included).
public final class ClusterNode: @unchecked Sendable {
    /// The configuration.
    public let config: ClusterConfig
    /// The Prometheus counters.
    public let metrics = ClusterMetrics()
    let client: EtcdClient
    let target: DesiredStateTarget
    let log: @Sendable (String) -> Void
    let stateFile: ClusterStateFile
    /// Applies run here, one at a time, off the concurrency pool (the daemon's apply blocks
    /// until every worker switched).
    let applyQueue = DispatchQueue(label: "sluice.cluster.apply")
    let state = Mutex(Progress())
    let loop = Mutex<Task<Void, Never>?>(nil)
    let statusRefused = Atomic<Bool>(false)

    /// What the node knows; guarded by `state`.
    struct Progress {
        var desired = DesiredState()
        var appliedRevision: Int64 = 0
        var appliedUnixMs: Int64?
        var inForceMs: Double?
        var rejection: Rejection?
        /// The desired state last rejected: not tried again until it changes.
        var rejected: DesiredState?
        var drift: String?
        var connected = false
    }

    /// A node for `config`; `stateDirectory` keeps the applied revision across restarts.
    public init(config: ClusterConfig, stateDirectory: String?, target: DesiredStateTarget,
                log: @escaping @Sendable (String) -> Void) throws {
        self.config = config
        self.target = target
        self.log = log
        client = try EtcdClient(config: config)
        stateFile = ClusterStateFile(path: stateDirectory.map { $0 + "/cluster.json" })
        if let saved = stateFile.load() {
            state.withLock { $0.appliedRevision = saved.appliedRevision; $0.appliedUnixMs = saved.appliedUnixMs }
            metrics.revision.store(saved.appliedRevision, ordering: .relaxed)
        }
    }

    /// Starts watching (returns at once).
    public func start() {
        let t = Task.detached { [self] in await self.run() }
        loop.withLock { $0 = t }
    }

    /// Stops watching and closes the connections (the state in force stays).
    public func stop() {
        loop.withLock { $0?.cancel() }
        let done = DispatchSemaphore(value: 0)
        let client = client
        Task.detached { await client.shutdown(); done.signal() }
        _ = done.wait(timeout: .now() + 2)
    }

    /// The status this node would write now.
    public func status() -> NodeStatus {
        let p = state.withLock { $0 }
        let desired = p.desired.revision
        let s: String
        if let r = p.rejection, r.revision == desired { s = "rejected" }
        else if p.drift != nil { s = "drift" }
        else if desired == 0 { s = "no-desired-state" }
        else if p.appliedRevision == desired { s = "in-sync" }
        else { s = "pending" }
        return NodeStatus(state: s, node: config.node, appliedRevision: p.appliedRevision, desiredRevision: desired,
                          policyVersion: target.localPolicyVersion, appliedUnixMs: p.appliedUnixMs, inForceMs: p.inForceMs,
                          drift: p.drift, rejection: s == "rejected" ? p.rejection : nil, updatedUnixMs: unixMs())
    }

    // MARK: the loop

    func run() async {
        var backoff = config.backoffMinMs
        var failing = false
        log("cluster: node \(config.node) watching \(config.desiredPrefix) on \(config.endpoints.joined(separator: ","))")
        while !Task.isCancelled {
            do {
                try await session { backoff = self.config.backoffMinMs; failing = false }
                log("cluster: the watch ended (etcd stopped or closed it); reconnecting")
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                // Logged once per outage, not at every retry.
                if !failing { log("cluster: \(error); keeping the state in force, retrying with backoff") }
                failing = true
            }
            metrics.sessionErrors.add(1, ordering: .relaxed)
            setConnected(false)
            // Full jitter: a cluster of nodes that lost etcd together does not come back in step.
            let wait = Int.random(in: backoff / 2...backoff)
            try? await Task.sleep(nanoseconds: UInt64(wait) * 1_000_000)
            backoff = min(config.backoffMaxMs, backoff.multipliedReportingOverflow(by: 2).overflow ? config.backoffMaxMs : backoff * 2)
        }
        setConnected(false)
    }

    /// One session: read everything at revision R, apply, watch from R+1 while a heartbeat
    /// rewrites the status key. Returns when the watch ends; throws when etcd fails.
    func session(connected: () -> Void) async throws {
        let (revision, kvs) = try await client.range(prefix: config.desiredPrefix)
        var desired = DesiredState()
        for kv in kvs { desired.take(EtcdEvent(kind: .put, kv: kv), config: config) }
        let (from, overflow) = revision.addingReportingOverflow(1)
        guard !overflow else { throw EtcdError.malformed("store revision \(revision) cannot grow") }
        let wasApplied = state.withLock { p in
            p.desired = desired
            return p.appliedRevision
        }
        metrics.desiredRevision.store(desired.revision, ordering: .relaxed)
        metrics.sessions.add(1, ordering: .relaxed)
        setConnected(true)
        connected()
        log("cluster: connected; desired revision \(desired.revision), in force \(wasApplied) (store revision \(revision))")
        await reconcile()
        try await report()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                try await client.watch(prefix: config.desiredPrefix, from: from) { events, _ in
                    let next = self.state.withLock { p in
                        for e in events { p.desired.take(e, config: self.config) }
                        return p.desired.revision
                    }
                    self.metrics.desiredRevision.store(next, ordering: .relaxed)
                    await self.reconcile()
                    try await self.report()
                }
            }
            group.addTask { [self] in
                // The heartbeat: a failed write ends the session (etcd unreachable without the
                // watch noticing, as when a network drops silently), and drift is put right.
                while true {
                    try await Task.sleep(nanoseconds: UInt64(config.statusIntervalSeconds) * 1_000_000_000)
                    await reconcile(checkDrift: true)
                    try await report()
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Puts the desired state in force unless it already is (or was rejected as it stands).
    /// With `checkDrift`, a local change to the state in force is reported and undone.
    func reconcile(checkDrift: Bool = false) async {
        let p = state.withLock { $0 }
        let desired = p.desired
        guard desired.revision > 0, desired != p.rejected else { return }
        if checkDrift {
            let drift: String? = await onApplyQueue { self.target.drift(from: desired) }
            guard let drift else { state.withLock { $0.drift = nil }; return }
            log("cluster: drift on this node (\(drift)); putting desired revision \(desired.revision) back in force")
            state.withLock { $0.drift = drift }
        }
        // Also when the revision is already in force (a reconnect that found nothing new): the
        // target compares texts, answers `unchanged` and publishes nothing.
        let outcome = await onApplyQueue { self.target.apply(desired) }
        switch outcome.result {
        case .applied, .unchanged:
            metrics.count(outcome.result)
            let now = unixMs()
            let changedRevision = state.withLock { p -> Bool in
                let changed = p.appliedRevision != desired.revision
                p.appliedRevision = desired.revision
                if outcome.result == .applied || changed { p.appliedUnixMs = now; p.inForceMs = outcome.inForceMs }
                p.rejection = nil
                p.rejected = nil
                p.drift = nil
                return changed
            }
            metrics.revision.store(desired.revision, ordering: .relaxed)
            if changedRevision || outcome.result == .applied {
                stateFile.save(.init(appliedRevision: desired.revision, appliedUnixMs: now))
                log("cluster: desired revision \(desired.revision) in force (policy version \(outcome.policyVersion)"
                    + (outcome.inForceMs.map { String(format: ", every worker after %.2f ms", $0) } ?? "") + ")")
            }
        case .rejected:
            var r = outcome.rejection ?? Rejection(key: config.desiredPrefix, line: 0, column: 0, reason: "rejected")
            r.revision = desired.revision
            // A watch event and a reconnect can reconcile the same revision at once: the
            // rejection is counted and logged once.
            let first = state.withLock { p -> Bool in
                let first = p.rejected != desired
                p.rejection = r
                p.rejected = desired
                return first
            }
            guard first else { return }
            metrics.count(.rejected)
            log("cluster: desired revision \(desired.revision) rejected: \(r.key):\(r.line):\(r.column): \(r.reason); "
                + "the running policy stays in force")
        }
    }

    /// Writes this node's status key. etcd refusing the write (a role without write access to
    /// `prefix/nodes/`) is logged once and does not stop the watch; etcd unreachable ends the
    /// session (the heartbeat is how a silently dropped connection is noticed).
    func report() async throws {
        do {
            try await client.put(config.statusKey, status().encoded())
            metrics.statusWrites.add(1, ordering: .relaxed)
            statusRefused.store(false, ordering: .relaxed)
        } catch EtcdError.failed(let code, let message) {
            if !statusRefused.exchange(true, ordering: .relaxed) {
                log("cluster: etcd refused the status write to \(config.statusKey) (\(code): \(message)); still watching")
            }
        }
    }

    func setConnected(_ on: Bool) {
        state.withLock { $0.connected = on }
        metrics.connected.store(on ? 1 : 0, ordering: .relaxed)
    }

    func onApplyQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in applyQueue.async { c.resume(returning: body()) } }
    }
}
