import L7Core

// MongoDB wire protocol (https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/):
// a 16-byte little-endian header (messageLength, requestID, responseTo, opCode) then the body.
// Modern drivers send OP_MSG, whose body document's first key is the command name.

extension DatastoreProbes {
    /// Largest message a server accepts (48 MB); longer lengths are not MongoDB.
    @usableFromInline static var mongoMaxMessage: Int { 48_000_000 }

    /// MongoDB: a header with a sane length and a known opcode, with the body's first bytes
    /// consistent with it (OP_MSG flag bits and section kind, a printable first key; OP_QUERY
    /// collection name with a dot; OP_REPLY answering a request).
    @inlinable public static func mongodb(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard b.count >= 16 else {
            if b.count >= 4 && (Bytes.le32(b, 0) < 16 || Bytes.le32(b, 0) > mongoMaxMessage) { return .noMatch }
            return .needMore
        }
        let length = Bytes.le32(b, 0)
        guard length >= 21, length <= mongoMaxMessage else { return .noMatch }
        let responseTo = Bytes.le32(b, 8)
        switch Bytes.le32(b, 12) {
        case 2013: // OP_MSG
            guard toServer == (responseTo == 0) else { return .noMatch }
            guard b.count >= 21 else { return .needMore }
            guard Bytes.le32(b, 16) & ~0x10003 == 0, b[20] <= 1 else { return .noMatch }
            guard b.count >= 27 else { return .needMore }
            if b[20] == 0 {
                let docLength = Bytes.le32(b, 21)
                guard docLength >= 5, docLength <= length - 21 else { return .noMatch }
                let type = b[25]
                guard (type >= 1 && type <= 0x13) || type == 0x7f || type == 0xff else { return .noMatch }
            } else {
                guard Bytes.le32(b, 21) <= length - 21 else { return .noMatch }
            }
            return Bytes.isLetter(b[26]) || b[26] == 0x24 || b[26] == 0x5f ? .match(.mongodb) : .noMatch
        case 2004: // OP_QUERY: flags, "db.collection\0"
            guard toServer, responseTo == 0 else { return .noMatch }
            guard b.count >= 21 else { return .needMore }
            guard Bytes.le32(b, 16) & ~0xfe == 0 else { return .noMatch }
            guard let end = Bytes.nul(b, from: 20, to: 20 + 128) else {
                return Bytes.allPrintable(b, from: 20, to: b.count) && b.count < 20 + 128 ? .needMore : .noMatch
            }
            let name = Bytes.slice(b, 20, end)
            guard name.count >= 3, Bytes.allPrintable(name, from: 0, to: name.count), name.contains(0x2e) else { return .noMatch }
            return .match(.mongodb)
        case 1: // OP_REPLY
            guard !toServer, responseTo != 0, length >= 36 else { return .noMatch }
            guard b.count >= 36 else { return .needMore }
            guard Bytes.le32(b, 16) & ~0xf == 0, Bytes.le32(b, 32) <= length else { return .noMatch }
            return .match(.mongodb)
        case 2012: // OP_COMPRESSED: original opcode, size, compressor id
            guard b.count >= 25 else { return .needMore }
            let original = Bytes.le32(b, 16)
            guard original == 2013 || original == 2004 || original == 1, b[24] <= 3 else { return .noMatch }
            return .match(.mongodb)
        default:
            return .noMatch
        }
    }
}

extension DatastoreParser {
    @inlinable func mongoMeasure(_ b: UnsafeRawBufferPointer) -> Measure {
        guard b.count >= 4 else { return .need(4) }
        let length = Bytes.le32(b, 0)
        return length >= 16 && length <= DatastoreProbes.mongoMaxMessage ? .frame(length) : .bad
    }

    @inlinable func mongoEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        guard toServer, b.count >= 16 else { return }
        switch Bytes.le32(b, 12) {
        case 2013:
            guard b.count >= 26, b[20] == 0 else { command("OP_MSG", sink: &sink); return }
            mongoFirstKey(b, document: 21, fallback: "OP_MSG", sink: &sink)
        case 2004:
            guard let end = Bytes.nul(b, from: 20, to: b.count) else { command("query", sink: &sink); return }
            let collection = Bytes.slice(b, 20, end)
            // Commands before OP_MSG went to "<db>.$cmd" as queries whose first key names them.
            let cmd = collection.count >= 5 && Bytes.startsWith(collection, ".$cmd", at: collection.count - 5)
            if cmd && b.count > end + 1 + 8 + 5 {
                mongoFirstKey(b, document: end + 1 + 8, fallback: "query", sink: &sink)
            } else {
                command("query", collection, sink: &sink)
            }
        case 2012: command("OP_COMPRESSED", sink: &sink)
        case 2001: command("update", sink: &sink)
        case 2002: command("insert", sink: &sink)
        case 2005: command("getMore", sink: &sink)
        case 2006: command("delete", sink: &sink)
        case 2007: command("killCursors", sink: &sink)
        default: break
        }
    }

    /// Reports the first key of the BSON document at `document`, with its value as detail when
    /// it is a string (`{find: "users"}` names the collection).
    @inlinable func mongoFirstKey<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, document: Int, fallback: StaticString, sink: inout S) {
        let type = document + 4
        guard type + 1 < b.count, let keyEnd = Bytes.nul(b, from: type + 1, to: b.count), keyEnd > type + 1 else {
            command(fallback, sink: &sink)
            return
        }
        let key = Bytes.slice(b, type + 1, keyEnd)
        var detail = Bytes.slice(b, 0, 0)
        if b[type] == 0x02 && keyEnd + 5 <= b.count {
            let n = Bytes.le32(b, keyEnd + 1)
            if n >= 1 { detail = Bytes.slice(b, keyEnd + 5, min(keyEnd + 5 + n - 1, keyEnd + 5 + 64)) }
        }
        sink.datastoreCommand(app, command: Bytes.slice(key, 0, DatastoreParser.detailCap),
                              detail: Bytes.slice(detail, 0, DatastoreParser.detailCap))
    }
}
