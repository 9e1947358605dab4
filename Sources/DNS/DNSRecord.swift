/// One question: where its name starts in the message, and its type and class.
public struct DNSQuestion: Sendable, Equatable {
    /// Offset of the name in the message (decode it with `DNSName.decode`).
    public var nameOffset: Int
    /// The query type (1 A, 28 AAAA, ...).
    public var type: UInt16
    /// The query class (1 IN).
    public var rrclass: UInt16

    /// Creates a question from its parts.
    @inlinable public init(nameOffset: Int, type: UInt16, rrclass: UInt16) {
        self.nameOffset = nameOffset
        self.type = type
        self.rrclass = rrclass
    }
}

/// One resource record, as offsets into the message so nothing is copied until it is logged.
public struct DNSRecord: Sendable, Equatable {
    /// Offset of the owner name in the message.
    public var nameOffset: Int
    /// The record type.
    public var type: UInt16
    /// The record class.
    public var rrclass: UInt16
    /// Time to live in seconds.
    public var ttl: UInt32
    /// Offset of the record data in the message (names inside it may point anywhere before).
    public var rdataOffset: Int
    /// Length of the record data.
    public var rdataLength: Int

    /// Creates a record from its parts.
    @inlinable public init(nameOffset: Int, type: UInt16, rrclass: UInt16, ttl: UInt32,
                           rdataOffset: Int, rdataLength: Int) {
        self.nameOffset = nameOffset
        self.type = type
        self.rrclass = rrclass
        self.ttl = ttl
        self.rdataOffset = rdataOffset
        self.rdataLength = rdataLength
    }
}

/// Walks records of a section that `DNSMessage` already validated, so stepping cannot fail.
public struct DNSRecordCursor {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var pos: Int
    @usableFromInline var remaining: Int

    @inlinable init(bytes: UnsafeRawBufferPointer, pos: Int, count: Int) {
        self.bytes = bytes
        self.pos = pos
        remaining = count
    }

    /// The next record, or nil at the end of the section.
    @inlinable public mutating func next() -> DNSRecord? {
        guard remaining > 0,
              let (record, end) = try? DNSMessage.readRecord(bytes, at: pos) else { return nil }
        remaining -= 1
        pos = end
        return record
    }
}

/// Walks the questions of a validated message.
public struct DNSQuestionCursor {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var pos: Int
    @usableFromInline var remaining: Int

    @inlinable init(bytes: UnsafeRawBufferPointer, pos: Int, count: Int) {
        self.bytes = bytes
        self.pos = pos
        remaining = count
    }

    /// The next question, or nil after the last.
    @inlinable public mutating func next() -> DNSQuestion? {
        guard remaining > 0,
              let (q, end) = try? DNSMessage.readQuestion(bytes, at: pos) else { return nil }
        remaining -= 1
        pos = end
        return q
    }
}
