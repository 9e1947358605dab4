#if os(Linux)
import Synchronization

/// A flag another thread sets to make a blocking AF_PACKET loop return. Sources read it once
/// per ring block and after every poll() timeout, so a stop takes effect within one block
/// timeout even when no traffic arrives.
public final class AFPacketStopSignal: Sendable {
    @usableFromInline let flag = Atomic<Bool>(false)

    /// A signal not yet raised.
    public init() {}

    /// Asks every loop watching this signal to return.
    public func stop() { flag.store(true, ordering: .releasing) }

    /// Whether `stop()` was called.
    @inlinable public var isStopped: Bool { flag.load(ordering: .acquiring) }
}
#endif
