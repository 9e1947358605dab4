import L7Core

// MQTT 3.1, 3.1.1 and 5 (https://docs.oasis-open.org/mqtt/mqtt/v5.0/mqtt-v5.0.html): a fixed
// header byte (type in the high nibble), a 1-4 byte variable-length remaining length, then the
// packet. Version 5 inserts property lists, so the level from CONNECT is remembered.

extension DatastoreProbes {
    /// MQTT: a CONNECT (0x10) whose variable header names the protocol, "MQTT" at level 3–5 or
    /// "MQIsdp" at level 3, with the reserved connect flag clear.
    @inlinable public static func mqtt(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard toServer else { return .noMatch }
        guard b.count >= 1 else { return .needMore }
        // A PINGREQ alone may be the start of a flow whose CONNECT was missed: the stage
        // decides once the other side answers with a PINGRESP (`mqttPingPair`).
        if b[0] == 0xC0 { return b.count == 1 || (b.count == 2 && b[1] == 0) ? .needMore : .noMatch }
        if b[0] >> 4 == 3 { return mqttMidstreamPublish(b) }
        guard b[0] == 0x10 else { return .noMatch }
        guard case .some(let (remaining, at)) = DatastoreParser.mqttVarint(b, from: 1) else {
            return b.count < 5 ? .needMore : .noMatch
        }
        guard remaining >= 12, remaining < 1 << 16 else { return .noMatch }
        guard b.count >= at + 2 else { return .needMore }
        let nameLength = Bytes.be16(b, at)
        let name = at + 2
        guard nameLength == 4 || nameLength == 6 else { return .noMatch }
        guard b.count >= name + nameLength + 2 else {
            let have = Bytes.slice(b, name, b.count)
            return Bytes.agrees(have, nameLength == 4 ? "MQTT" : "MQIsdp") ? .needMore : .noMatch
        }
        let level = b[name + nameLength], flags = b[name + nameLength + 1]
        let ok = nameLength == 4 ? Bytes.startsWith(b, "MQTT", at: name) && level >= 3 && level <= 5
                                 : Bytes.startsWith(b, "MQIsdp", at: name) && level == 3
        return ok && flags & 1 == 0 ? .match(.mqtt) : .noMatch
    }
}

extension DatastoreProbes {
    /// MQTT picked up after its CONNECT: a PUBLISH (QoS 0–2) whose remaining length holds its
    /// topic, the topic a printable name without wildcards (a PUBLISH topic never has them).
    /// Text protocols cannot pass: their third and fourth bytes, read as the topic length,
    /// are at least 0x2020, more than a one-byte remaining length allows, and a longer
    /// remaining length needs bytes with the high bit set.
    @inlinable public static func mqttMidstreamPublish(_ b: UnsafeRawBufferPointer) -> DatastoreVerdict {
        guard b[0] & 0x06 != 0x06 else { return .noMatch }   // QoS 3 is reserved
        guard case .some(let (remaining, at)) = DatastoreParser.mqttVarint(b, from: 1) else {
            return b.count < 5 ? .needMore : .noMatch
        }
        guard b.count >= at + 2 else { return .needMore }
        let topicLength = Bytes.be16(b, at)
        guard topicLength >= 1, topicLength <= remaining - 2 else { return .noMatch }
        let topic = at + 2
        // Enough of the topic to judge: all of it, or what the detector's 64-byte prefix holds.
        let judged = min(topicLength, max(0, 64 - topic))
        var k = 0
        while k < judged && topic + k < b.count {
            let c = b[topic + k]
            if c < 0x21 || c > 0x7E || c == UInt8(ascii: "+") || c == UInt8(ascii: "#") { return .noMatch }
            k += 1
        }
        guard k >= min(judged, 4), k == judged || k >= 16 else { return .needMore }
        return .match(.mqtt)
    }

    /// A flow whose first bytes are a bare PINGREQ one way and a bare PINGRESP the other: MQTT
    /// whose CONNECT was missed (keep-alive traffic of a long-lived session).
    @inlinable public static func mqttPingPair(toServer: UnsafeRawBufferPointer, toClient: UnsafeRawBufferPointer) -> Bool {
        toServer.count == 2 && toServer[0] == 0xC0 && toServer[1] == 0
            && toClient.count == 2 && toClient[0] == 0xD0 && toClient[1] == 0
    }
}

extension DatastoreParser {
    /// The variable byte integer at `from` and the index after it; nil while incomplete or when
    /// longer than the four bytes the spec allows.
    @inlinable static func mqttVarint(_ b: UnsafeRawBufferPointer, from: Int) -> (Int, Int)? {
        var value = 0, shift = 0, i = from
        while i < b.count && i - from < 4 {
            value |= Int(b[i] & 0x7f) << shift
            if b[i] & 0x80 == 0 { return (value, i + 1) }
            shift += 7
            i += 1
        }
        return nil
    }

    @inlinable func mqttMeasure(_ b: UnsafeRawBufferPointer) -> Measure {
        guard b.count >= 2 else { return .need(2) }
        guard b[0] >> 4 != 0 else { return .bad }
        guard let (remaining, at) = Self.mqttVarint(b, from: 1) else { return b.count < 5 ? .need(b.count + 1) : .bad }
        let total = at + remaining
        if b[0] >> 4 == 1, let m = Self.mqttConnectProperties(b, from: at, total: total) { return m }
        return .frame(total)
    }

