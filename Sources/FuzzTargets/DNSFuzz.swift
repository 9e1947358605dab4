import DNS
import L7Core
import Output

/// DNS messages through the parser, the section cursors, name decoding and the EVE writer,
/// as UDP datagrams or as a DNS-over-TCP stream whose length prefixes and messages are cut
/// across chunks anywhere.
///
/// Input: a mode byte (bit 0: TCP; bit 1: small gather storage, so long split messages are
/// skipped as oversized), then records: UDP messages, or TCP chunks of the stream.
enum DNSFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let mode = input.byte()
        var json = JSONBuffer(fd: -1, capacity: 1 << 16)
        if mode & 1 == 0 {
            while let message = input.record() { inspect(message, json: &json) }
            return
        }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: mode & 2 != 0 ? 512 : 65536, alignment: 1)
        defer { storage.deallocate() }
        var tcp = DNSTCPReassembly(storage: storage)
        while let chunk = input.record() {
            if chunk.count == 1 && chunk[0] == 0 { tcp.reset(); continue }
            // A 2-byte record 0xFF n is a gap of n bytes (resynchronisation after it).
            if chunk.count == 2 && chunk[0] == 0xFF { tcp.gap(Int(chunk[1])); continue }
            tcp.feed(chunk) { (m: UnsafeRawBufferPointer) throws(Never) in inspect(m, json: &json) }
        }
    }

    /// What `L7Stage` does with a message: parse, every EVE event it yields, and every record
    /// and name the cursors hand out.
    static func inspect(_ bytes: UnsafeRawBufferPointer, json: inout JSONBuffer) {
        guard let m = try? DNSMessage(parsing: bytes) else { return }
        var name = FixedBytes<256>()
        var questions = m.questions
        var tx: UInt64 = 0
        var index = 0
        while let q = questions.next() {
            _ = try? m.name(at: q.nameOffset, into: &name)
            if index < 64 {
                json.reserve(16384)
                json.beginObject()
                DNSEve.write(m, index: index, txID: tx, into: &json)
                json.endObject()
                json.endLine()
            }
            index += 1
            tx &+= 1
        }
        for var cursor in [m.answers, m.authorities] {
            while let r = cursor.next() { _ = try? m.name(at: r.nameOffset, into: &name) }
        }
        if m.header.qr {
            json.reserve(16384)
            json.beginObject()
            DNSEve.write(m, txID: tx, into: &json)
            json.endObject()
            json.endLine()
        }
        json.flush()
    }
}
