#if os(Linux)
/// What an inline pair does with a frame. PacketIO sits below the engine, so it has its own
/// two-valued verdict; the engine's `Verdict` maps onto it one to one.
public enum InlineVerdict: UInt8, Sendable {
    /// Forward the frame to the other interface.
    case pass = 0
    /// Do not forward it.
    case drop
}

/// Decides each frame an `InlinePair` receives. `InlinePair` is generic over it, so the call
/// is specialised for the concrete provider: no existential, no dynamic dispatch.
public protocol InlineVerdictProvider: ~Copyable {
    /// The verdict for `frame`, received on interface A when `fromA`, else on B. The bytes
    /// are valid only during the call; a tag the kernel stripped is back in place.
    mutating func verdict(frame: CapturedPacket, fromA: Bool) -> InlineVerdict
}

/// Forwards everything: a plain two-port bridge.
public struct PassAll: InlineVerdictProvider {
    /// A provider with no state.
    public init() {}
    /// Always `.pass`.
    @inlinable public mutating func verdict(frame: CapturedPacket, fromA: Bool) -> InlineVerdict { .pass }
}
#endif
