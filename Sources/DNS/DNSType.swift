/// Record type numbers and the names Suricata logs for types and response codes.
public enum DNSType {
    /// IPv4 address.
    public static let a: UInt16 = 1
    /// Name server.
    public static let ns: UInt16 = 2
    /// Canonical name.
    public static let cname: UInt16 = 5
    /// Start of authority.
    public static let soa: UInt16 = 6
    /// Null record.
    public static let null: UInt16 = 10
    /// Pointer (reverse lookups).
    public static let ptr: UInt16 = 12
    /// Mail exchange.
    public static let mx: UInt16 = 15
    /// Text.
    public static let txt: UInt16 = 16
    /// IPv6 address.
    public static let aaaa: UInt16 = 28
    /// Service locator.
    public static let srv: UInt16 = 33

    /// Suricata's name for a record type, or nil where it logs the number instead.
    @inlinable public static func name(_ type: UInt16) -> StaticString? {
        switch type {
        case 1: "A"
        case 2: "NS"
        case 3: "MD"
        case 4: "MF"
        case 5: "CNAME"
        case 6: "SOA"
        case 7: "MB"
        case 8: "MG"
        case 9: "MR"
        case 10: "NULL"
        case 11: "WKS"
        case 12: "PTR"
        case 13: "HINFO"
        case 14: "MINFO"
        case 15: "MX"
        case 16: "TXT"
        case 17: "RP"
        case 18: "AFSDB"
        case 19: "X25"
        case 20: "ISDN"
        case 21: "RT"
        case 22: "NSAP"
        case 23: "NSAPPTR"
        case 24: "SIG"
        case 25: "KEY"
        case 26: "PX"
        case 27: "GPOS"
        case 28: "AAAA"
        case 29: "LOC"
        case 30: "NXT"
        case 33: "SRV"
        case 34: "ATMA"
        case 35: "NAPTR"
        case 36: "KX"
        case 37: "CERT"
        case 38: "A6"
        case 39: "DNAME"
        case 41: "OPT"
        case 42: "APL"
        case 43: "DS"
        case 44: "SSHFP"
        case 45: "IPSECKEY"
        case 46: "RRSIG"
        case 47: "NSEC"
        case 48: "DNSKEY"
        case 49: "DHCID"
        case 50: "NSEC3"
        case 51: "NSEC3PARAM"
        case 52: "TLSA"
        case 55: "HIP"
        case 59: "CDS"
        case 60: "CDNSKEY"
        case 65: "HTTPS"
        case 99: "SPF"
        case 249: "TKEY"
        case 250: "TSIG"
        case 253: "MAILA"
        case 255: "ANY"
        case 256: "URI"
        default: nil
        }
    }

    /// Suricata's name for a response code, or nil where it logs the number instead.
    @inlinable public static func rcodeName(_ rcode: UInt8) -> StaticString? {
        switch rcode {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        default: nil
        }
    }
}
