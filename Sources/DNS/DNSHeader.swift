/// The fixed 12-byte DNS header (RFC 1035 section 4.1.1), kept as raw words so the flag
/// accessors cost a shift and a mask.
public struct DNSHeader: Sendable, Equatable {
    /// The transaction id that pairs a response with its query.
    public var id: UInt16
    /// The 16 flag bits exactly as on the wire (Suricata logs them as 4 hex digits).
    public var flags: UInt16
    /// Number of questions.
    public var questionCount: UInt16
    /// Number of answer records.
    public var answerCount: UInt16
    /// Number of authority records.
    public var authorityCount: UInt16
    /// Number of additional records.
    public var additionalCount: UInt16

    /// Creates a header from its fields.
    @inlinable public init(id: UInt16, flags: UInt16, questionCount: UInt16, answerCount: UInt16,
                           authorityCount: UInt16, additionalCount: UInt16) {
        self.id = id
        self.flags = flags
        self.questionCount = questionCount
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
    }

    /// Whether this is a response.
    @inlinable public var qr: Bool { flags & 0x8000 != 0 }
    /// The operation code (0 is a standard query).
    @inlinable public var opcode: UInt8 { UInt8(truncatingIfNeeded: (flags >> 11) & 0xf) }
    /// Authoritative answer.
    @inlinable public var aa: Bool { flags & 0x0400 != 0 }
    /// Truncated (the client should retry over TCP).
    @inlinable public var tc: Bool { flags & 0x0200 != 0 }
    /// Recursion desired.
    @inlinable public var rd: Bool { flags & 0x0100 != 0 }
    /// Recursion available.
    @inlinable public var ra: Bool { flags & 0x0080 != 0 }
    /// The reserved Z bit; Suricata logs it because it is set by some covert tools.
    @inlinable public var z: Bool { flags & 0x0040 != 0 }
    /// The response code (0 NOERROR, 3 NXDOMAIN, ...).
    @inlinable public var rcode: UInt8 { UInt8(truncatingIfNeeded: flags & 0xf) }
}
