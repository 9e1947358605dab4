import Codecs
import L7Core
import Output

/// Writes Suricata 7's EVE `dns` object in its "version 2" layout: one `query` event per
/// question of a request, one `answer` event per response, with `answers`, `grouped` and
/// `authorities`. The caller writes the event header and closes the event.
public enum DNSEve {
    /// Distinct record types listed under `grouped`; later types are left out so a hostile
    /// response with thousands of types cannot make grouping quadratic.
    public static let maxGroupedTypes = 32 // must match the InlineArray size in writeGrouped

    /// How many EVE events `message` yields: its question count for a request, one for a response.
    @inlinable public static func eventCount(_ message: DNSMessage) -> Int {
        message.header.qr ? 1 : Int(message.header.questionCount)
    }

    /// Writes `"dns":{...}` for event `index` of `message` (see `eventCount`). `txID` is the
    /// flow's transaction number that Suricata gives every message (logged on queries only).
    @inlinable public static func write(_ message: DNSMessage, index: Int = 0, txID: UInt64,
                                        into json: inout JSONBuffer) {
        if message.header.qr {
            writeAnswer(message, into: &json)
        } else {
            var qs = message.questions
            var i = 0
            while let q = qs.next() {
                if i == index { writeQuery(message, question: q, txID: txID, into: &json); return }
                i += 1
            }
        }
    }

    /// Writes the `query` object for one question of a request.
    @inlinable public static func writeQuery(_ message: DNSMessage, question: DNSQuestion, txID: UInt64,
                                             into json: inout JSONBuffer) {
        let h = message.header
        json.objectKey("dns")
        json.field("version", 2 as UInt64)
        json.field("type", "query")
        json.field("id", UInt64(h.id))
        json.key("rrname")
        writeName(message, at: question.nameOffset, into: &json)
        json.key("rrtype")
        writeType(question.type, into: &json)
        json.field("tx_id", txID)
        if h.z { json.field("z", true) }
        json.field("opcode", UInt64(h.opcode))
        json.endObject()
    }

    /// Writes the `answer` object for a response.
    @inlinable public static func writeAnswer(_ message: DNSMessage, into json: inout JSONBuffer) {
        let h = message.header
        json.objectKey("dns")
        json.field("version", 2 as UInt64)
        json.field("type", "answer")
        json.field("id", UInt64(h.id))
        json.key("flags")
        json.byte(UInt8(ascii: "\""))
        var shift: UInt16 = 16
        while shift > 0 {
            shift -= 4
            json.byte(hexDigit(UInt8(truncatingIfNeeded: (h.flags >> shift) & 0xf)))
        }
        json.byte(UInt8(ascii: "\""))
        if h.qr { json.field("qr", true) }
        if h.aa { json.field("aa", true) }
        if h.tc { json.field("tc", true) }
        if h.rd { json.field("rd", true) }
        if h.ra { json.field("ra", true) }
        if h.z { json.field("z", true) }
        json.field("opcode", UInt64(h.opcode))
        if let q = message.firstQuestion {
            json.key("rrname")
            writeName(message, at: q.nameOffset, into: &json)
            json.key("rrtype")
            writeType(q.type, into: &json)
        }
        json.key("rcode")
        if let name = DNSType.rcodeName(h.rcode) {
            json.byte(UInt8(ascii: "\"")); json.raw(name); json.byte(UInt8(ascii: "\""))
        } else {
            writeQuotedNumber(UInt64(h.rcode), into: &json)
        }
        if h.answerCount > 0 {
            json.key("answers")
            writeRecords(message, message.answers, into: &json)
            writeGrouped(message, into: &json)
        }
        if h.authorityCount > 0 {
            json.key("authorities")
            writeRecords(message, message.authorities, into: &json)
        }
        json.endObject()
    }

    // MARK: - Pieces

    /// Opens one answer entry with the fields every record has: `rrname`, `rrtype`, `ttl`.
    @inlinable static func writeRecordHead(_ message: DNSMessage, _ r: DNSRecord, into json: inout JSONBuffer) {
        json.beginObject()
        json.key("rrname")
        writeName(message, at: r.nameOffset, into: &json)
        json.key("rrtype")
        writeType(r.type, into: &json)
        json.field("ttl", UInt64(r.ttl))
    }

