import L7Core

/// A DNS message (RFC 1035) parsed in place over borrowed bytes: the header plus the offsets
/// of each section. `init(parsing:)` walks every question, answer and authority record once,
/// checking bounds and decoding every name (owners and names inside CNAME/NS/PTR/MX/SRV/SOA
/// data), so later iteration and logging cannot meet a bad name. Additional records are not
/// validated or logged (Suricata 7's v2 log ignores them), only located when well formed.
/// The message borrows `bytes`: it is valid only while they are.
public struct DNSMessage {
    /// The whole message.
    public let bytes: UnsafeRawBufferPointer
    /// The header.
    public let header: DNSHeader
    /// Offset of the first question.
    @usableFromInline let questionsStart: Int
    /// Offset of the first answer record.
    @usableFromInline let answersStart: Int
    /// Offset of the first authority record.
    @usableFromInline let authoritiesStart: Int

    /// Parses `bytes`, throwing on anything malformed in the header, questions, answers or
    /// authorities. Allocates nothing.
    @inlinable public init(parsing bytes: UnsafeRawBufferPointer) throws(DNSParseError) {
        guard bytes.count >= 12 else { throw .truncated }
        func word(_ o: Int) -> UInt16 { UInt16(bytes[o]) << 8 | UInt16(bytes[o + 1]) }
        let header = DNSHeader(id: word(0), flags: word(2), questionCount: word(4), answerCount: word(6),
                               authorityCount: word(8), additionalCount: word(10))
        var scratch = FixedBytes<256>()
        var pos = 12
        for _ in 0..<Int(header.questionCount) {
            _ = try DNSName.decode(bytes, at: pos, into: &scratch)
            pos = try Self.readQuestion(bytes, at: pos).1
        }
        let answersStart = pos
        for _ in 0..<Int(header.answerCount) {
            pos = try Self.validateRecord(bytes, at: pos, scratch: &scratch)
        }
        let authoritiesStart = pos
        for _ in 0..<Int(header.authorityCount) {
            pos = try Self.validateRecord(bytes, at: pos, scratch: &scratch)
        }
        self.bytes = bytes
        self.header = header
        questionsStart = 12
        self.answersStart = answersStart
        self.authoritiesStart = authoritiesStart
    }

    /// The questions.
    @inlinable public var questions: DNSQuestionCursor {
        DNSQuestionCursor(bytes: bytes, pos: questionsStart, count: Int(header.questionCount))
    }
    /// The answer records.
    @inlinable public var answers: DNSRecordCursor {
        DNSRecordCursor(bytes: bytes, pos: answersStart, count: Int(header.answerCount))
    }
    /// The authority records.
    @inlinable public var authorities: DNSRecordCursor {
        DNSRecordCursor(bytes: bytes, pos: authoritiesStart, count: Int(header.authorityCount))
    }

    /// The first question, which Suricata uses as a response's `rrname`/`rrtype`.
    @inlinable public var firstQuestion: DNSQuestion? {
        var q = questions
        return q.next()
    }

    /// Decodes the name at `offset` into `out` (see `DNSName.decode`).
    @inlinable public func name(at offset: Int, into out: inout FixedBytes<256>) throws(DNSParseError) {
        _ = try DNSName.decode(bytes, at: offset, into: &out)
    }

    /// Reads one question at `offset`, returning it and the offset after it.
    @inlinable public static func readQuestion(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(DNSParseError) -> (DNSQuestion, Int) {
        let p = try DNSName.skip(bytes, at: offset)
        guard p + 4 <= bytes.count else { throw .truncated }
        let type = UInt16(bytes[p]) << 8 | UInt16(bytes[p + 1])
        let rrclass = UInt16(bytes[p + 2]) << 8 | UInt16(bytes[p + 3])
        return (DNSQuestion(nameOffset: offset, type: type, rrclass: rrclass), p + 4)
    }

    /// Reads one record's fixed part at `offset`, checking that its data lies inside the
    /// message; returns it and the offset after it.
    @inlinable public static func readRecord(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(DNSParseError) -> (DNSRecord, Int) {
        let p = try DNSName.skip(bytes, at: offset)
        guard p + 10 <= bytes.count else { throw .truncated }
        func word(_ o: Int) -> UInt16 { UInt16(bytes[o]) << 8 | UInt16(bytes[o + 1]) }
        let ttl = UInt32(word(p + 4)) << 16 | UInt32(word(p + 6))
        let rdlen = Int(word(p + 8))
        guard p + 10 + rdlen <= bytes.count else { throw .truncated }
        let r = DNSRecord(nameOffset: offset, type: word(p), rrclass: word(p + 2), ttl: ttl,
                          rdataOffset: p + 10, rdataLength: rdlen)
        return (r, p + 10 + rdlen)
    }

    /// Reads a record and decodes every name in it, so logging can rely on them.
    @inlinable static func validateRecord(_ bytes: UnsafeRawBufferPointer, at offset: Int,
                                          scratch: inout FixedBytes<256>) throws(DNSParseError) -> Int {
        let (r, end) = try readRecord(bytes, at: offset)
        _ = try DNSName.decode(bytes, at: offset, into: &scratch)
        // Names in rdata must also end inside the rdata (a name running past it is corrupt).
        let rdEnd = r.rdataOffset + r.rdataLength
        switch r.type {
        case DNSType.cname, DNSType.ns, DNSType.ptr:
            guard try DNSName.decode(bytes, at: r.rdataOffset, into: &scratch) <= rdEnd else { throw .truncated }
        case DNSType.mx:
            guard r.rdataLength >= 3,
                  try DNSName.decode(bytes, at: r.rdataOffset + 2, into: &scratch) <= rdEnd else { throw .truncated }
        case DNSType.srv:
            guard r.rdataLength >= 7,
                  try DNSName.decode(bytes, at: r.rdataOffset + 6, into: &scratch) <= rdEnd else { throw .truncated }
        case DNSType.soa:
            let m = try DNSName.decode(bytes, at: r.rdataOffset, into: &scratch)
            guard m < rdEnd else { throw .truncated }
            let rn = try DNSName.decode(bytes, at: m, into: &scratch)
            guard rn + 20 <= rdEnd else { throw .truncated }
        default:
            break
        }
        return end
    }
}
