import L7Core

// Redis speaks RESP (https://redis.io/docs/latest/develop/reference/protocol-spec/): clients send
// arrays of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) or, from a terminal, inline lines;
// replies are typed values that nest. One counter of values still owed by the current top-level
// message is enough to walk any nesting depth in constant state.

extension DatastoreProbes {
    /// Redis: a RESP array whose first bulk string is a command word, an inline command from a
    /// closed list, or (from the server) a well-formed simple reply or length line.
    @inlinable public static func redis(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard b.count > 0 else { return .needMore }
        if toServer {
            if b[0] == 0x2a { // *N\r\n$L\r\nNAME\r\n
                var i = 1
                let r1 = number(b, from: &i, maxDigits: 7)
                guard case .yes(let count, _) = r1 else { return tri(r1) }
                guard count >= 1 else { return .noMatch }
                guard i < b.count else { return .needMore }
                guard b[i] == 0x24 else { return .noMatch }
                i += 1
                let r2 = number(b, from: &i, maxDigits: 2)
                guard case .yes(let len, _) = r2 else { return tri(r2) }
                guard len >= 1 && len <= 32 else { return .noMatch }
                for k in 0..<len {
                    guard i + k < b.count else { return .needMore }
                    guard Bytes.isLetter(b[i + k]) || (k > 0 && (b[i + k] == 0x5f || b[i + k] == 0x2d)) else { return .noMatch }
                }
                guard i + len + 2 <= b.count else { return .needMore }
                return b[i + len] == 0x0d && b[i + len + 1] == 0x0a ? .match(.redis) : .noMatch
            }
            return inlineCommand(b)
        }
        switch b[0] {
        case 0x2b: // +OK, +PONG, +QUEUED alone on the line (POP3's "+OK text" stays out)
            var i = 1
            while i < b.count && b[i] >= 0x41 && b[i] <= 0x5a && i < 16 { i += 1 }
            guard i < b.count else { return i < 16 ? .needMore : .noMatch }
            let word = Bytes.slice(b, 1, i)
            guard b[i] == 0x0d, Bytes.equalsFolded(word, "OK") || Bytes.equalsFolded(word, "PONG")
                    || Bytes.equalsFolded(word, "QUEUED") else { return .noMatch }
            guard i + 1 < b.count else { return .needMore }
            return b[i + 1] == 0x0a ? .match(.redis) : .noMatch
        case 0x2d: // -ERR ..., -WRONGTYPE ..., -NOAUTH ...: Redis's own error prefixes
            var i = 1
            while i < b.count && b[i] >= 0x41 && b[i] <= 0x5a && i < 16 { i += 1 }
            guard i < b.count else { return i < 16 ? .needMore : .noMatch }
            guard b[i] == 0x20 || b[i] == 0x0d, isErrorPrefix(Bytes.slice(b, 1, i)) else { return .noMatch }
            // The message must be one printable line.
            var j = i
            while j < b.count && b[j] != 0x0d { if !Bytes.isPrintable(b[j]) { return .noMatch }; j += 1 }
            guard j + 1 < b.count else { return j < 512 ? .needMore : .noMatch }
            return b[j + 1] == 0x0a ? .match(.redis) : .noMatch
        case 0x3a, 0x24, 0x2a, 0x25: // :N, $N, *N, %N (RESP3 map)
            var i = 1
            if i < b.count && b[i] == 0x2d && b[0] != 0x25 { i += 1 }
            let r = number(b, from: &i, maxDigits: 18)
            guard case .yes = r else { return tri(r) }
            if b[0] == 0x3a || b[0] == 0x24 { return .match(.redis) }
            // An aggregate: the next value must start with a RESP type byte.
            guard i < b.count else { return .needMore }
            switch b[i] {
            case 0x24, 0x2a, 0x3a, 0x2b, 0x2d, 0x25, 0x5f, 0x23, 0x2c: return .match(.redis)
            default: return .noMatch
            }
        default:
            return .noMatch
        }
    }

    @inlinable static func isErrorPrefix(_ w: UnsafeRawBufferPointer) -> Bool {
        let prefixes: [StaticString] = ["ERR", "WRONGTYPE", "NOAUTH", "WRONGPASS", "NOPERM", "MOVED", "ASK", "LOADING",
                                        "BUSY", "NOSCRIPT", "READONLY", "EXECABORT", "OOM", "MASTERDOWN", "MISCONF",
                                        "CROSSSLOT", "TRYAGAIN", "CLUSTERDOWN", "NOPROTO", "UNBLOCKED", "NOREPLICAS"]
        return prefixes.contains { w.count == $0.utf8CodeUnitCount && Bytes.startsWith(w, $0) }
    }

