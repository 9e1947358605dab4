import L7Core

/// Parses a ServerHello body: chosen version (supported_versions wins over the legacy field,
/// which is how TLS 1.3 is negotiated), cipher, ALPN, and the JA3S string and hash.
enum ServerHelloParser {
    /// Fills the server fields of `info`; false when malformed.
    @discardableResult
    static func parse(_ body: UnsafeRawBufferPointer, into info: inout TLSHandshakeInfo) -> Bool {
        var r = ByteReader(body)
        guard let version = r.u16(), r.skip(32) else { return false }
        // TLS 1.3 drafts before 22 dropped session_id and compression from ServerHello. Drafts
        // 16-21 announce themselves as 0x7fNN; earlier implementations wrote 0x0304 here,
        // which final TLS 1.3 never does (it sends 0x0303 plus supported_versions).
        let draftWithoutLegacyFields = (0x7f00...0x7f15).contains(version) || version == 0x0304
        if !draftWithoutLegacyFields {
            guard let sidLen = r.u8(), r.skip(Int(sidLen)) else { return false }
        }
        guard let cipher = r.u16() else { return false }
        if !draftWithoutLegacyFields {
            guard r.u8() != nil else { return false }
        }
        info.serverHelloSeen = true
        // Suricata names such early drafts "TLS 1.3 draft-<16".
        info.serverVersion = version == 0x0304 ? 0x7f00 : version
        info.cipherSuite = cipher
        info.ja3s.removeAll()
        info.ja3s.appendDecimal(UInt64(version))
        info.ja3s.append(UInt8(ascii: ","))
        info.ja3s.appendDecimal(UInt64(cipher))
        info.ja3s.append(UInt8(ascii: ","))
        if let extLen = r.u16(), var exts = r.sub(Int(extLen)) {
            var first = true
            while let type = exts.u16(), let len = exts.u16(), var ext = exts.sub(Int(len)) {
                switch type {
                case 0x002b:
                    if let chosen = ext.u16() { info.serverVersion = chosen }
                case 0x0010:
                    if let n = ext.u16(), let list = ext.sub(Int(n)) { info.serverALPNs.set(list.rest) }
                default: break
                }
                guard !TLSVersion.isGrease(type) else { continue }
                if !first { info.ja3s.append(UInt8(ascii: "-")) }
                first = false
                info.ja3s.appendDecimal(UInt64(type))
            }
        }
        let ja3s = info.ja3s
        ja3s.withBytes { md5Hex($0, into: &info.ja3sHash) }
        return true
    }
}
