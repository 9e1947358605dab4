import Codecs

/// A frame as a packet source hands it over: borrowed bytes, valid until the source's next call.
public struct CapturedPacket {
    /// The captured bytes (possibly fewer than `wireLength`).
    public var data: UnsafeRawBufferPointer
    /// The frame's original length on the wire.
    public var wireLength: Int
    /// Capture time, nanoseconds since the epoch.
    public var timestamp: UInt64

    /// Creates a packet view.
    @inlinable public init(data: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64) {
        self.data = data
        self.wireLength = wireLength
        self.timestamp = timestamp
    }
}

/// A failure of a packet source, with the message of the library or system call behind it.
public struct PacketSourceError: Error, CustomStringConvertible {
    /// What went wrong, for a person.
    public var description: String
    /// Creates an error with a message.
    public init(_ description: String) { self.description = description }
}

/// Where frames come from: a capture file, a memory image of one, and (later) AF_PACKET or
/// DPDK. Workers are generic over it, so the call is specialised, not dynamically dispatched.
public protocol PacketSource: ~Copyable {
    /// The link-layer type of every frame this source yields.
    var linkType: LinkType { get }
    /// The next frame, nil at the end of the input. The bytes are valid until the next call.
    mutating func nextPacket() throws(PacketSourceError) -> CapturedPacket?
}
