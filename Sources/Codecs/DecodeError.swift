/// Why a frame could not be decoded completely. Each reason has its own counter; a packet
/// with one still reaches the policy, classified as malformed.
public enum DecodeError: UInt8, CaseIterable, Sendable {
    case none = 0
    case linkTruncated
    case vlanTruncated
    case tooManyVLANTags
    case unsupportedLinkType
    case ipv4Truncated
    case ipv4BadVersion
    case ipv4BadHeaderLength
    case ipv4BadTotalLength
    case ipv4BadOptions
    case ipv6Truncated
    case ipv6BadPayloadLength
    case ipv6ExtensionTruncated
    case ipv6TooManyExtensions
    case tcpTruncated
    case tcpBadDataOffset
    case tcpBadOptions
    case udpTruncated
    case udpBadLength
    case icmpTruncated
    case ipVersionMismatch

    /// The counter's name, as metrics and the summary print it.
    public var name: String {
        switch self {
        case .none: return "none"
        case .linkTruncated: return "link_truncated"
        case .vlanTruncated: return "vlan_truncated"
        case .tooManyVLANTags: return "vlan_too_many_tags"
        case .unsupportedLinkType: return "unsupported_link_type"
        case .ipv4Truncated: return "ipv4_truncated"
        case .ipv4BadVersion: return "ipv4_bad_version"
        case .ipv4BadHeaderLength: return "ipv4_bad_header_length"
        case .ipv4BadTotalLength: return "ipv4_bad_total_length"
        case .ipv4BadOptions: return "ipv4_bad_options"
        case .ipv6Truncated: return "ipv6_truncated"
        case .ipv6BadPayloadLength: return "ipv6_bad_payload_length"
        case .ipv6ExtensionTruncated: return "ipv6_extension_truncated"
        case .ipv6TooManyExtensions: return "ipv6_too_many_extensions"
        case .tcpTruncated: return "tcp_truncated"
        case .tcpBadDataOffset: return "tcp_bad_data_offset"
        case .tcpBadOptions: return "tcp_bad_options"
        case .udpTruncated: return "udp_truncated"
        case .udpBadLength: return "udp_bad_length"
        case .icmpTruncated: return "icmp_truncated"
        case .ipVersionMismatch: return "ip_version_mismatch"
        }
    }
}