    /// A decimal number then CRLF: `.yes(value, end)` with `i` after the CRLF.
    @usableFromInline enum Number { case yes(Int, Int), no, more }

    @inlinable static func number(_ b: UnsafeRawBufferPointer, from i: inout Int, maxDigits: Int) -> Number {
        var v = 0
        let start = i
        while i < b.count && Bytes.isDigit(b[i]) {
            guard i - start < maxDigits else { return .no }
            v = v * 10 + Int(b[i] - 0x30)
            i += 1
        }
        guard i < b.count else { return .more }
        guard i > start, b[i] == 0x0d else { return .no }
        guard i + 1 < b.count else { return .more }
        guard b[i + 1] == 0x0a else { return .no }
        i += 2
        return .yes(v, i)
    }

    @inlinable static func tri(_ n: Number) -> DatastoreVerdict {
        if case .more = n { return .needMore }
        return .noMatch
    }

    /// An inline command (`PING\r\n`, `AUTH pw\r\n`) from a closed list of words that neither
    /// HTTP nor memcached use, then a printable line.
    @inlinable static func inlineCommand(_ b: UnsafeRawBufferPointer) -> DatastoreVerdict {
        var i = 0
        while i < b.count && Bytes.isLetter(b[i]) && i < 16 { i += 1 }
        guard i < b.count else { return i < 16 ? .needMore : .noMatch }
        guard i > 0, b[i] == 0x20 || b[i] == 0x0d else { return .noMatch }
        let words: [StaticString] = ["PING", "QUIT", "AUTH", "SELECT", "ECHO", "INFO", "MONITOR", "HELLO", "PSYNC", "SYNC",
                                     "REPLCONF", "DBSIZE", "FLUSHALL", "FLUSHDB", "CLIENT", "CONFIG", "KEYS", "EXISTS", "DEL",
                                     "HGET", "HSET", "HGETALL", "LPUSH", "RPUSH", "LPOP", "RPOP", "LRANGE", "SADD", "SMEMBERS",
                                     "ZADD", "ZRANGE", "EXPIRE", "TTL", "MGET", "MSET", "SETEX", "SETNX", "INCRBY", "SUBSCRIBE",
                                     "PSUBSCRIBE", "PUBLISH", "SCAN", "TYPE", "COMMAND", "XADD", "XREAD", "EVAL", "MULTI", "EXEC"]
        let w = Bytes.slice(b, 0, i)
        guard words.contains(where: { Bytes.equalsFolded(w, $0) }) else { return .noMatch }
        var j = i
        while j < b.count && b[j] != 0x0d { if !Bytes.isPrintable(b[j]) { return .noMatch }; j += 1 }
        guard j + 1 < b.count else { return j < 512 ? .needMore : .noMatch }
        return b[j + 1] == 0x0a ? .match(.redis) : .noMatch
    }
}

extension DatastoreParser {
    /// Bytes of the command name kept; longer names are cut (none exists).
    @usableFromInline static var redisNameCap: Int { 32 }

    @inlinable func redisMessageStart(_ d: inout Direction) {
        d.count = 1
        d.kind = 1
        d.element = 0
        d.mark = 0
        d.have = 0
        d.number = 0
        d.skip = 0
    }

