import L7Core

// MySQL client/server protocol: every packet is a 3-byte little-endian payload length and a
// sequence number. The server speaks first (protocol 10 handshake); the client's login answers it
// with sequence 1; each command then starts a new exchange with sequence 0, its first payload
// byte naming it (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html).

extension DatastoreProbes {
    /// MySQL: the server greeting (protocol 10, printable version, NUL-terminated, filler byte 0
    /// after the first 8 bytes of salt), or midstream a client COM_QUERY whose text starts with
    /// a statement verb.
    @inlinable public static func mysql(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard b.count >= 5 else {
            if b.count >= 4 && b[3] != 0 { return .noMatch }
            if b.count >= 3 && b[2] != 0 { return .noMatch }   // no greeting or query this long
            return .needMore
        }
        let length = Bytes.le24(b, 0)
        guard b[3] == 0 else { return .noMatch }
        if toServer {
            guard b[4] == 0x03, length >= 2 else { return .noMatch }
            let text = Bytes.slice(b, 5, 4 + length)
            switch SQLText.probeVerb(text, complete: b.count >= 4 + length) {
            case .yes: return .match(.mysql)
            case .no: return .noMatch
            case .more: return .needMore
            }
        }
        guard b[4] == 10, length >= 30, length <= 1024 else { return .noMatch }
        guard b.count >= 6 else { return .needMore }
        guard Bytes.isDigit(b[5]) else { return .noMatch }
        guard let end = Bytes.nul(b, from: 5, to: 5 + 64) else {
            return Bytes.allPrintable(b, from: 5, to: b.count) && b.count < 5 + 64 ? .needMore : .noMatch
        }
        guard Bytes.allPrintable(b, from: 5, to: end) else { return .noMatch }
        // connection id (4), salt part 1 (8), filler 0
        let filler = end + 1 + 4 + 8
        guard filler < 4 + length else { return .noMatch }
        guard filler < b.count else { return .needMore }
        return b[filler] == 0 ? .match(.mysql) : .noMatch
    }
}

extension DatastoreParser {
    @inlinable func mysqlMeasure(_ b: UnsafeRawBufferPointer) -> Measure {
        guard b.count >= 4 else { return .need(4) }
        return .frame(4 + Bytes.le24(b, 0))
    }

    @inlinable mutating func mysqlEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        guard b.count >= 5 else { return }
        let seq = b[3]
        let payload = Bytes.slice(b, 4, total)
        if !toServer {
            // ERR packets start with 0xFF, which no result row or OK packet can start with.
            if payload[0] == 0xff { reply(error: true, Bytes.slice(payload, 3, payload.count), sink: &sink) }
            return
        }
        if seq == 1 && !flags.contains(.clientStarted) && total - 4 >= 32 {
            flags.insert(.clientStarted)
            // A 32-byte HandshakeResponse with CLIENT_SSL is an SSLRequest: TLS follows.
            if total - 4 == 32 && payload.count >= 2 && payload[1] & 0x08 != 0 {
                flags.insert(.encrypted)
                command("SSLRequest", sink: &sink)
                return
            }
            let user = Bytes.slice(payload, 32, Bytes.nul(payload, from: 32, to: payload.count) ?? payload.count)
            command("LOGIN", user, sink: &sink)
            return
        }
        guard seq == 0 else { return }
        let text = Bytes.slice(payload, 1, payload.count)
        switch payload[0] {
        case 0x03: SQLText.report(app, text, fallback: "COM_QUERY", sink: &sink)
        case 0x16: command("COM_STMT_PREPARE", Bytes.slice(text, 0, 64), sink: &sink)
        case 0x02: command("COM_INIT_DB", Bytes.slice(text, 0, 64), sink: &sink)
        default: command(Self.mysqlCommandName(payload[0]), sink: &sink)
        }
    }

    @inlinable static func mysqlCommandName(_ c: UInt8) -> StaticString {
        switch c {
        case 0x00: return "COM_SLEEP"
        case 0x01: return "COM_QUIT"
        case 0x04: return "COM_FIELD_LIST"
        case 0x05: return "COM_CREATE_DB"
        case 0x06: return "COM_DROP_DB"
        case 0x07: return "COM_REFRESH"
        case 0x08: return "COM_SHUTDOWN"
        case 0x09: return "COM_STATISTICS"
        case 0x0a: return "COM_PROCESS_INFO"
        case 0x0b: return "COM_CONNECT"
        case 0x0c: return "COM_PROCESS_KILL"
        case 0x0d: return "COM_DEBUG"
        case 0x0e: return "COM_PING"
        case 0x0f: return "COM_TIME"
        case 0x10: return "COM_DELAYED_INSERT"
        case 0x11: return "COM_CHANGE_USER"
        case 0x12: return "COM_BINLOG_DUMP"
        case 0x13: return "COM_TABLE_DUMP"
        case 0x14: return "COM_CONNECT_OUT"
        case 0x15: return "COM_REGISTER_SLAVE"
        case 0x17: return "COM_STMT_EXECUTE"
        case 0x18: return "COM_STMT_SEND_LONG_DATA"
        case 0x19: return "COM_STMT_CLOSE"
        case 0x1a: return "COM_STMT_RESET"
        case 0x1b: return "COM_SET_OPTION"
        case 0x1c: return "COM_STMT_FETCH"
        case 0x1d: return "COM_DAEMON"
        case 0x1e: return "COM_BINLOG_DUMP_GTID"
        case 0x1f: return "COM_RESET_CONNECTION"
        default: return "COM_UNKNOWN"
        }
    }
}
