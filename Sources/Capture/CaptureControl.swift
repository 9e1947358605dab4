import Synchronization

/// The state one capture's worker sessions share: the totals its limits apply to and why it
/// ended. Touched only for frames that match (the totals) or as one relaxed load per frame
/// (the reason), so workers never wait on each other.
final class CaptureControl: Sendable {
    /// Frames reserved for writing across all workers.
    let packets = Atomic<UInt64>(0)
    /// Captured bytes reserved across all workers.
    let bytes = Atomic<UInt64>(0)
    /// 0 while running, else a ``CaptureStopReason`` raw value.
    let reasonCode = Atomic<UInt8>(0)

    /// Why the capture ended, nil while it runs.
    var reason: CaptureStopReason? {
        CaptureStopReason(rawValue: reasonCode.load(ordering: .acquiring))
    }

    /// Ends the capture for `reason` unless it already ended (the first reason stays).
    @discardableResult
    func finish(_ reason: CaptureStopReason) -> Bool {
        reasonCode.compareExchange(expected: 0, desired: reason.rawValue, ordering: .acquiringAndReleasing).exchanged
    }
}
