/// The daemon's set of `MetricsSlot`s, one per worker, made before the workers start: each
/// worker publishes into `slots[index]`, scrapes read them all.
public final class MetricsBoard: Sendable {
    /// One slot per worker, in worker order.
    public let slots: [MetricsSlot]

    /// A board for `workers` workers, every slot empty.
    public init(workers: Int) {
        slots = (0..<max(0, workers)).map { _ in MetricsSlot() }
    }

    /// Every worker's last publication, in worker order.
    public func read() -> [WorkerMetrics] {
        slots.map { $0.read() }
    }
}
