import L7Core

// PostgreSQL frontend/backend protocol 3 (https://www.postgresql.org/docs/current/protocol-message-formats.html):
// every message is a type byte and an int32 length that counts itself, except the client's first
// (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest), which has no type byte. An untyped
// message always starts with a zero byte (its length is far below 2^24) and no type byte is zero,
// so the first byte tells them apart even when the capture starts midstream.

extension DatastoreProbes {
    /// PostgreSQL: StartupMessage 3.0 with a printable first parameter name, SSLRequest,
    /// GSSENCRequest, CancelRequest, a simple Query starting with a verb; from the server an
    /// Authentication request with a length that fits its code, or an ErrorResponse.
    @inlinable public static func pgsql(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard b.count > 0 else { return .needMore }
        if toServer {
            if b[0] == 0x51 { // 'Q'
                guard b.count >= 6 else { return .needMore }
                let length = Bytes.be32(b, 1)
                guard length >= 6, length < 1 << 30 else { return .noMatch }
                switch SQLText.probeVerb(Bytes.slice(b, 5, 1 + length), complete: b.count >= 1 + length) {
                case .yes: return .match(.pgsql)
                case .no: return .noMatch
                case .more: return .needMore
                }
            }
            guard b[0] == 0 else { return .noMatch }
            guard b.count >= 8 else { return .needMore }
            let length = Bytes.be32(b, 0)
            switch Bytes.be32(b, 4) {
            case 80877103, 80877104: return length == 8 ? .match(.pgsql) : .noMatch
            case 80877102: return length == 16 ? .match(.pgsql) : .noMatch
            case 196608, 196610:
                guard length > 9, length <= 10000 else { return .noMatch }
                // The first parameter name: lower-case letters or '_', NUL-terminated.
                var i = 8
                while i < b.count && i < 40 && (b[i] == 0x5f || (b[i] >= 0x61 && b[i] <= 0x7a)) { i += 1 }
                guard i < b.count else { return i < 40 ? .needMore : .noMatch }
                return i > 8 && b[i] == 0 ? .match(.pgsql) : .noMatch
            default:
                return .noMatch
            }
        }
        guard b[0] == 0x52 || b[0] == 0x45 else { return .noMatch }
        guard b.count >= 9 else { return .needMore }
        let length = Bytes.be32(b, 1)
        if b[0] == 0x45 { // ErrorResponse: 'S' severity field with an upper-case word
            guard length >= 8, length <= 10000, b[5] == 0x53 else { return .noMatch }
            var i = 6
            while i < b.count && b[i] >= 0x41 && b[i] <= 0x5a { i += 1 }
            guard i < b.count else { return i < 16 ? .needMore : .noMatch }
            return i > 7 && b[i] == 0 ? .match(.pgsql) : .noMatch
        }
        switch Bytes.be32(b, 5) {
        case 0, 2, 3, 6, 7, 9: return length == 8 ? .match(.pgsql) : .noMatch
        case 5: return length == 12 ? .match(.pgsql) : .noMatch
        case 10: // SASL: mechanism names follow
            guard length > 10, length < 512 else { return .noMatch }
            guard b.count >= 10 else { return .needMore }
            return b[9] >= 0x41 && b[9] <= 0x5a ? .match(.pgsql) : .noMatch
        default: return .noMatch
        }
    }
}

extension DatastoreParser {
    @inlinable func pgsqlMeasure(_ b: UnsafeRawBufferPointer, toServer: Bool) -> Measure {
        guard b.count >= 1 else { return .need(1) }
        if !toServer && flags.contains(.awaitingSSLAnswer) && (b[0] == 0x53 || b[0] == 0x4e || b[0] == 0x47) {
            return .frame(1)
        }
        if toServer && b[0] == 0 {
            guard b.count >= 4 else { return .need(4) }
            let length = Bytes.be32(b, 0)
            return length >= 8 && length <= 1 << 20 ? .frame(length) : .bad
        }
        guard b.count >= 5 else { return .need(5) }
        let length = Bytes.be32(b, 1)
        return length >= 4 && length <= 1 << 30 ? .frame(1 + length) : .bad
    }

    @inlinable mutating func pgsqlEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        if !toServer {
            if total == 1 {
                flags.remove(.awaitingSSLAnswer)
                if b[0] != 0x4e { flags.insert(.encrypted) }   // 'S' (TLS) or 'G' (GSSAPI) follows
                return
            }
            flags.remove(.awaitingSSLAnswer)
            if b[0] == 0x45 { reply(error: true, pgsqlErrorCode(Bytes.slice(b, 5, total)), sink: &sink) }
            return
        }
        if b[0] == 0 {
            guard b.count >= 8 else { return }
            switch Bytes.be32(b, 4) {
            case 80877103: flags.insert(.awaitingSSLAnswer); command("SSLRequest", sink: &sink)
            case 80877104: flags.insert(.awaitingSSLAnswer); command("GSSENCRequest", sink: &sink)
            case 80877102: command("CancelRequest", sink: &sink)
            default: command("StartupMessage", pgsqlStartupUser(Bytes.slice(b, 8, total)), sink: &sink)
            }
            return
        }
        let body = Bytes.slice(b, 5, total)
        switch b[0] {
        case 0x51: SQLText.report(app, body, fallback: "Query", sink: &sink)
        case 0x50:
            // Parse: statement name, then the query.
            if let end = Bytes.nul(body, from: 0, to: body.count) {
                SQLText.report(app, Bytes.slice(body, end + 1, body.count), fallback: "Parse", sink: &sink)
            } else {
                command("Parse", sink: &sink)
            }
        case 0x42: command("Bind", sink: &sink)
        case 0x45: command("Execute", sink: &sink)
        case 0x44: command("Describe", sink: &sink)
        case 0x53: command("Sync", sink: &sink)
        case 0x58: command("Terminate", sink: &sink)
        case 0x43: command("Close", sink: &sink)
        case 0x48: command("Flush", sink: &sink)
        case 0x46: command("FunctionCall", sink: &sink)
        case 0x63: command("CopyDone", sink: &sink)
        case 0x66: command("CopyFail", sink: &sink)
        case 0x70: command("PasswordMessage", sink: &sink)
        default: break   // CopyData ('d') is row traffic, not a command
        }
    }

    /// The `user` parameter of a StartupMessage, as far as it was gathered.
    @inlinable func pgsqlStartupUser(_ params: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var i = 0
        while i < params.count {
            let keyEnd = Bytes.nul(params, from: i, to: params.count) ?? params.count
            let valueEnd = Bytes.nul(params, from: keyEnd + 1, to: params.count) ?? params.count
            if Bytes.startsWith(Bytes.slice(params, i, keyEnd), "user") && keyEnd - i == 4 {
                return Bytes.slice(params, keyEnd + 1, valueEnd)
            }
            guard keyEnd > i else { break }
            i = valueEnd + 1
        }
        return Bytes.slice(params, 0, 0)
    }

    /// The SQLSTATE ('C' field) of an ErrorResponse: stable across server versions and locales,
    /// unlike the message text, so policy and tests can key on it.
    @inlinable func pgsqlErrorCode(_ fields: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var i = 0
        while i < fields.count && fields[i] != 0 {
            let end = Bytes.nul(fields, from: i + 1, to: fields.count) ?? fields.count
            if fields[i] == 0x43 { return Bytes.slice(fields, i + 1, end) }
            i = end + 1
        }
        return Bytes.slice(fields, 0, 0)
    }
}
