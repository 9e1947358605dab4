/// Which way bytes travel on a flow: from the side that opened it, or back.
public enum Direction: UInt8, Sendable {
    /// From the client (the flow's initiator) to the server.
    case toServer = 0
    /// From the server back to the client.
    case toClient = 1

    /// The other direction.
    @inlinable public var reversed: Direction { self == .toServer ? .toClient : .toServer }
}

/// Receives the in-order byte streams of TCP flows. The L7 stage implements it; workers are
/// generic over it, so calls are specialised and inlined rather than dispatched.
public protocol StreamSink: ~Copyable {
    /// Bytes that continue `direction`'s stream of flow `flow`, in order. The buffer is borrowed:
    /// it is valid only during the call (it may point into the captured frame).
    mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer)
    /// `length` bytes of `direction`'s stream were never seen (capture loss, memory cap); the
    /// stream continues after them.
    mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32)
}
