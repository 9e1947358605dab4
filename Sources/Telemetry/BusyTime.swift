/// How a worker spent its time: nanoseconds busy (reading, inspecting, forwarding) and idle
/// (waiting in poll), and the busy share of the last completed window of `window` accounted
/// nanoseconds. The window rolls on accounted time, so no clock is read here.
public struct BusyTime: BitwiseCopyable, Sendable {
    @usableFromInline var busy: UInt64 = 0
    @usableFromInline var idle: UInt64 = 0
    @usableFromInline var lastWindowRatio: Double = 0
    @usableFromInline var completedWindows: UInt64 = 0
    @usableFromInline var windowBusyStart: UInt64 = 0
    @usableFromInline var windowTotalStart: UInt64 = 0

    /// Accounted nanoseconds in one window (one second).
    public static let window: UInt64 = 1_000_000_000

    /// Nothing accounted.
    @inlinable public init() {}

    /// Accounts `nanos` busy.
    @inlinable public mutating func add(busy nanos: UInt64) {
        busy &+= nanos
        roll()
    }

    /// Accounts `nanos` idle.
    @inlinable public mutating func add(idle nanos: UInt64) {
        idle &+= nanos
        roll()
    }

    @inlinable mutating func roll() {
        let total = busy &+ idle
        let span = total &- windowTotalStart
        guard span >= Self.window else { return }
        lastWindowRatio = Double(busy &- windowBusyStart) / Double(span)
        windowBusyStart = busy
        windowTotalStart = total
        completedWindows &+= 1
    }

    /// Nanoseconds spent on frames, since the worker started.
    public var busyNanos: UInt64 { busy }
    /// Nanoseconds spent waiting for frames, since the worker started.
    public var idleNanos: UInt64 { idle }
    /// Busy share of the last completed window; meaningful once `windows > 0`.
    public var windowRatio: Double { lastWindowRatio }
    /// Windows completed.
    public var windows: UInt64 { completedWindows }

    /// The busy share to report (0...1): the last completed window's, or before one has
    /// completed, the share so far (0 when nothing was accounted).
    public var ratio: Double {
        if windows > 0 { return windowRatio }
        let total = busyNanos &+ idleNanos
        return total == 0 ? 0 : Double(busyNanos) / Double(total)
    }
}
