import APITypes
import Foundation

/// A request field that is missing, of the wrong JSON type, not integral, or out of range:
/// answered 400 with the field's name and the reason.
public struct APIFieldError: Error, Sendable, Equatable {
    /// The JSON key or query parameter.
    public var field: String
    /// What is wrong with it.
    public var reason: String

    /// An error for `field`.
    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    /// The 400 response naming the field.
    var response: APIResponse { .error(APIErrorDetail(status: 400, reason: "\(field): \(reason)", field: field)) }
}

/// `POST /v1/captures`: the body (an APITypes type, shared with the clients), decoded
/// strictly here rather than through `Decodable`: unknown keys, wrong types and numbers that
/// are not integers where integers are expected are refused with the field's name, and every
/// value is checked against its range.
extension CaptureStartRequest {
    /// Decodes and checks a request body.
    public static func parse(_ body: [UInt8]) throws(APIFieldError) -> CaptureStartRequest {
        let o = try JSONFields(body, allowed: ["interface", "workload", "filter", "packets", "bytes", "seconds", "snaplen"])
        var r = CaptureStartRequest(interface: try o.string("interface", maxBytes: 256), workload: try o.string("workload", maxBytes: 256))
        guard (r.interface == nil) != (r.workload == nil) else { throw APIFieldError("interface", "give interface or workload (one of them)") }
        r.filter = try o.string("filter", maxBytes: maxFilterBytes) ?? ""
        r.packets = try o.int("packets", in: packetRange) ?? 0
        r.bytes = try o.int("bytes", in: byteRange) ?? 0
        r.seconds = try o.double("seconds", in: secondRange) ?? 0
        r.snaplen = try o.int("snaplen", in: snaplenRange) ?? 262_144
        return r
    }
}

/// `POST /v1/interfaces`, decoded strictly like a capture request.
extension AttachRequest {
    /// Decodes and checks a request body.
    public static func parse(_ body: [UInt8]) throws(APIFieldError) -> AttachRequest {
        let o = try JSONFields(body, allowed: ["name", "mode", "pair", "interface", "workload"])
        guard let name = try o.string("name", maxBytes: 64), !name.isEmpty else { throw APIFieldError("name", "missing") }
        guard let mode = try o.string("mode", maxBytes: 16), mode == "inline" || mode == "tap" else {
            throw APIFieldError("mode", "expected inline or tap")
        }
        var r = AttachRequest(name: name, mode: mode, interface: try o.string("interface", maxBytes: 15),
                              workload: try o.string("workload", maxBytes: 256))
        if let v = o.object["pair"], !(v is NSNull) {
            guard let p = v as? [String], p.count == 2, p.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 15 }) else {
                throw APIFieldError("pair", "must be two interface names")
            }
            r.pair = p
        }
        if mode == "inline" && r.pair == nil { throw APIFieldError("pair", "an inline interface needs pair") }
        if mode == "tap" && r.interface == nil { throw APIFieldError("interface", "a tap needs interface") }
        return r
    }
}

/// A JSON object body read field by field with the type and range each field must have.
struct JSONFields {
    let object: [String: Any]

    /// Parses `body` as one JSON object whose keys are all in `allowed`.
    init(_ body: [UInt8], allowed: Set<String>) throws(APIFieldError) {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw APIFieldError("body", "must be a JSON object")
        }
        if let unknown = o.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIFieldError(unknown, "unknown field (expected \(allowed.sorted().joined(separator: ", ")))")
        }
        object = o
    }

    /// A number as JSONSerialization gives it; booleans are not numbers here.
    func number(_ key: String, _ expected: String) throws(APIFieldError) -> NSNumber? {
        guard let v = object[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, !Self.isBoolean(n) else { throw APIFieldError(key, "must be \(expected)") }
        return n
    }

    /// An integer in `range`; 1.5, 1e300 or "5" are refused.
    func int(_ key: String, in range: ClosedRange<Int>) throws(APIFieldError) -> Int? {
        guard let n = try number(key, "an integer") else { return nil }
        // Every range here is far inside 2^53, where doubles hold integers exactly.
        let d = n.doubleValue
        guard d.isFinite, d.rounded() == d, abs(d) < 0x1p62 else {
            throw APIFieldError(key, "must be an integer in \(range.lowerBound)...\(range.upperBound), not \(n)")
        }
        let i = Int(d)
        guard range.contains(i) else { throw APIFieldError(key, "\(i) is not in \(range.lowerBound)...\(range.upperBound)") }
        return i
    }

    /// A finite number in `range`.
    func double(_ key: String, in range: ClosedRange<Double>) throws(APIFieldError) -> Double? {
        guard let n = try number(key, "a number") else { return nil }
        let d = n.doubleValue
        guard d.isFinite, range.contains(d) else {
            throw APIFieldError(key, "\(n) is not in \(Self.plain(range.lowerBound))...\(Self.plain(range.upperBound))")
        }
        return d
    }

    /// A string of at most `maxBytes` UTF-8 bytes.
    func string(_ key: String, maxBytes: Int) throws(APIFieldError) -> String? {
        guard let v = object[key], !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw APIFieldError(key, "must be a string") }
        guard s.utf8.count <= maxBytes else { throw APIFieldError(key, "longer than \(maxBytes) bytes") }
        return s
    }

    /// `true` or `false`.
    func bool(_ key: String) throws(APIFieldError) -> Bool? {
        guard let v = object[key], !(v is NSNull) else { return nil }
        guard let b = v as? NSNumber, Self.isBoolean(b) else { throw APIFieldError(key, "must be true or false") }
        return b.boolValue
    }

    /// Whether JSONSerialization made `n` from `true` or `false` (on Linux `1 as? Bool` is
    /// true too; only the boolean's type encoding tells them apart).
    static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    static func plain(_ d: Double) -> String { d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : "\(d)" }
}

/// Query parameters read with the type and range they must have.
extension APIRequest {
    /// The integer query parameter `key` in `range`, `fallback` when absent.
    func intQuery(_ key: String, in range: ClosedRange<Int>, default fallback: Int) throws(APIFieldError) -> Int {
        guard let text = query[key] else { return fallback }
        guard let n = Int(text) else { throw APIFieldError(key, "\"\(text)\" is not an integer") }
        guard range.contains(n) else { throw APIFieldError(key, "\(n) is not in \(range.lowerBound)...\(range.upperBound)") }
        return n
    }
}
