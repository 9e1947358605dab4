import Foundation

/// One key as etcd returns it (the v3 JSON gateway spells 64-bit numbers as strings and keys
/// and values as base64).
public struct EtcdKeyValue: Sendable, Equatable {
    /// The key.
    public var key: String
    /// The value's bytes (empty for a delete event).
    public var value: [UInt8]
    /// The revision of the last change to this key.
    public var modRevision: Int64
    /// The value as UTF-8 text (invalid sequences repaired, so a hostile value cannot trap).
    public var text: String { String(decoding: value, as: UTF8.self) }
}

/// A change seen by a watch.
public struct EtcdEvent: Sendable, Equatable {
    /// Whether the key was put or deleted.
    public enum Kind: Sendable { case put, delete }
    /// Put or delete.
    public var kind: Kind
    /// The key and, for a put, its new value.
    public var kv: EtcdKeyValue
}

/// What went wrong talking to etcd.
public enum EtcdError: Error, CustomStringConvertible, Sendable {
    /// No endpoint answered.
    case unreachable(String)
    /// An endpoint answered with an error status (gRPC code and message from the gateway).
    case failed(status: Int, message: String)
    /// The answer was not what the v3 API sends (a bug, a proxy in between, or a hostile peer).
    case malformed(String)
    /// The watch's start revision was compacted away: resync with a range read.
    case compacted(Int64)
    /// The server ended the watch.
    case canceled(String)
    /// The client could not be set up (a TLS file or the password file could not be read).
    case setup(String)

    public var description: String {
        switch self {
        case let .unreachable(m): return "etcd unreachable: \(m)"
        case let .failed(s, m): return "etcd answered \(s): \(m)"
        case let .malformed(m): return "etcd answer malformed: \(m)"
        case let .compacted(r): return "watch start revision compacted (oldest kept \(r))"
        case let .canceled(m): return "watch canceled by etcd: \(m)"
        case let .setup(m): return "etcd client: \(m)"
        }
    }
}

/// Decoding of the gateway's JSON. Every number is checked: etcd's own answers are trusted no
/// more than any other input.
enum EtcdJSON {
    /// The largest answer read (a range or one watch line); etcd's default request limit is
    /// 1.5 MiB per value, so this leaves room for a few full documents per answer.
    static let maxAnswerBytes = 64 << 20

    /// A revision-like field: proto3 JSON writes int64 as a decimal string and leaves zero out.
    static func int64(_ any: Any?, _ what: String) throws(EtcdError) -> Int64 {
        switch any {
        case nil: return 0
        case let s as String:
            guard let n = Int64(s), n >= 0 else { throw .malformed("\(what): \"\(s.prefix(40))\" is not a revision") }
            return n
        case let n as NSNumber:
            // A JSON number: exact integers only (a double beyond 2^53 or a fraction is refused).
            let d = n.doubleValue
            guard d >= 0, d < 9.0e15, d == d.rounded(.towardZero) else { throw .malformed("\(what): \(n) is not a revision") }
            return Int64(d)
        default:
            throw .malformed("\(what): not a number")
        }
    }

    static func bytes(_ any: Any?, _ what: String) throws(EtcdError) -> [UInt8] {
        guard let any else { return [] }
        guard let s = any as? String, let d = Data(base64Encoded: s) else { throw .malformed("\(what): not base64") }
        return Array(d)
    }

    static func object(_ bytes: [UInt8]) throws(EtcdError) -> [String: Any] {
        guard bytes.count <= maxAnswerBytes else { throw .malformed("answer of \(bytes.count) bytes is over the limit") }
        guard let o = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw .malformed("not a JSON object: \(String(decoding: bytes.prefix(120), as: UTF8.self))")
        }
        return o
    }

    static func keyValue(_ any: Any?) throws(EtcdError) -> EtcdKeyValue {
        guard let o = any as? [String: Any] else { throw .malformed("kv: not an object") }
        let key = try bytes(o["key"], "kv.key")
        return EtcdKeyValue(key: String(decoding: key, as: UTF8.self), value: try bytes(o["value"], "kv.value"),
                            modRevision: try int64(o["mod_revision"], "kv.mod_revision"))
    }

    /// The header's revision (the store's revision when etcd answered).
    static func headerRevision(_ o: [String: Any]) throws(EtcdError) -> Int64 {
        try int64((o["header"] as? [String: Any])?["revision"], "header.revision")
    }

    /// One line of a watch stream: nil for the "created" acknowledgment, else the events and
    /// the header revision. Compaction and cancellation are errors.
    static func watchLine(_ line: [UInt8]) throws(EtcdError) -> (events: [EtcdEvent], revision: Int64, created: Bool) {
        let top = try object(line)
        if let e = top["error"] as? [String: Any] {
            throw .failed(status: Int(truncatingIfNeeded: (e["http_code"] as? Int) ?? 0), message: "\(e["message"] ?? "watch error")")
        }
        guard let r = top["result"] as? [String: Any] else { throw .malformed("watch line without result") }
        let revision = try headerRevision(r)
        let compact = try int64(r["compact_revision"], "compact_revision")
        if compact > 0 { throw .compacted(compact) }
        if (r["canceled"] as? Bool) == true { throw .canceled("\(r["cancel_reason"] ?? "no reason given")") }
        let created = (r["created"] as? Bool) == true
        var events: [EtcdEvent] = []
        for e in (r["events"] as? [Any]) ?? [] {
            guard let o = e as? [String: Any] else { throw .malformed("event: not an object") }
            let kind: EtcdEvent.Kind = (o["type"] as? String) == "DELETE" ? .delete : .put
            events.append(EtcdEvent(kind: kind, kv: try keyValue(o["kv"])))
        }
        return (events, revision, created)
    }

    /// The first key after every key starting with `prefix` (etcd's `range_end` for a prefix).
    /// A range answer's revision and key-values, as `EtcdClient.range` reads them.
    static func rangeAnswer(_ bytes: [UInt8]) throws(EtcdError) -> (revision: Int64, kvs: [EtcdKeyValue]) {
        try rangeAnswer(object: try object(bytes))
    }

    /// The same from the decoded answer object.
    static func rangeAnswer(object o: [String: Any]) throws(EtcdError) -> (revision: Int64, kvs: [EtcdKeyValue]) {
        var kvs: [EtcdKeyValue] = []
        guard let list = o["kvs"] as? [Any] ?? (o["kvs"] == nil ? [] : nil) else { throw EtcdError.malformed("range: kvs is not a list") }
        for kv in list { kvs.append(try keyValue(kv)) }
        return (try headerRevision(o), kvs)
    }

    static func rangeEnd(_ prefix: String) -> [UInt8] {
        var b = Array(prefix.utf8)
        while let last = b.last {
            if last < 0xff { b[b.count - 1] = last + 1; return b }
            b.removeLast()
        }
        return [0]  // every key
    }

    static func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
    static func b64(_ b: [UInt8]) -> String { Data(b).base64EncodedString() }
}

/// What the fuzzer drives: every decoder of etcd's answers (a hostile or broken etcd, or a
/// proxy in between, must only ever produce an `EtcdError`).
public enum EtcdAnswerDecoding {
    /// Decodes `bytes` as one watch stream line and as a range answer; the errors are discarded.
    public static func decodeAll(_ bytes: [UInt8]) {
        _ = try? EtcdJSON.watchLine(bytes)
        _ = try? EtcdJSON.rangeAnswer(bytes)
    }
}
