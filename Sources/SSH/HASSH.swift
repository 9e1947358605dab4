import Digests
import L7Core
import TLS

/// HASSH (Salesforce; what Suricata logs as `hassh`): the MD5 of
/// `kex_algorithms;encryption;mac;compression` from a KEXINIT, taking the client-to-server
/// lists for the client and the server-to-client lists for the server (HASSHServer).
enum HASSH {
    /// Reads the KEXINIT payload after its message code (RFC 4253 7.1: cookie, 10 name-lists,
    /// first_kex_packet_follows, reserved) into `side`'s HASSH string and hash. False, with
    /// nothing written, when a length runs past the message.
    static func compute(kexInit m: UnsafeRawBufferPointer, clientSide: Bool, into side: inout SSHSide) -> Bool {
        // Start and length of each name-list, in order: kex, host key, enc c2s, enc s2c,
        // mac c2s, mac s2c, compression c2s, compression s2c, languages c2s, languages s2c.
        var starts = InlineArray<10, Int>(repeating: 0)
        var lengths = InlineArray<10, Int>(repeating: 0)
        var r = 16
        for i in 0..<10 {
            guard m.count - r >= 4 else { return false }
            let length = Int(m[r]) << 24 | Int(m[r + 1]) << 16 | Int(m[r + 2]) << 8 | Int(m[r + 3])
            r += 4
            // Subtraction, not `r + length`: the length is the peer's.
            guard length <= m.count - r else { return false }
            starts[i] = r
            lengths[i] = length
            r += length
        }
        guard m.count - r >= 5 else { return false }
        side.hasshString.removeAll()
        // kex, then encryption, mac and compression for this side's sending direction.
        let first = clientSide ? 2 : 3
        for n in 0..<4 {
            let i = n == 0 ? 0 : first + 2 * (n - 1)
            if n > 0 { side.hasshString.append(UInt8(ascii: ";")) }
            side.hasshString.append(UnsafeRawBufferPointer(rebasing: m[starts[i]..<(starts[i] + lengths[i])]))
        }
        // In place: the string is 8 KB.
        side.hassh = withUnsafePointer(to: &side.hasshString) { s in
            FixedBytes.withBytes(at: s) { text in
                MD5.digest(text) { d in
                    var hex = FixedBytes<32>()
                    for b in d {
                        hex.append(hexDigit(b >> 4))
                        hex.append(hexDigit(b & 0x0F))
                    }
                    return hex
                }
            }
        }
        return true
    }

    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
}