    @inlinable static func writeRecords(_ message: DNSMessage, _ records: DNSRecordCursor, into json: inout JSONBuffer) {
        var cursor = records
        json.byte(UInt8(ascii: "["))
        var first = true
        while let r = cursor.next() {
            if r.type == DNSType.txt {
                // Suricata 7 logs one answer entry per character-string of a TXT record.
                var s = TXTStrings(message.bytes, r)
                while let text = s.next() {
                    if !first { json.byte(UInt8(ascii: ",")) }
                    first = false
                    writeRecordHead(message, r, into: &json)
                    json.key("rdata")
                    writeText(text, into: &json)
                    json.endObject()
                }
                continue
            }
            if !first { json.byte(UInt8(ascii: ",")) }
            first = false
            writeRecordHead(message, r, into: &json)
            switch r.type {
            case DNSType.soa: json.key("soa"); writeSOA(message, r, into: &json)
            case DNSType.srv: json.key("srv"); writeSRV(message, r, into: &json)
            default: json.key("rdata"); writeRData(message, r, into: &json)
            }
            json.endObject()
        }
        json.byte(UInt8(ascii: "]"))
    }

    /// `grouped`: rdata values by record type, types in order of first appearance.
    @inlinable static func writeGrouped(_ message: DNSMessage, into json: inout JSONBuffer) {
        json.objectKey("grouped")
        var outer = message.answers
        var seenTypes = InlineArray<32, UInt16>(repeating: 0)
        var groups = 0
        var firstGroup = true
        while let r = outer.next() {
            // Skip types already grouped; the seen list is bounded, so this stays linear.
            var seen = false
            for i in 0..<groups where seenTypes[i] == r.type { seen = true; break }
            if seen { continue }
            guard groups < maxGroupedTypes else { break }
            seenTypes[groups] = r.type
            groups += 1
            if !firstGroup { json.byte(UInt8(ascii: ",")) }
            firstGroup = false
            writeType(r.type, into: &json)
            json.byte(UInt8(ascii: ":"))
            json.byte(UInt8(ascii: "["))
            var inner = outer
            var firstItem = true
            var item: DNSRecord? = r
            while let it = item {
                if it.type == r.type && it.type == DNSType.txt {
                    var strings = TXTStrings(message.bytes, it)
                    while let text = strings.next() {
                        if !firstItem { json.byte(UInt8(ascii: ",")) }
                        firstItem = false
                        writeText(text, into: &json)
                    }
                } else if it.type == r.type {
                    if !firstItem { json.byte(UInt8(ascii: ",")) }
                    firstItem = false
                    switch it.type {
                    case DNSType.soa: writeSOA(message, it, into: &json)
                    case DNSType.srv: writeSRV(message, it, into: &json)
                    default: writeRData(message, it, into: &json)
                    }
                }
                item = inner.next()
            }
            json.byte(UInt8(ascii: "]"))
        }
        json.endObject()
    }

    /// The rdata text: address, name, first TXT string, or the raw bytes for other types.
    @inlinable static func writeRData(_ message: DNSMessage, _ r: DNSRecord, into json: inout JSONBuffer) {
        let b = message.bytes
        switch r.type {
        case DNSType.a where r.rdataLength == 4:
            writeAddress(IPAddress(v4At: b.baseAddress!, r.rdataOffset), into: &json)
        case DNSType.aaaa where r.rdataLength == 16:
            // Suricata prints all eight groups with leading zeros ("2607:f8b0:...:0000:2004").
            json.byte(UInt8(ascii: "\""))
            for i in 0..<16 {
                if i > 0 && i % 2 == 0 { json.byte(UInt8(ascii: ":")) }
                let v = b[r.rdataOffset + i]
                json.byte(hexDigit(v >> 4)); json.byte(hexDigit(v & 0xf))
            }
            json.byte(UInt8(ascii: "\""))
        case DNSType.cname, DNSType.ns, DNSType.ptr:
            writeName(message, at: r.rdataOffset, into: &json)
        case DNSType.mx:
            writeName(message, at: r.rdataOffset + 2, into: &json)
        case DNSType.txt:
            // Callers split TXT into its strings; this is the first one, for completeness.
            var strings = TXTStrings(b, r)
            writeText(strings.next() ?? UnsafeRawBufferPointer(start: nil, count: 0), into: &json)
        default:
            writeText(UnsafeRawBufferPointer(rebasing: b[r.rdataOffset..<(r.rdataOffset + r.rdataLength)]), into: &json)
        }
    }

