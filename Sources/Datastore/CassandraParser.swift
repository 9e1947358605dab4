import L7Core

// Cassandra native protocol v3-v5 (https://github.com/apache/cassandra/blob/trunk/doc/native_protocol_v4.spec):
// a 9-byte frame header (version with the response bit 0x80, flags, int16 stream, opcode, int32
// body length). Protocol v5's checksummed segments after STARTUP are not unwrapped here.

extension DatastoreProbes {
    /// Cassandra CQL: a v3–v5 request header with a known opcode and a body that fits it
    /// (STARTUP's string map, OPTIONS' empty body, QUERY/PREPARE text starting with a verb), or
    /// a response (READY, SUPPORTED, AUTHENTICATE, ERROR) with the response bit set.
    @inlinable public static func cassandra(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard b.count >= 1 else { return .needMore }
        let version = b[0]
        guard toServer ? (version >= 3 && version <= 5) : (version >= 0x83 && version <= 0x85) else { return .noMatch }
        guard b.count >= 9 else { return .needMore }
        let length = Bytes.be32(b, 5)
        guard b[1] & ~0x1f == 0, length < 1 << 28 else { return .noMatch }
        let opcode = b[4]
        if toServer {
            guard b[2] & 0x80 == 0 else { return .noMatch }   // clients use non-negative streams
            switch opcode {
            case 5: return length == 0 ? .match(.cassandra) : .noMatch          // OPTIONS
            case 1:                                                             // STARTUP
                guard length >= 2 + 2 + 11 else { return .noMatch }
                guard b.count >= 13 else { return .needMore }
                let pairs = Bytes.be16(b, 9), keyLength = Bytes.be16(b, 11)
                guard pairs >= 1, pairs <= 16, keyLength >= 1, keyLength <= 32 else { return .noMatch }
                guard Bytes.allPrintable(b, from: 13, to: 13 + keyLength) else { return .noMatch }
                return b.count >= 13 + keyLength ? .match(.cassandra) : .needMore
            case 7, 9:                                                          // QUERY, PREPARE
                guard b.count >= 13 else { return .needMore }
                let textLength = Bytes.be32(b, 9)
                guard textLength >= 1, textLength <= length - 4, b[1] & 1 == 0 else { return .noMatch }
                switch SQLText.probeVerb(Bytes.slice(b, 13, 13 + textLength), complete: b.count >= 13 + textLength) {
                case .yes: return .match(.cassandra)
                case .no: return .noMatch
                case .more: return .needMore
                }
            default: return .noMatch
            }
        }
        switch opcode {
        case 2: return length == 0 ? .match(.cassandra) : .noMatch              // READY
        case 6, 3, 0:                                                           // SUPPORTED, AUTHENTICATE, ERROR
            guard length >= 4 else { return .noMatch }
            guard b.count >= 13 else { return .needMore }
            // SUPPORTED: a string multimap; AUTHENTICATE: the authenticator class; ERROR: code then message.
            let at = opcode == 3 ? 9 : (opcode == 6 ? 11 : 13)
            if opcode == 6 && (Bytes.be16(b, 9) == 0 || Bytes.be16(b, 9) > 64) { return .noMatch }
            if opcode == 0 && Bytes.be16(b, 9) != 0 { return .noMatch }
            guard b.count >= at + 2 else { return .needMore }
            let n = Bytes.be16(b, at)
            guard n >= 1, n <= 1024, at + 2 + n <= 9 + length,
                  Bytes.allPrintable(b, from: at + 2, to: at + 2 + min(n, 16)) else { return .noMatch }
            return b.count >= at + 2 + min(n, 16) ? .match(.cassandra) : .needMore
        default: return .noMatch
        }
    }
}

extension DatastoreParser {
    @inlinable func cqlMeasure(_ b: UnsafeRawBufferPointer) -> Measure {
        guard b.count >= 9 else { return .need(9) }
        let length = Bytes.be32(b, 5)
        return length < 1 << 28 ? .frame(9 + length) : .bad
    }

    @inlinable func cqlEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        let opcode = b[4]
        let compressed = b[1] & 1 != 0
        if !toServer {
            guard opcode == 0 else { return }
            var message = Bytes.slice(b, 0, 0)
            if !compressed && b.count >= 15 { message = Bytes.slice(b, 15, min(15 + Bytes.be16(b, 13), total)) }
            reply(error: true, message, sink: &sink)
            return
        }
        switch opcode {
        case 7, 9:
            guard !compressed, b.count > 13 else { command(opcode == 7 ? "QUERY" : "PREPARE", sink: &sink); return }
            let text = Bytes.slice(b, 13, min(13 + Bytes.be32(b, 9), total))
            SQLText.report(app, text, fallback: opcode == 7 ? "QUERY" : "PREPARE", sink: &sink)
        case 1: command("STARTUP", sink: &sink)
        case 5: command("OPTIONS", sink: &sink)
        case 10: command("EXECUTE", sink: &sink)
        case 11: command("REGISTER", sink: &sink)
        case 13: command("BATCH", sink: &sink)
        case 15: command("AUTH_RESPONSE", sink: &sink)
        default: command("UNKNOWN", sink: &sink)
        }
    }
}
