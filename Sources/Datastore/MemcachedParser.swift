import L7Core

// memcached (https://github.com/memcached/memcached/blob/master/doc/protocol.txt): text commands
// are lines; storage commands (`set key flags exptime bytes`) and `VALUE` replies are followed by
// a data block of `bytes` plus CRLF. The binary protocol uses 24-byte headers with magic 0x80
// (request) or 0x81 (response). Text command words are lower case and case-sensitive, which
// keeps them apart from HTTP's upper-case methods.

extension DatastoreProbes {
    /// memcached: a text command from the command list with a printable line (storage commands
    /// with numeric flags, exptime and length), a text reply, or a binary header with a known
    /// opcode, zero data type and lengths that fit each other.
    @inlinable public static func memcached(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard b.count > 0 else { return .needMore }
        if b[0] == (toServer ? 0x80 : 0x81) {
            guard b.count >= 24 else { return .needMore }
            let keyLength = Bytes.be16(b, 2), extras = Int(b[4]), body = Bytes.be32(b, 8)
            guard b[1] <= 0x48, b[5] == 0, keyLength <= 250, extras <= 32, body >= extras + keyLength,
                  body < 1 << 24 else { return .noMatch }
            if !toServer && Bytes.be16(b, 6) > 0x86 { return .noMatch }
            return .match(.memcached)
        }
        // The first word, up to a space or CR.
        var i = 0
        while i < b.count && i < 16 && (Bytes.isLetter(b[i]) || b[i] == 0x5f) { i += 1 }
        guard i < b.count else { return i < 16 ? .needMore : .noMatch }
        guard i > 0, b[i] == 0x20 || b[i] == 0x0d else { return .noMatch }
        let word = Bytes.slice(b, 0, i)
        let bare = b[i] == 0x0d   // nothing after the word
        var tokensNeeded = 0
        if toServer {
            let storage: [StaticString] = ["set", "add", "replace", "append", "prepend", "cas"]
            let keyed: [StaticString] = ["get", "gets", "gat", "gats", "delete", "incr", "decr", "touch", "mg", "ms", "md", "ma", "me"]
            let alone: [StaticString] = ["stats", "version", "quit", "flush_all", "verbosity", "mn", "shutdown", "lru_crawler", "watch"]
            if storage.contains(where: { Bytes.startsWith(word, $0) && word.count == $0.utf8CodeUnitCount }) {
                tokensNeeded = 5
            } else if keyed.contains(where: { Bytes.startsWith(word, $0) && word.count == $0.utf8CodeUnitCount }) {
                tokensNeeded = 2
            } else if alone.contains(where: { Bytes.startsWith(word, $0) && word.count == $0.utf8CodeUnitCount }) {
                tokensNeeded = 1
            } else {
                return .noMatch
            }
        } else {
            let replies: [StaticString] = ["STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED", "TOUCHED", "END"]
            let lines: [StaticString] = ["VALUE", "STAT", "VERSION"]
            if replies.contains(where: { Bytes.startsWith(word, $0) && word.count == $0.utf8CodeUnitCount }) {
                guard bare else { return .noMatch }
                tokensNeeded = 1
            } else if lines.contains(where: { Bytes.startsWith(word, $0) && word.count == $0.utf8CodeUnitCount }) {
                tokensNeeded = word.count == 5 ? 4 : 2
            } else {
                return .noMatch
            }
        }
        // The rest of the line: printable, CRLF-terminated, enough tokens, numbers where numbers go.
        var tokens = 1, j = i, tokenStart = -1
        while j < b.count && b[j] != 0x0d {
            let c = b[j]
            guard Bytes.isPrintable(c), j < 400 else { return .noMatch }
            if c == 0x20 { tokenStart = -1 } else if tokenStart < 0 {
                tokenStart = j
                tokens += 1
            }
            // storage: flags, exptime and bytes are numbers; VALUE: flags and bytes
            let numeric = toServer ? (tokensNeeded == 5 && tokens >= 3 && tokens <= 5)
                                   : (word.count == 5 && tokensNeeded == 4 && tokens >= 3 && tokens <= 4)
            if c != 0x20 && numeric && !Bytes.isDigit(c) { return .noMatch }
            j += 1
        }
        guard j + 1 < b.count else { return j < 400 ? .needMore : .noMatch }
        guard b[j + 1] == 0x0a else { return .noMatch }
        return tokens >= tokensNeeded ? .match(.memcached) : .noMatch
    }
}

extension DatastoreParser {
    @inlinable func memcachedBinaryMeasure(_ b: UnsafeRawBufferPointer) -> Measure {
        guard b.count >= 24 else { return .need(24) }
        guard b[0] == 0x80 || b[0] == 0x81 else { return .bad }
        let body = Bytes.be32(b, 8)
        return body < 1 << 30 ? .frame(24 + body) : .bad
    }

