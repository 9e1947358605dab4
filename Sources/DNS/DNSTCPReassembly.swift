/// DNS over TCP framing (RFC 1035 section 4.2.2) for one direction of one flow: each message
/// is a 2-byte big-endian length then the message. Chunks arrive in arbitrary pieces and are
/// borrowed only during `feed`. A message lying whole inside one chunk is handed out in place;
/// a message split across chunks is gathered into caller-provided storage (65,535 bytes holds
/// any message; smaller storage bounds per-flow memory, and longer messages are counted in
/// `oversized` and skipped). The state itself is a few words; it allocates nothing.
public struct DNSTCPReassembly {
    @usableFromInline let storage: UnsafeMutableRawBufferPointer
    /// Length-prefix bytes seen for the current message (0, 1 or 2).
    @usableFromInline var prefixBytes = 0
    @usableFromInline var prefixHigh: UInt8 = 0
    /// Length of the current message (valid once both prefix bytes are in).
    @usableFromInline var expected = 0
    /// Bytes of the current message gathered into `storage`.
    @usableFromInline var gathered = 0
    /// Bytes still to skip of a message too big for `storage`.
    @usableFromInline var skipping = 0
    /// After a gap that did not end inside a known message: looking for the next message start.
    @usableFromInline var hunting = false
    @usableFromInline var lost: UInt64 = 0
    @usableFromInline var delivered: UInt64 = 0
    @usableFromInline var skipped: UInt64 = 0
    /// Messages delivered.
    @inlinable public var messages: UInt64 { delivered }
    /// Messages skipped because they were longer than `storage`.
    @inlinable public var oversized: UInt64 { skipped }
    /// Messages lost (in part or whole) to gaps in the stream.
    @inlinable public var lostToGaps: UInt64 { lost }

    /// Reassembly that gathers split messages into `storage`, which the caller owns and must
    /// keep alive for as long as this state is used.
    @inlinable public init(storage: UnsafeMutableRawBufferPointer) {
        self.storage = storage
    }

    /// Feeds the next in-order bytes of the stream, calling `body` with each complete message
    /// (borrowed: valid only during the call).
    @inlinable public mutating func feed<E: Error>(_ chunk: UnsafeRawBufferPointer,
                                                   _ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        var pos = 0
        let n = chunk.count
        if hunting {
            pos = Self.nextMessageStart(chunk, limit: storage.count)
            if pos < n { hunting = false }
        }
        while pos < n {
            if skipping > 0 {
                let k = min(skipping, n - pos)
                skipping -= k
                pos += k
                continue
            }
            if prefixBytes < 2 {
                if prefixBytes == 0 && pos + 2 <= n {
                    expected = Int(chunk[pos]) << 8 | Int(chunk[pos + 1])
                    prefixBytes = 2
                    pos += 2
                } else if prefixBytes == 0 {
                    prefixHigh = chunk[pos]; prefixBytes = 1; pos += 1
                    continue
                } else {
                    expected = Int(prefixHigh) << 8 | Int(chunk[pos]); prefixBytes = 2; pos += 1
                }
                gathered = 0
                if expected > storage.count {
                    // Too big to gather: skip it (it may still arrive whole in one chunk, but a
                    // bound that depends on chunking would make behaviour unpredictable).
                    skipped &+= 1
                    skipping = expected
                    prefixBytes = 0
                    continue
                }
                if expected == 0 { prefixBytes = 0; continue }
            }
            // Whole message inside this chunk and nothing gathered: hand it out in place.
            if gathered == 0 && pos + expected <= n {
                prefixBytes = 0
                delivered &+= 1
                let m = UnsafeRawBufferPointer(rebasing: chunk[pos..<(pos + expected)])
                pos += expected
                try body(m)
                continue
            }
            let k = min(expected - gathered, n - pos)
            (storage.baseAddress! + gathered).copyMemory(from: chunk.baseAddress! + pos, byteCount: k)
            gathered += k
            pos += k
            if gathered == expected {
                prefixBytes = 0
                gathered = 0
                delivered &+= 1
                try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<expected]))
            }
        }
    }

    /// Forgets any partial message and state: ready for a new flow.
    @inlinable public mutating func reset() {
        prefixBytes = 0
        gathered = 0
        skipping = 0
        hunting = false
    }

    /// `length` bytes of the stream are missing. A hole that ends inside the current message
    /// (its length known) costs that message only: the rest of it is skipped and framing goes
    /// on at the next one. Any other hole (one at a message boundary, or longer than what is
    /// left of the message) hides where messages start: the next chunks are searched for a
    /// length followed by a message that parses (`nextMessageStart`), as Suricata resyncs.
    @inlinable public mutating func gap(_ length: Int) {
        guard length > 0 else { return }
        if skipping > 0 && length <= skipping {
            skipping -= length
            return
        }
        lost &+= 1
        if prefixBytes == 2 && length <= expected - gathered {
            skipping = expected - gathered - length
            prefixBytes = 0
            gathered = 0
            return
        }
        prefixBytes = 0
        gathered = 0
        skipping = 0
        hunting = true
    }

    /// Where in `chunk` the first plausible message starts: a 2-byte length of at least a
    /// header and at most `limit`, followed inside the chunk by a message that parses with a
    /// standard opcode and one to a few questions. `chunk.count` when none does (the chunk is
    /// dropped, and the search goes on in the next).
    @inlinable static func nextMessageStart(_ chunk: UnsafeRawBufferPointer, limit: Int) -> Int {
        var p = 0
        while p + 14 <= chunk.count {
            let length = Int(chunk[p]) << 8 | Int(chunk[p + 1])
            if length >= 12 && length <= limit && p + 2 + length <= chunk.count {
                let m = UnsafeRawBufferPointer(rebasing: chunk[(p + 2)..<(p + 2 + length)])
                if let message = try? DNSMessage(parsing: m),
                   message.header.opcode <= 5, message.header.questionCount >= 1, message.header.questionCount < 64 {
                    return p
                }
            }
            p += 1
        }
        return chunk.count
    }
}
