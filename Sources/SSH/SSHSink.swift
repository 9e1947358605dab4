/// What an `SSHParser` reports. Generic, not an existential: the L7 stage conforms, and the
/// calls are specialised for it.
public protocol SSHSink: ~Copyable {
    /// The cleartext part of the connection is over (both sides sent NEWKEYS, or the flow
    /// ended or lost bytes): `client` and `server` hold what it revealed. Called once per flow,
    /// and only when at least one side sent its identification string. By address: each side
    /// holds kilobytes of algorithm lists.
    mutating func sshHandshake(client: UnsafePointer<SSHSide>, server: UnsafePointer<SSHSide>)
}

/// What one flow's SSH parser distrusted: the L7 stage adds these to its parse-error counts
/// (`L7ParseError`) as the parser is released.
public struct SSHCounters: Sendable {
    /// Identification lines that were not `SSH-protoversion-softwareversion`, or too many
    /// lines before one.
    public var badBanners: UInt32 = 0
    /// Binary packets whose `packet_length` or `padding_length` cannot be right.
    public var badPacketLengths: UInt32 = 0
    /// KEXINIT messages whose name-lists overran the message.
    public var malformedKexInits: UInt32 = 0
    /// KEXINIT messages longer than `SSHParser.kexInitCapacity` (no HASSH for that side).
    public var oversizedKexInits: UInt32 = 0
    /// All zero.
    @inlinable public init() {}
}