    @inlinable func memcachedBinaryEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        let key = 24 + Int(b[4])
        if b[0] == 0x81 {
            if Bytes.be16(b, 6) != 0 {
                reply(error: true, Bytes.slice(b, key + Bytes.be16(b, 2), total), sink: &sink)
            }
            return
        }
        command(Self.memcachedOpcodeName(b[1]), Bytes.slice(b, key, min(key + Bytes.be16(b, 2), total)), sink: &sink)
    }

    /// Walks one text line a byte at a time: keeps the command word and first key in the
    /// buffer, reads the token that announces a data block, and on LF reports and arranges to
    /// skip that block. Lines of any length cost nothing beyond the buffer.
    @inlinable mutating func memcachedTextStep<S: DatastoreSink & ~Copyable>(_ d: inout Direction, _ chunk: UnsafeRawBufferPointer,
                                                                             _ pos: inout Int, toServer: Bool, sink: inout S) {
        let n = chunk.count
        while pos < n {
            let c = chunk[pos]
            pos += 1
            if c == 0x0a {
                memcachedLineDone(&d, toServer: toServer, sink: &sink)
                return
            }
            if c == 0x20 || c == 0x0d {
                if d.skip == 1 {   // a token just ended
                    if d.kind == 0 {
                        d.mark = d.have
                        d.element = memcachedDataToken(d, toServer: toServer)
                    }
                    if d.kind == d.element && d.element != 0 { d.count = d.number }
                    if d.kind < 255 { d.kind += 1 }
                    d.skip = 0
                }
                continue
            }
            if d.skip == 0 { d.skip = 1; d.number = 0 }
            if d.kind == 0 { d.gather(c, upTo: 16) }
            if d.kind == 1 { d.gather(c, upTo: Int(d.mark) + 64) }
            if Bytes.isDigit(c) && d.number < 1 << 40 { d.number = d.number * 10 + Int(c - 0x30) }
        }
    }

    @inlinable mutating func memcachedLineDone<S: DatastoreSink & ~Copyable>(_ d: inout Direction, toServer: Bool, sink: inout S) {
        if d.skip == 1 {
            if d.kind == 0 { d.mark = d.have; d.element = memcachedDataToken(d, toServer: toServer) }
            if d.kind == d.element && d.element != 0 { d.count = d.number }
        }
        let mark = Int(d.mark)
        d.withGathered { line in
            let word = Bytes.slice(line, 0, mark), key = Bytes.slice(line, mark, line.count)
            if toServer {
                // Command words are lower-case letters and '_'; anything else is not a command line.
                var wordy = mark > 0
                for c in word where !(Bytes.isLetter(c) || c == 0x5f) { wordy = false; break }
                if wordy { sink.datastoreCommand(app, command: word, detail: key) }
            } else if Bytes.startsWith(word, "ERROR") || Bytes.startsWith(word, "CLIENT_ERROR") || Bytes.startsWith(word, "SERVER_ERROR") {
                reply(error: true, key, sink: &sink)
            }
        }
        d.have = 0
        d.skip = 0
        if d.element != 0 && d.count > 0 {
            guard d.count < 1 << 32 else { lose(&d, .lengthOverflow); return }
            d.skip = d.count + 2
            d.phase = .skip
        } else {
            d.phase = .start
        }
    }

    /// Which token of the line gives the length of a following data block (0: none).
    @inlinable func memcachedDataToken(_ d: Direction, toServer: Bool) -> UInt8 {
        d.withGathered { w in
            if toServer {
                // Spelled out rather than looped over an array literal: this runs per line.
                switch w.count {
                case 2: return Bytes.startsWith(w, "ms") ? 2 : 0
                case 3: return Bytes.startsWith(w, "set") || Bytes.startsWith(w, "add") || Bytes.startsWith(w, "cas") ? 4 : 0
                case 6: return Bytes.startsWith(w, "append") ? 4 : 0
                case 7: return Bytes.startsWith(w, "replace") || Bytes.startsWith(w, "prepend") ? 4 : 0
                default: return 0
                }
            }
            if w.count == 5 && Bytes.startsWith(w, "VALUE") { return 3 }
            return w.count == 2 && Bytes.startsWith(w, "VA") ? 1 : 0
        }
    }

    @inlinable static func memcachedOpcodeName(_ op: UInt8) -> StaticString {
        switch op {
        case 0x00: return "get"
        case 0x01: return "set"
        case 0x02: return "add"
        case 0x03: return "replace"
        case 0x04: return "delete"
        case 0x05: return "incr"
        case 0x06: return "decr"
        case 0x07: return "quit"
        case 0x08: return "flush_all"
        case 0x09: return "getq"
        case 0x0a: return "noop"
        case 0x0b: return "version"
        case 0x0c: return "getk"
        case 0x0d: return "getkq"
        case 0x0e: return "append"
        case 0x0f: return "prepend"
        case 0x10: return "stats"
        case 0x11: return "setq"
        case 0x12: return "addq"
        case 0x13: return "replaceq"
        case 0x14: return "deleteq"
        case 0x15: return "incrq"
        case 0x16: return "decrq"
        case 0x17: return "quitq"
        case 0x18: return "flushq"
        case 0x19: return "appendq"
        case 0x1a: return "prependq"
        case 0x1c: return "touch"
        case 0x1d: return "gat"
        case 0x1e: return "gatq"
        case 0x20: return "sasl_list_mechs"
        case 0x21: return "sasl_auth"
        case 0x22: return "sasl_step"
        default: return "unknown"
        }
    }
}
