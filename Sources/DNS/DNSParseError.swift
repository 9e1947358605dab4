/// Why a DNS message was rejected. Hostile input ends here instead of trapping, so a worker
/// can count the failure and move on.
public enum DNSParseError: Error, Sendable, Equatable {
    /// The message ends before a header, name, question or record does.
    case truncated
    /// A compression pointer points at or past itself (forward pointers are how loops start).
    case badPointer
    /// More compression jumps than `DNSName.maxJumps`.
    case tooManyJumps
    /// A name longer than 255 bytes in wire form (RFC 1035 section 2.3.4).
    case nameTooLong
    /// A label type other than a plain length or a pointer (0x40 and 0x80 prefixes).
    case badLabel
}
