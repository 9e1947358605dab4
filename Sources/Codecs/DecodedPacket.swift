/// What the decoder learned about one frame. A plain value with no references, filled in
/// place for every packet, so decoding never allocates.
public struct DecodedPacket: Sendable {
    /// What kind of packet this is, as later stages route it.
    public enum Kind: UInt8, Sendable {
        /// Decoding stopped at an error; see `error`.
        case malformed
        /// Not IP (ARP, LLDP, ...): counted, passed to the policy, never tracked as a flow.
        case nonIP
        /// An IP fragment waiting for reassembly; L4 fields are not filled in.
        case fragment
        /// A complete IP packet with its transport header decoded.
        case ip
    }

    /// The classification.
    public var kind: Kind = .malformed
    /// The reason, when `kind == .malformed`.
    public var error: DecodeError = .none
    /// The ethertype that ended link decoding (the inner one after VLAN tags).
    public var etherType: UInt16 = 0
    /// The outer VLAN id, 0 when untagged.
    public var vlanOuter: UInt16 = 0
    /// The inner VLAN id of a QinQ frame, 0 otherwise.
    public var vlanInner: UInt16 = 0
    /// The number of VLAN tags seen.
    public var vlanCount: UInt8 = 0
    /// 4 or 6; 0 before the IP layer.
    public var ipVersion: UInt8 = 0
    /// The transport protocol number (after IPv6 extension headers).
    public var ipProto: UInt8 = 0
    /// IPv4 TTL or IPv6 hop limit.
    public var ttl: UInt8 = 0
    /// The IPv4 header checksum did not verify (the packet is still processed).
    public var ipChecksumBad: Bool = false
    /// The capture holds fewer bytes than the headers claim (snap length): the payload is cut.
    public var truncated: Bool = false
    /// Offset of the IP header in the frame.
    public var l3Offset: Int32 = 0
    /// Length of the IP datagram (header plus payload) as the header states it, clamped to the capture.
    public var l3Length: Int32 = 0
    /// Offset of the transport header in the frame.
    public var l4Offset: Int32 = 0
    /// Offset of the transport payload in the frame.
    public var payloadOffset: Int32 = 0
    /// Length of the transport payload present in the frame.
    public var payloadLength: Int32 = 0
    /// Source address.
    public var src = IPAddress(hi: 0, lo: 0)
    /// Destination address.
    public var dst = IPAddress(hi: 0, lo: 0)
    /// Source port (ICMP: echo identifier for echo messages, else 0).
    public var srcPort: UInt16 = 0
    /// Destination port (ICMP: echo identifier for echo messages, else 0).
    public var dstPort: UInt16 = 0
    /// TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE, CWR).
    public var tcpFlags: UInt8 = 0
    /// TCP sequence number.
    public var seq: UInt32 = 0
    /// TCP acknowledgement number.
    public var ack: UInt32 = 0
    /// TCP window (unscaled).
    public var window: UInt16 = 0
    /// TCP window scale option, 0xff when absent.
    public var windowScale: UInt8 = 0xff
    /// TCP MSS option, 0 when absent.
    public var mss: UInt16 = 0
    /// ICMP or ICMPv6 type.
    public var icmpType: UInt8 = 0
    /// ICMP or ICMPv6 code.
    public var icmpCode: UInt8 = 0
    /// IPv4 identification, or the IPv6 fragment header's identification.
    public var fragmentID: UInt32 = 0
    /// Fragment offset in bytes.
    public var fragmentOffset: Int32 = 0
    /// More-fragments flag.
    public var moreFragments: Bool = false

    /// An empty record, ready to be filled by `Decoder.decode`.
    @inlinable public init() {}
}

/// TCP flag bits.
public enum TCPFlag {
    public static let fin: UInt8 = 0x01
    public static let syn: UInt8 = 0x02
    public static let rst: UInt8 = 0x04
    public static let psh: UInt8 = 0x08
    public static let ack: UInt8 = 0x10
    public static let urg: UInt8 = 0x20
    public static let ece: UInt8 = 0x40
    public static let cwr: UInt8 = 0x80
}

/// IP protocol numbers the engine distinguishes.
public enum IPProto {
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let icmpv6: UInt8 = 58
}