    @inlinable static func writeSOA(_ message: DNSMessage, _ r: DNSRecord, into json: inout JSONBuffer) {
        var name = FixedBytes<256>()
        let b = message.bytes
        json.beginObject()
        // Validated by DNSMessage: both names and the five numbers lie inside the rdata.
        let m = (try? DNSName.decode(b, at: r.rdataOffset, into: &name)) ?? r.rdataOffset
        json.key("mname"); name.withBytes { writeText($0, into: &json) }
        let p = (try? DNSName.decode(b, at: m, into: &name)) ?? m
        json.key("rname"); name.withBytes { writeText($0, into: &json) }
        func u32(_ o: Int) -> UInt64 {
            guard o + 4 <= b.count else { return 0 }
            return UInt64(b[o]) << 24 | UInt64(b[o + 1]) << 16 | UInt64(b[o + 2]) << 8 | UInt64(b[o + 3])
        }
        json.field("serial", u32(p))
        json.field("refresh", u32(p + 4))
        json.field("retry", u32(p + 8))
        json.field("expire", u32(p + 12))
        json.field("minimum", u32(p + 16))
        json.endObject()
    }

    @inlinable static func writeSRV(_ message: DNSMessage, _ r: DNSRecord, into json: inout JSONBuffer) {
        let b = message.bytes
        let o = r.rdataOffset
        json.beginObject()
        json.field("priority", UInt64(b[o]) << 8 | UInt64(b[o + 1]))
        json.field("weight", UInt64(b[o + 2]) << 8 | UInt64(b[o + 3]))
        json.field("port", UInt64(b[o + 4]) << 8 | UInt64(b[o + 5]))
        json.key("name")
        writeName(message, at: o + 6, into: &json)
        json.endObject()
    }

    @inlinable static func writeName(_ message: DNSMessage, at offset: Int, into json: inout JSONBuffer) {
        var name = FixedBytes<256>()
        _ = try? DNSName.decode(message.bytes, at: offset, into: &name)
        name.withBytes { writeText($0, into: &json) }
    }

    @inlinable static func writeType(_ type: UInt16, into json: inout JSONBuffer) {
        if let name = DNSType.name(type) {
            json.byte(UInt8(ascii: "\"")); json.raw(name); json.byte(UInt8(ascii: "\""))
        } else {
            writeQuotedNumber(UInt64(type), into: &json)
        }
    }

    @inlinable static func writeQuotedNumber(_ v: UInt64, into json: inout JSONBuffer) {
        json.byte(UInt8(ascii: "\""))
        json.number(v)
        json.byte(UInt8(ascii: "\""))
    }

    @inlinable static func writeAddress(_ ip: IPAddress, into json: inout JSONBuffer) {
        var tmp = InlineArray<48, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &tmp) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let n = ip.format(into: p)
            json.byte(UInt8(ascii: "\""))
            for i in 0..<n { json.byte(p[i]) }
            json.byte(UInt8(ascii: "\""))
        }
    }

    @inlinable static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }

    /// A JSON string the way Suricata renders DNS bytes: bytes of 0x80 and up become the
    /// four characters `\xNN`, the rest are JSON-escaped as usual.
    @inlinable static func writeText(_ bytes: UnsafeRawBufferPointer, into json: inout JSONBuffer) {
        json.byte(UInt8(ascii: "\""))
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): json.byte(UInt8(ascii: "\\")); json.byte(b)
            case 0x0a: json.raw("\\n")
            case 0x0d: json.raw("\\r")
            case 0x09: json.raw("\\t")
            case 0x20..<0x7f: json.byte(b)
            case 0x80...:
                json.raw("\\\\x"); json.byte(hexDigit(b >> 4)); json.byte(hexDigit(b & 0xf))
            default:
                json.raw("\\u00"); json.byte(hexDigit(b >> 4)); json.byte(hexDigit(b & 0xf))
            }
        }
        json.byte(UInt8(ascii: "\""))
    }
}

/// The character-strings of a TXT record's data (each a length byte then text); a string
/// running past the data is cut at its end rather than read beyond it.
@usableFromInline struct TXTStrings {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var pos: Int
    @usableFromInline let end: Int

    @inlinable init(_ bytes: UnsafeRawBufferPointer, _ r: DNSRecord) {
        self.bytes = bytes
        pos = r.rdataOffset
        end = min(r.rdataOffset + r.rdataLength, bytes.count)
    }

    @inlinable mutating func next() -> UnsafeRawBufferPointer? {
        guard pos < end else { return nil }
        let start = pos + 1
        let stop = min(start + Int(bytes[pos]), end)
        pos = stop
        return UnsafeRawBufferPointer(rebasing: bytes[start..<stop])
    }
}