    /// A version 5 CONNECT puts its properties (up to 256 MiB) before the client id: once their
    /// length is held they are elided, so the id lands in the buffer however long they are.
    /// Nil when there is nothing to elide (another version, no properties, a header too long
    /// for the buffer, or lengths that overrun the packet: those are reported as they stand).
    @inlinable static func mqttConnectProperties(_ b: UnsafeRawBufferPointer, from at: Int, total: Int) -> Measure? {
        func need(_ k: Int) -> Measure? { k > b.count && k <= total && k <= Direction.capacity ? .need(k) : nil }
        guard b.count >= at + 2 else { return need(at + 2) }
        let levelAt = at + 2 + Bytes.be16(b, at)
        let propertiesAt = levelAt + 4   // level, flags, keep alive
        guard propertiesAt < total, propertiesAt + 4 <= Direction.capacity else { return nil }
        guard b.count > levelAt else { return need(levelAt + 1) }
        guard b[levelAt] == 5 else { return nil }
        guard let (n, after) = mqttVarint(b, from: propertiesAt) else {
            return b.count < propertiesAt + 4 ? need(max(b.count + 1, propertiesAt + 1)) : nil
        }
        guard n > 0, n <= total - after else { return nil }
        return .elide(at: after, count: n)
    }

    /// Rewrites the held CONNECT of `d` for its `count` bytes of properties being dropped: the
    /// property length becomes zero and the remaining length shrinks by `count`, each kept at
    /// its width (an over-long varint is still a valid one), so every offset after them holds.
    @inlinable static func mqttElided(_ d: inout Direction, count: Int) {
        let held: (Int, Int, Int)? = d.withGathered { b in
            guard let (remaining, at) = mqttVarint(b, from: 1), b.count >= at + 2 else { return nil }
            return (remaining, at, at + 2 + Bytes.be16(b, at))
        }
        guard let (remaining, at, levelAt) = held else { return }
        writeVarint(&d, from: 1, to: at, value: remaining - count)
        let propertiesAt = levelAt + 4
        if let (_, after) = d.withGathered({ mqttVarint($0, from: propertiesAt) }) {
            writeVarint(&d, from: propertiesAt, to: after, value: 0)
        }
    }

    /// Writes `value` as a variable byte integer filling exactly bytes `from..<to` of `d`'s buffer.
    @inlinable static func writeVarint(_ d: inout Direction, from: Int, to: Int, value: Int) {
        var v = max(0, value), i = from
        while i < to {
            d.buf[i] = UInt8(v & 0x7f) | (i + 1 < to ? 0x80 : 0)
            v >>= 7
            i += 1
        }
    }

    @inlinable mutating func mqttEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        guard let (_, h) = Self.mqttVarint(b, from: 1) else { return }
        let type = b[0] >> 4
        if !toServer {
            // CONNACK: 3.1.1 return code (non-zero refuses) or 5 reason code (>= 0x80 fails).
            if type == 2 && b.count >= h + 2 {
                let code = b[h + 1]
                if flags.contains(.mqtt5) ? code >= 0x80 : code != 0 { reply(error: true, sink: &sink) }
            }
            return
        }
        let end = total
        switch type {
        case 1:
            var detail = Bytes.slice(b, 0, 0)
            if b.count >= h + 2 {
                let levelAt = h + 2 + Bytes.be16(b, h)
                if levelAt < b.count {
                    if b[levelAt] == 5 { flags.insert(.mqtt5) }
                    // flags, keep alive, [properties], then the client id
                    var at = levelAt + 4
                    if b[levelAt] == 5, let (n, after) = Self.mqttVarint(b, from: at) { at = after + n }
                    detail = Self.mqttString(b, at: at, end: end)
                }
            }
            command("CONNECT", detail, sink: &sink)
        case 3: command("PUBLISH", Self.mqttString(b, at: h, end: end), sink: &sink)
        case 8, 10:
            var at = h + 2   // packet identifier
            if flags.contains(.mqtt5) {
                if let (n, after) = Self.mqttVarint(b, from: at) { at = after + n } else { at = b.count }
            }
            command(type == 8 ? "SUBSCRIBE" : "UNSUBSCRIBE", Self.mqttString(b, at: at, end: end), sink: &sink)
        case 4: command("PUBACK", sink: &sink)
        case 5: command("PUBREC", sink: &sink)
        case 6: command("PUBREL", sink: &sink)
        case 7: command("PUBCOMP", sink: &sink)
        case 12: command("PINGREQ", sink: &sink)
        case 14: command("DISCONNECT", sink: &sink)
        case 15: command("AUTH", sink: &sink)
        default: command("UNKNOWN", sink: &sink)
        }
    }

    /// The MQTT UTF-8 string (int16 length, bytes) at `at`, cut to what is at hand.
    @inlinable static func mqttString(_ b: UnsafeRawBufferPointer, at: Int, end: Int) -> UnsafeRawBufferPointer {
        guard at + 2 <= b.count else { return Bytes.slice(b, 0, 0) }
        return Bytes.slice(b, at + 2, min(at + 2 + Bytes.be16(b, at), end))
    }
}