    @inlinable mutating func redisStep<S: DatastoreSink & ~Copyable>(_ d: inout Direction, _ chunk: UnsafeRawBufferPointer,
                                                                     _ pos: inout Int, toServer: Bool, sink: inout S) {
        let n = chunk.count
        while pos < n {
            if d.phase == .bulk {
                if d.skip > 2 {
                    let k = min(d.skip - 2, n - pos)
                    if toServer && d.element < 2 {
                        d.gather(Bytes.slice(chunk, pos, pos + k), upTo: d.element == 0 ? Self.redisNameCap : Int(d.mark) + 48)
                    }
                    d.skip -= k
                    pos += k
                    continue
                }
                let k = min(d.skip, n - pos)
                d.skip -= k
                pos += k
                guard d.skip == 0 else { continue }
                if toServer {
                    if d.element == 0 { d.mark = d.have }
                    if d.element < 255 { d.element += 1 }
                }
                d.phase = .line
                d.kind = 0
                if redisValueDone(&d, toServer: toServer, sink: &sink) { return }
                continue
            }
            let c = chunk[pos]
            pos += 1
            if d.kind <= 1 {
                // A value's type byte.
                let top = d.kind == 1
                d.number = 0
                d.skip = 0
                switch c {
                case 0x2a, 0x24, 0x25, 0x7e, 0x3e, 0x7c, 0x21, 0x3d, 0x3a, 0x2b, 0x2d, 0x5f, 0x23, 0x2c, 0x28:
                    if top && toServer && c != 0x2a { d.kind = 2; d.gather(c, upTo: Direction.capacity) }
                    else { d.kind = c }
                    if top && !toServer && c == 0x2d { d.element = 1 }
                default:
                    guard top && toServer else { lose(&d, .badFraming); return }
                    d.kind = 2       // inline command
                    d.gather(c, upTo: Direction.capacity)
                }
                continue
            }
            if c != 0x0a {
                switch d.kind {
                case 2:
                    if c != 0x0d { d.gather(c, upTo: Direction.capacity) }
                case 0x2d, 0x2b:
                    if !toServer && c != 0x0d { d.gather(c, upTo: 64) }
                case 0x2a, 0x24, 0x25, 0x7e, 0x3e, 0x7c, 0x21, 0x3d:
                    if Bytes.isDigit(c) {
                        if d.number < 1 << 40 { d.number = d.number * 10 + Int(c - 0x30) }
                    } else if c == 0x2d && d.number == 0 {
                        d.skip = 1   // negative: a null value
                    } else if c != 0x0d {
                        lose(&d, .badFraming)
                        return
                    }
                default:
                    break
                }
                continue
            }
            // End of line.
            switch d.kind {
            case 2:
                redisInline(&d, sink: &sink)
                d.phase = .start
                return
            case 0x24, 0x21, 0x3d:
                if d.skip == 1 {
                    if redisValueDone(&d, toServer: toServer, sink: &sink) { return }
                } else {
                    guard d.number <= 1 << 32 else { lose(&d, .lengthOverflow); return }
                    d.phase = .bulk
                    d.skip = d.number + 2
                }
            case 0x2a, 0x7e, 0x3e, 0x25, 0x7c:
                guard d.number <= 1 << 32, d.count < 1 << 48 else { lose(&d, .lengthOverflow); return }
                let owed = d.skip == 1 ? 0 : (d.kind == 0x25 || d.kind == 0x7c ? 2 * d.number : d.number)
                d.count += owed
                // An attribute annotates the value after it rather than being one.
                if d.kind != 0x7c, redisValueDone(&d, toServer: toServer, sink: &sink) { return }
            default:
                if redisValueDone(&d, toServer: toServer, sink: &sink) { return }
            }
            d.kind = 0
        }
    }

    /// One value ended; reports the message and returns true when it was the last one owed.
    @inlinable mutating func redisValueDone<S: DatastoreSink & ~Copyable>(_ d: inout Direction, toServer: Bool, sink: inout S) -> Bool {
        d.count -= 1
        guard d.count <= 0 else { return false }
        d.phase = .start
        if toServer {
            if d.element > 0 { redisReport(&d, nameEnd: Int(d.mark), sink: &sink) }
        } else {
            let error = d.element == 1
            d.withGathered { reply(error: error, error ? $0 : Bytes.slice($0, 0, 0), sink: &sink) }
        }
        return true
    }

    /// An inline command line: first word is the command, second its key.
    @inlinable func redisInline<S: DatastoreSink & ~Copyable>(_ d: inout Direction, sink: inout S) {
        let n = Int(d.have)
        var line = d.buf
        withUnsafeMutableBytes(of: &line) { b in
            var i = 0
            while i < n && b[i] != 0x20 { i += 1 }
            let nameEnd = min(i, Self.redisNameCap)
            while i < n && b[i] == 0x20 { i += 1 }
            var j = i
            while j < n && b[j] != 0x20 { j += 1 }
            for k in 0..<nameEnd { b[k] = Bytes.upper(b[k]) }
            guard nameEnd > 0 else { return }
            sink.datastoreCommand(app, command: UnsafeRawBufferPointer(rebasing: b[0..<nameEnd]),
                                  detail: UnsafeRawBufferPointer(rebasing: b[i..<j]))
        }
    }

    @inlinable func redisReport<S: DatastoreSink & ~Copyable>(_ d: inout Direction, nameEnd: Int, sink: inout S) {
        let n = Int(d.have)
        var held = d.buf
        withUnsafeMutableBytes(of: &held) { b in
            for k in 0..<nameEnd { b[k] = Bytes.upper(b[k]) }
            sink.datastoreCommand(app, command: UnsafeRawBufferPointer(rebasing: b[0..<nameEnd]),
                                  detail: UnsafeRawBufferPointer(rebasing: b[nameEnd..<n]))
        }
    }
}
