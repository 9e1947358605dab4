import Codecs
import Digests
import Flow
import Output

/// The Community ID (https://github.com/corelight/community-id-spec, version 1, seed 0): the
/// flow hash Suricata, Zeek, Arkime and Elastic write as `community_id`, so one flow's records
/// from different tools can be joined. SHA-1 over seed, the two addresses ordered so the smaller
/// address:port comes first, the protocol, a zero byte and the two ports (ICMP: the type and
/// its counterpart type, or the code), base64-encoded after `1:`.
///
/// A flow's ID is computed once, at its first EVE record, into its entry; nothing allocates.
public enum CommunityID {
    /// Writes `"community_id":"1:…"` for the flow, computing it first if this is its first record.
    @inlinable
    public static func write(_ e: UnsafePointer<FlowEntry>, into out: inout JSONBuffer) {
        // The entry lives in the worker's mutable table; the pointer is const only because record
        // writers take it so. Caching here keeps the hash to once per flow.
        let m = UnsafeMutablePointer(mutating: e)
        if !m.pointee.communityIDReady {
            m.pointee.communityID = compute(m.pointee)
            m.pointee.communityIDReady = true
        }
        out.key("community_id")
        out.raw("\"1:")
        withUnsafeBytes(of: m.pointee.communityID) { out.rawBytes(UnsafeRawBufferPointer(rebasing: $0[0..<28])) }
        out.byte(UInt8(ascii: "\""))
    }

    /// The ID of a tuple as text (tests and tools).
    public static func string(src: IPAddress, dst: IPAddress, proto: UInt8, srcPort: UInt16, dstPort: UInt16) -> String {
        var e = FlowEntry()
        e.client = src; e.server = dst; e.proto = proto
        if proto == IPProto.icmp || proto == IPProto.icmpv6 {
            e.icmpType = UInt8(truncatingIfNeeded: srcPort); e.icmpCode = UInt8(truncatingIfNeeded: dstPort)
        } else {
            e.clientPort = srcPort; e.serverPort = dstPort
        }
        let text = compute(e)
        return withUnsafeBytes(of: text) { "1:" + String(decoding: $0[0..<28], as: UTF8.self) }
    }

    /// The 28 base64 characters of a flow's digest.
    public static func compute(_ e: FlowEntry) -> (UInt64, UInt64, UInt64, UInt32) {
        var sport = e.clientPort, dport = e.serverPort
        var ports = e.proto == IPProto.tcp || e.proto == IPProto.udp || e.proto == 132 // SCTP: Sluice keys it without ports (0)
        var oneWay = false
        if e.proto == IPProto.icmp || e.proto == IPProto.icmpv6 {
            ports = true
            sport = UInt16(e.icmpType)
            if let counterpart = counterpart(type: e.icmpType, v6: e.proto == IPProto.icmpv6) {
                dport = UInt16(counterpart)
            } else {
                dport = UInt16(e.icmpCode)
                oneWay = true
            }
        } else if !ports {
            sport = 0; dport = 0
        }
        var a = e.client, b = e.server
        let ordered = (a.hi, a.lo, sport) < (b.hi, b.lo, dport)
        if !oneWay && !ordered {
            swap(&a, &b)
            swap(&sport, &dport)
        }
        // seed(2) + two addresses (4 or 16 each) + proto + pad + ports(4): at most 40 bytes.
        var input: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        let n = withUnsafeMutableBytes(of: &input) { buf -> Int in
            var n = 2 // seed 0
            let v4 = a.isV4 && b.isV4
            func put(_ address: IPAddress) {
                if v4 {
                    buf.storeBytes(of: address.v4Value.bigEndian, toByteOffset: n, as: UInt32.self)
                    n += 4
                } else {
                    buf.storeBytes(of: address.hi.bigEndian, toByteOffset: n, as: UInt64.self)
                    buf.storeBytes(of: address.lo.bigEndian, toByteOffset: n + 8, as: UInt64.self)
                    n += 16
                }
            }
            put(a)
            put(b)
            buf[n] = e.proto
            buf[n + 1] = 0
            n += 2
            if ports {
                buf.storeBytes(of: sport.bigEndian, toByteOffset: n, as: UInt16.self)
                buf.storeBytes(of: dport.bigEndian, toByteOffset: n + 2, as: UInt16.self)
                n += 4
            }
            return n
        }
        var text: (UInt64, UInt64, UInt64, UInt32) = (0, 0, 0, 0)
        withUnsafeBytes(of: &input) { raw in
            SHA1.digest(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { digest in
                withUnsafeMutableBytes(of: &text) { base64(digest, into: $0) }
            }
        }
        return text
    }

    /// Zeek's ICMP counterparts: a request and its reply hash as one two-way flow; any other
    /// type is one-way and hashes its code.
    static func counterpart(type: UInt8, v6: Bool) -> UInt8? {
        if v6 {
            switch type {
            case 128: return 129; case 129: return 128
            case 133: return 134; case 134: return 133
            case 135: return 136; case 136: return 135
            case 130: return 131; case 131: return 130
            case 139: return 140; case 140: return 139
            case 144: return 145; case 145: return 144
            default: return nil
            }
        }
        switch type {
        case 8: return 0; case 0: return 8
        case 13: return 14; case 14: return 13
        case 15: return 16; case 16: return 15
        case 10: return 9
        case 17: return 18; case 18: return 17
        default: return nil
        }
    }

    /// Standard base64 with padding of 20 bytes: 28 characters.
    static func base64(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let a = alphabet.utf8Start
        var o = 0
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out[o] = a[Int(v >> 18)]; out[o + 1] = a[Int(v >> 12 & 63)]
            out[o + 2] = a[Int(v >> 6 & 63)]; out[o + 3] = a[Int(v & 63)]
            i += 3; o += 4
        }
        // 20 = 6 * 3 + 2: two bytes left, one `=`.
        let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
        out[o] = a[Int(v >> 18)]; out[o + 1] = a[Int(v >> 12 & 63)]; out[o + 2] = a[Int(v >> 6 & 63)]
        out[o + 3] = UInt8(ascii: "=")
    }
}
