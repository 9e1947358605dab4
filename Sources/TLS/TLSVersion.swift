/// Protocol version helpers: Suricata's names for EVE and the GREASE test used by JA3/JA4.
public enum TLSVersion {
    /// Whether `v` is a GREASE value (RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa), which
    /// fingerprints drop because clients pick them at random.
    @inlinable public static func isGrease(_ v: UInt16) -> Bool {
        (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff)
    }

    /// Suricata's spelling of a wire version, as its EVE `tls.version` shows it
    /// ("TLSv1", "TLS 1.2", "TLS 1.3 draft-28", "UNDETERMINED" for 0 or unknown).
    public static func name(_ v: UInt16) -> StaticString {
        switch v {
        case 0x0200: return "SSLv2"
        case 0x0300: return "SSLv3"
        case 0x0301: return "TLSv1"
        case 0x0302: return "TLS 1.1"
        case 0x0303: return "TLS 1.2"
        case 0x0304: return "TLS 1.3"
        case 0xfb14: return "TLS 1.3 draft-20-fb"
        case 0xfb15: return "TLS 1.3 draft-21-fb"
        case 0xfb16: return "TLS 1.3 draft-22-fb"
        case 0xfb17: return "TLS 1.3 draft-23-fb"
        case 0xfb1a: return "TLS 1.3 draft-26-fb"
        case 0x7f00..<0x7f10: return "TLS 1.3 draft-<16"
        case 0x7f10: return "TLS 1.3 draft-16"
        case 0x7f11: return "TLS 1.3 draft-17"
        case 0x7f12: return "TLS 1.3 draft-18"
        case 0x7f13: return "TLS 1.3 draft-19"
        case 0x7f14: return "TLS 1.3 draft-20"
        case 0x7f15: return "TLS 1.3 draft-21"
        case 0x7f16: return "TLS 1.3 draft-22"
        case 0x7f17: return "TLS 1.3 draft-23"
        case 0x7f18: return "TLS 1.3 draft-24"
        case 0x7f19: return "TLS 1.3 draft-25"
        case 0x7f1a: return "TLS 1.3 draft-26"
        case 0x7f1b: return "TLS 1.3 draft-27"
        case 0x7f1c: return "TLS 1.3 draft-28"
        default: return "UNDETERMINED"
        }
    }

    /// JA4's two-character version code ("13", "12", ..., "s3", "d1"; "00" when unknown).
    /// TLS 1.3 drafts count as 1.3 since they negotiate the same handshake.
    static func ja4Code(_ v: UInt16) -> StaticString {
        switch v {
        case 0x0304, 0x7f00...0x7fff, 0xfb00...0xfbff: return "13"
        case 0x0303: return "12"
        case 0x0302: return "11"
        case 0x0301: return "10"
        case 0x0300: return "s3"
        case 0x0200, 0x0002: return "s2"
        case 0xfeff: return "d1"
        case 0xfefd: return "d2"
        case 0xfefc: return "d3"
        default: return "00"
        }
    }
}

/// A bounded inline list of 16-bit values (cipher suites, extension types) kept while a
/// hello is fingerprinted; entries past `capacity` are dropped and counted in `dropped`.
struct U16List<let capacity: Int> {
    var items: InlineArray<capacity, UInt16> = InlineArray(repeating: 0)
    var count = 0
    var dropped = 0

    mutating func append(_ v: UInt16) {
        guard count < capacity else { dropped += 1; return }
        items[count] = v
        count += 1
    }

    /// Insertion sort: lists are at most a few hundred entries, once per handshake.
    mutating func sort() {
        var i = 1
        while i < count {
            let v = items[i]
            var j = i - 1
            while j >= 0 && items[j] > v {
                items[j + 1] = items[j]
                j -= 1
            }
            items[j + 1] = v
            i += 1
        }
    }
}
