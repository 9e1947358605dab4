import DNS
import Foundation
import L7Core
import Output

/// Builds DNS messages by hand for the tests.
struct MessageBuilder {
    var bytes: [UInt8] = []

    init(id: UInt16 = 0x1234, flags: UInt16 = 0x0100, qd: UInt16 = 1, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0) {
        for v in [id, flags, qd, an, ns, ar] { u16(v) }
    }

    mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xff)] }
    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xffff)) }
    /// Appends a name in uncompressed labels, optionally ending with a pointer instead of root.
    mutating func name(_ dotted: String, pointer: Int? = nil) {
        for label in dotted.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        if let p = pointer { bytes += [0xc0 | UInt8(p >> 8), UInt8(p & 0xff)] } else { bytes.append(0) }
    }
    mutating func pointer(_ p: Int) { bytes += [0xc0 | UInt8(p >> 8), UInt8(p & 0xff)] }
    mutating func question(_ dotted: String, type: UInt16 = 1) { name(dotted); u16(type); u16(1) }
    /// Appends a record whose owner is a pointer to `owner` and rdata is built by `rdata`.
    mutating func record(owner: Int, type: UInt16, ttl: UInt32 = 60, _ rdata: (inout MessageBuilder) -> Void) {
        pointer(owner)
        u16(type); u16(1); u32(ttl)
        let lenAt = bytes.count
        u16(0)
        let start = bytes.count
        rdata(&self)
        let n = bytes.count - start
        bytes[lenAt] = UInt8(n >> 8); bytes[lenAt + 1] = UInt8(n & 0xff)
    }
}

/// Parses `bytes` (copied into a stable buffer for the call).
func parse(_ bytes: [UInt8]) -> Result<DNSHeader, DNSParseError> {
    bytes.withUnsafeBytes { raw in
        do throws(DNSParseError) { return .success(try DNSMessage(parsing: raw).header) } catch { return .failure(error) }
    }
}

/// The error parsing `bytes` throws, or nil when it parses.
func parseError(_ bytes: [UInt8]) -> DNSParseError? {
    if case .failure(let e) = parse(bytes) { return e }
    return nil
}

/// Writes EVE event `index` of the message in `bytes` and returns its `dns` object.
func eveDNS(_ bytes: [UInt8], index: Int = 0, txID: UInt64 = 0) -> [String: Any]? {
    let line: [UInt8]? = bytes.withUnsafeBytes { raw in
        guard let m = try? DNSMessage(parsing: raw) else { return nil }
        var json = JSONBuffer(fd: -1)
        json.beginObject()
        DNSEve.write(m, index: index, txID: txID, into: &json)
        json.endObject()
        return json.take()
    }
    guard let line,
          let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return nil }
    return obj["dns"] as? [String: Any]
}

/// The dotted text of the name at `offset`.
func decodeName(_ bytes: [UInt8], at offset: Int) -> Result<String, DNSParseError> {
    bytes.withUnsafeBytes { raw in
        var out = FixedBytes<256>()
        do throws(DNSParseError) {
            _ = try DNSName.decode(raw, at: offset, into: &out)
            return .success(out.string)
        } catch { return .failure(error) }
    }
}
