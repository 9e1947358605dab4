/// The link-layer framing of a captured frame, as libpcap's DLT values name it.
public struct LinkType: RawRepresentable, Hashable, Sendable {
    /// The DLT value.
    public var rawValue: Int32
    /// Creates a link type from its DLT value.
    @inlinable public init(rawValue: Int32) { self.rawValue = rawValue }

    /// BSD loopback (4-byte address family in host order).
    public static let null = LinkType(rawValue: 0)
    /// Ethernet II, with any number of 802.1Q / 802.1ad tags.
    public static let ethernet = LinkType(rawValue: 1)
    /// PPP with the protocol field (compressed or not), optionally behind FF 03.
    public static let ppp = LinkType(rawValue: 9)
    /// Raw IP (version read from the first nibble); DLT_RAW is 12 on Linux, 14 on OpenBSD.
    public static let raw = LinkType(rawValue: 12)
    /// Raw IP as the pcap file format spells it.
    public static let rawLinktype = LinkType(rawValue: 101)
    /// Linux cooked capture v1.
    public static let linuxSLL = LinkType(rawValue: 113)
    /// Raw IPv4.
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6.
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux cooked capture v2.
    public static let linuxSLL2 = LinkType(rawValue: 276)
}
