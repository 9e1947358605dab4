import Synchronization
import Telemetry

/// The watcher's counters, read by the `/metrics` scrape: whether the node holds a session
/// with etcd, which desired revision is in force, and how applies went.
public final class ClusterMetrics: Sendable {
    let connected = Atomic<Int>(0)
    let revision = Atomic<Int64>(0)
    let desiredRevision = Atomic<Int64>(0)
    let applied = Atomic<UInt64>(0)
    let unchanged = Atomic<UInt64>(0)
    let rejected = Atomic<UInt64>(0)
    let sessions = Atomic<UInt64>(0)
    let sessionErrors = Atomic<UInt64>(0)
    let statusWrites = Atomic<UInt64>(0)

    init() {}

    func count(_ r: ApplyOutcome.Result) {
        switch r {
        case .applied: applied.add(1, ordering: .relaxed)
        case .unchanged: unchanged.add(1, ordering: .relaxed)
        case .rejected: rejected.add(1, ordering: .relaxed)
        }
    }

    /// Appends the `sluice_control_etcd_*` families.
    public func write(into w: inout PrometheusWriter) {
        w.family("sluice_control_etcd_connected", .gauge, help: "1 while the node holds a watch on etcd, else 0")
        w.sample("sluice_control_etcd_connected", UInt64(connected.load(ordering: .relaxed)))
        w.family("sluice_control_etcd_revision", .gauge, help: "The desired revision in force on this node")
        w.sample("sluice_control_etcd_revision", UInt64(clamping: revision.load(ordering: .relaxed)))
        w.family("sluice_control_etcd_desired_revision", .gauge, help: "The newest desired revision this node has seen")
        w.sample("sluice_control_etcd_desired_revision", UInt64(clamping: desiredRevision.load(ordering: .relaxed)))
        w.family("sluice_control_etcd_applies_total", .counter, help: "Desired states applied, found already in force, or rejected")
        w.sample("sluice_control_etcd_applies_total", [("result", "applied")], applied.load(ordering: .relaxed))
        w.sample("sluice_control_etcd_applies_total", [("result", "unchanged")], unchanged.load(ordering: .relaxed))
        w.sample("sluice_control_etcd_applies_total", [("result", "rejected")], rejected.load(ordering: .relaxed))
        w.family("sluice_control_etcd_sessions_total", .counter, help: "Sessions opened with etcd (the first, then each reconnect)")
        w.sample("sluice_control_etcd_sessions_total", sessions.load(ordering: .relaxed))
        w.family("sluice_control_etcd_session_errors_total", .counter, help: "Sessions that failed or ended (etcd down, unreachable, bad answer)")
        w.sample("sluice_control_etcd_session_errors_total", sessionErrors.load(ordering: .relaxed))
        w.family("sluice_control_etcd_status_writes_total", .counter, help: "Node status keys written")
        w.sample("sluice_control_etcd_status_writes_total", statusWrites.load(ordering: .relaxed))
    }
}
