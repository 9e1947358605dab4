/// Builds ClientHello/ServerHello bytes for tests.
struct HelloBuilder {
    var version: UInt16 = 0x0303
    var ciphers: [UInt16] = []
    /// (type, body) in order.
    var extensions: [(UInt16, [UInt8])] = []

    static func u16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
    static func u24(_ v: Int) -> [UInt8] { [UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

    static func sni(_ host: String) -> [UInt8] {
        let h = Array(host.utf8)
        let entry = [UInt8(0)] + u16(UInt16(h.count)) + h
        return u16(UInt16(entry.count)) + entry
    }
    static func list16(_ v: [UInt16]) -> [UInt8] { u16(UInt16(v.count * 2)) + v.flatMap(u16) }
    static func alpn(_ names: [String]) -> [UInt8] {
        let body = names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        return u16(UInt16(body.count)) + body
    }
    static func versions(_ v: [UInt16]) -> [UInt8] { [UInt8(v.count * 2)] + v.flatMap(u16) }

    /// The ClientHello handshake message (header included).
    func clientHello() -> [UInt8] {
        var body = Self.u16(version) + [UInt8](repeating: 0x11, count: 32) + [0]
        body += Self.u16(UInt16(ciphers.count * 2)) + ciphers.flatMap(Self.u16) + [1, 0]
        let exts = extensions.flatMap { Self.u16($0.0) + Self.u16(UInt16($0.1.count)) + $0.1 }
        body += Self.u16(UInt16(exts.count)) + exts
        return [1] + Self.u24(body.count) + body
    }

    /// Splits a handshake message into records of at most `maxRecord` bytes.
    static func records(_ message: [UInt8], maxRecord: Int, type: UInt8 = 22) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < message.count {
            let n = min(maxRecord, message.count - i)
            out += [type, 3, 1] + u16(UInt16(n)) + message[i..<(i + n)]
            i += n
        }
        return out
    }
}
