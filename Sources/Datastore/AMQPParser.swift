import L7Core

// AMQP 0-9-1 (https://www.rabbitmq.com/resources/specs/amqp0-9-1.pdf): the client opens with the
// 8-byte protocol header, then both sides exchange frames: type, int16 channel, int32 size,
// payload, frame-end 0xCE. A method frame's payload starts with int16 class and int16 method.

extension DatastoreProbes {
    /// AMQP: the protocol header `AMQP` + a small protocol id and version (0-9-1, 0-10, 1.0 and
    /// its SASL/TLS layers), or from the server the first frame, connection.start for 0-9.
    @inlinable public static func amqp(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        if b.count > 0 && b[0] == 0x41 {
            guard Bytes.agrees(b, "AMQP") else { return .noMatch }
            guard b.count >= 8 else { return .needMore }
            return b[4] <= 3 && b[5] <= 1 && b[6] <= 10 && b[7] <= 10 ? .match(.amqp) : .noMatch
        }
        guard !toServer else { return b.count == 0 ? .needMore : .noMatch }
        // connection.start on channel 0, version 0-9
        for i in 0..<min(b.count, 3) where b[i] != (i == 0 ? 1 : 0) { return .noMatch }
        guard b.count >= 13 else { return .needMore }
        let size = Bytes.be32(b, 3)
        guard size >= 8, size < 1 << 20 else { return .noMatch }
        return Bytes.be32(b, 7) == 0x000a_000a && b[11] == 0 && b[12] == 9 ? .match(.amqp) : .noMatch
    }
}

extension DatastoreParser {
    @inlinable func amqpMeasure(_ b: UnsafeRawBufferPointer) -> Measure {
        guard b.count >= 1 else { return .need(1) }
        if b[0] == 0x41 { return .frame(8) }   // protocol header
        guard b[0] == 1 || b[0] == 2 || b[0] == 3 || b[0] == 8 else { return .bad }
        guard b.count >= 7 else { return .need(7) }
        let size = Bytes.be32(b, 3)
        return size < 1 << 30 ? .frame(7 + size + 1) : .bad
    }

    @inlinable func amqpEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        guard b[0] == 1, b.count >= 11 else { return }
        let id = Bytes.be32(b, 7)
        let payloadEnd = total - 1
        if !toServer {
            // connection.close / channel.close carry a reply code; 200 is a normal close.
            if (id == 0x000a_0032 || id == 0x0014_0028) && b.count >= 14 {
                let code = Bytes.be16(b, 11)
                if code != 200 { reply(error: true, Self.shortString(b, at: 13, end: payloadEnd), sink: &sink) }
            }
            return
        }
        var detail = Bytes.slice(b, 0, 0)
        switch id {
        case 0x003c_0028: // basic.publish: reserved, exchange, routing key; the key when the exchange is the default
            detail = Self.shortString(b, at: 13, end: payloadEnd)
            if detail.count == 0 && b.count > 13 { detail = Self.shortString(b, at: 14, end: payloadEnd) }
        case 0x0032_000a, 0x0032_0014, 0x0032_001e, 0x0032_0028, 0x0032_0032, 0x003c_0014, 0x003c_0046,
             0x0028_000a, 0x0028_0014:
            detail = Self.shortString(b, at: 13, end: payloadEnd)   // reserved short, then queue/exchange
        default: break
        }
        command(Self.amqpMethodName(id), detail, sink: &sink)
    }

    /// The AMQP short string (length byte, bytes) at `at`, cut to what is at hand.
    @inlinable static func shortString(_ b: UnsafeRawBufferPointer, at: Int, end: Int) -> UnsafeRawBufferPointer {
        guard at < b.count else { return Bytes.slice(b, 0, 0) }
        return Bytes.slice(b, at + 1, min(at + 1 + Int(b[at]), end))
    }

    @inlinable static func amqpMethodName(_ id: Int) -> StaticString {
        switch id {
        case 0x000a_000a: return "connection.start"
        case 0x000a_000b: return "connection.start-ok"
        case 0x000a_0014: return "connection.secure"
        case 0x000a_0015: return "connection.secure-ok"
        case 0x000a_001e: return "connection.tune"
        case 0x000a_001f: return "connection.tune-ok"
        case 0x000a_0028: return "connection.open"
        case 0x000a_0029: return "connection.open-ok"
        case 0x000a_0032: return "connection.close"
        case 0x000a_0033: return "connection.close-ok"
        case 0x000a_003c: return "connection.blocked"
        case 0x000a_003d: return "connection.unblocked"
        case 0x0014_000a: return "channel.open"
        case 0x0014_000b: return "channel.open-ok"
        case 0x0014_0014: return "channel.flow"
        case 0x0014_0015: return "channel.flow-ok"
        case 0x0014_0028: return "channel.close"
        case 0x0014_0029: return "channel.close-ok"
        case 0x0028_000a: return "exchange.declare"
        case 0x0028_000b: return "exchange.declare-ok"
        case 0x0028_0014: return "exchange.delete"
        case 0x0028_0015: return "exchange.delete-ok"
        case 0x0028_001e: return "exchange.bind"
        case 0x0028_001f: return "exchange.bind-ok"
        case 0x0028_0028: return "exchange.unbind"
        case 0x0028_0033: return "exchange.unbind-ok"
        case 0x0032_000a: return "queue.declare"
        case 0x0032_000b: return "queue.declare-ok"
        case 0x0032_0014: return "queue.bind"
        case 0x0032_0015: return "queue.bind-ok"
        case 0x0032_001e: return "queue.purge"
        case 0x0032_001f: return "queue.purge-ok"
        case 0x0032_0028: return "queue.delete"
        case 0x0032_0029: return "queue.delete-ok"
        case 0x0032_0032: return "queue.unbind"
        case 0x0032_0033: return "queue.unbind-ok"
        case 0x003c_000a: return "basic.qos"
        case 0x003c_000b: return "basic.qos-ok"
        case 0x003c_0014: return "basic.consume"
        case 0x003c_0015: return "basic.consume-ok"
        case 0x003c_001e: return "basic.cancel"
        case 0x003c_001f: return "basic.cancel-ok"
        case 0x003c_0028: return "basic.publish"
        case 0x003c_0032: return "basic.return"
        case 0x003c_003c: return "basic.deliver"
        case 0x003c_0046: return "basic.get"
        case 0x003c_0047: return "basic.get-ok"
        case 0x003c_0048: return "basic.get-empty"
        case 0x003c_0050: return "basic.ack"
        case 0x003c_005a: return "basic.reject"
        case 0x003c_0064: return "basic.recover-async"
        case 0x003c_006e: return "basic.recover"
        case 0x003c_006f: return "basic.recover-ok"
        case 0x003c_0078: return "basic.nack"
        case 0x0055_000a: return "confirm.select"
        case 0x0055_000b: return "confirm.select-ok"
        case 0x005a_000a: return "tx.select"
        case 0x005a_000b: return "tx.select-ok"
        case 0x005a_0014: return "tx.commit"
        case 0x005a_0015: return "tx.commit-ok"
        case 0x005a_001e: return "tx.rollback"
        case 0x005a_001f: return "tx.rollback-ok"
        default: return "unknown"
        }
    }
}
