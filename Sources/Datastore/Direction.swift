/// One direction's framing state: where it is in the current message, and the few bytes of it
/// (header plus command prefix) that extraction needs. Bodies are skipped by count, never kept.
@usableFromInline struct Direction {
    /// Bytes of the current message still to skip (body, bulk string, data block). Inside a text
    /// line, where nothing is skipped, it marks state instead: RESP "number is negative",
    /// memcached "inside a token".
    @usableFromInline var skip = 0
    /// Number being read (RESP lengths, memcached tokens).
    @usableFromInline var number = 0
    /// RESP: values still owed by the current top-level reply or request. memcached: the data
    /// block length announced by the current line.
    @usableFromInline var count = 0
    /// Gathered header and command prefix of the current message.
    @usableFromInline var buf = InlineArray<80, UInt8>(repeating: 0)
    /// Bytes held in `buf`.
    @usableFromInline var have: UInt8 = 0
    @usableFromInline var phase = Phase.start
    /// RESP: the type byte of the value being read; memcached: the token index in the line.
    @usableFromInline var kind: UInt8 = 0
    /// RESP: bulk strings completed in the current request; memcached: which token carries the
    /// data length (0 = none).
    @usableFromInline var element: UInt8 = 0
    /// Where the command name ends in `buf` (the key or topic follows it).
    @usableFromInline var mark: UInt8 = 0

    /// Capacity of `buf`.
    @usableFromInline static let capacity = 80

    @usableFromInline init() {}

    /// What the next byte of this direction means.
    @usableFromInline enum Phase: UInt8 {
        /// At a message boundary.
        case start
        /// Gathering a length-framed message's header into `buf`.
        case frame
        /// Skipping `skip` bytes of body.
        case skip
        /// Inside a text line (RESP line, inline command, memcached line).
        case line
        /// Inside a RESP bulk string of `skip` bytes including its CRLF.
        case bulk
        /// Lost framing (a gap mid-message, or bytes that break the protocol): ignore the rest.
        case dead
    }

    /// Appends what fits of `b` to `buf`.
    @inlinable mutating func gather(_ b: UnsafeRawBufferPointer, upTo limit: Int) {
        let start = Int(have)
        let n = min(b.count, min(limit, Direction.capacity) - start)
        guard n > 0 else { return }
        withUnsafeMutableBytes(of: &buf) { dst in
            for i in 0..<n { dst[start + i] = b[i] }
        }
        have = UInt8(start + n)
    }

    /// Appends one byte if it fits under `limit`.
    @inlinable mutating func gather(_ c: UInt8, upTo limit: Int) {
        let h = Int(have)
        guard h < min(limit, Direction.capacity) else { return }
        buf[h] = c
        have += 1
    }

    /// Calls `body` with the gathered bytes.
    @inlinable func withGathered<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let n = Int(have)
        return withUnsafeBytes(of: buf) { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
}
