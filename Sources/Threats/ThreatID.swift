/// The network threats Sluice detects. The raw value is the threat's stable id: it is the
/// EVE alert's `signature_id` (generator 3), the `threat` label's key in `/metrics` and what
/// `sluice ctl threats` lists. Never renumber a case; add new ones at the end.
public enum ThreatID: UInt16, CaseIterable, Sendable {
    case tcpSynFlood = 3001
    case icmpFlood = 3002
    case sourceSessionLimit = 3003
    case invalidPacket = 3004
    case ipTeardrop = 3005
    case tcpSynData = 3006
    case tcpSplitHandshake = 3007
    case tcpNoClientData = 3008
    case tcpSmallWindow = 3009
    case tcpSmallMSS = 3010
    case pingOfDeath = 3011
    case dnsLoopPointer = 3012
    case dnsOverflow = 3013
    case dnsZoneTransfer = 3014
    case dnsTypeNull = 3015
    case dnsTunneling = 3016
    case icmpTunneling = 3017
    case sshVersion1 = 3018
    case tlsHeartbleed = 3019
    case tlsCipherOverflow = 3020
    case tlsOldVersion = 3021
    case httpNegativeLength = 3022
    case httpSmuggling = 3023
    case httpSlowloris = 3024
    case mysqlAccessDenied = 3025

    /// Position in per-threat counters and masks (1...25): `rawValue - 3000`.
    @inlinable public var index: Int { Int(rawValue) &- 3000 }

    /// This threat's bit in a `ThreatMask`.
    @inlinable public var bit: UInt32 { 1 << UInt32(truncatingIfNeeded: index) }

    /// The threat at counter position `index`, nil outside 1...25.
    @inlinable public init?(index: Int) {
        guard index > 0, index < 64, let t = ThreatID(rawValue: UInt16(3000 + index)) else { return nil }
        self = t
    }

    /// The short name used in configs, metrics labels and the API.
    public var name: StaticString {
        switch self {
        case .tcpSynFlood: return "tcp_syn_flood"
        case .icmpFlood: return "icmp_flood"
        case .sourceSessionLimit: return "source_session_limit"
        case .invalidPacket: return "invalid_packet"
        case .ipTeardrop: return "ip_teardrop"
        case .tcpSynData: return "tcp_syn_data"
        case .tcpSplitHandshake: return "tcp_split_handshake"
        case .tcpNoClientData: return "tcp_no_client_data"
        case .tcpSmallWindow: return "tcp_small_window"
        case .tcpSmallMSS: return "tcp_small_mss"
        case .pingOfDeath: return "ping_of_death"
        case .dnsLoopPointer: return "dns_loop_pointer"
        case .dnsOverflow: return "dns_overflow"
        case .dnsZoneTransfer: return "dns_zone_transfer"
        case .dnsTypeNull: return "dns_type_null"
        case .dnsTunneling: return "dns_tunneling"
        case .icmpTunneling: return "icmp_tunneling"
        case .sshVersion1: return "ssh_version1"
        case .tlsHeartbleed: return "tls_heartbleed"
        case .tlsCipherOverflow: return "tls_cipher_overflow"
        case .tlsOldVersion: return "tls_old_version"
        case .httpNegativeLength: return "http_negative_length"
        case .httpSmuggling: return "http_smuggling"
        case .httpSlowloris: return "http_slowloris"
        case .mysqlAccessDenied: return "mysql_access_denied"
        }
    }

    /// The alert's `signature`.
    public var title: StaticString {
        switch self {
        case .tcpSynFlood: return "Sluice threat: TCP SYN flood"
        case .icmpFlood: return "Sluice threat: ICMP flood"
        case .sourceSessionLimit: return "Sluice threat: source session limit exceeded"
        case .invalidPacket: return "Sluice threat: invalid packet format"
        case .ipTeardrop: return "Sluice threat: IP fragment teardrop (overlapping fragments)"
        case .tcpSynData: return "Sluice threat: TCP SYN with data"
        case .tcpSplitHandshake: return "Sluice threat: TCP split handshake"
        case .tcpNoClientData: return "Sluice threat: TCP connections with no client data"
        case .tcpSmallWindow: return "Sluice threat: TCP small window"
        case .tcpSmallMSS: return "Sluice threat: TCP SACK DDoS with small MSS"
        case .pingOfDeath: return "Sluice threat: ping of death"
        case .dnsLoopPointer: return "Sluice threat: DNS compression pointer loop"
        case .dnsOverflow: return "Sluice threat: DNS stack overflow (oversized label or name)"
        case .dnsZoneTransfer: return "Sluice threat: DNS zone transfer"
        case .dnsTypeNull: return "Sluice threat: DNS type NULL query"
        case .dnsTunneling: return "Sluice threat: DNS tunneling"
        case .icmpTunneling: return "Sluice threat: ICMP tunneling"
        case .sshVersion1: return "Sluice threat: SSH version 1"
        case .tlsHeartbleed: return "Sluice threat: SSL heartbleed"
        case .tlsCipherOverflow: return "Sluice threat: SSL cipher suite overflow"
        case .tlsOldVersion: return "Sluice threat: SSL 2/3 or TLS 1.0/1.1 in use"
        case .httpNegativeLength: return "Sluice threat: HTTP negative body length"
        case .httpSmuggling: return "Sluice threat: HTTP request smuggling"
        case .httpSlowloris: return "Sluice threat: HTTP slowloris"
        case .mysqlAccessDenied: return "Sluice threat: MySQL access denied (brute force)"
        }
    }

    /// Suricata's classification for the threat (the alert's `category` is "threat"; this goes
    /// in `sluice.classification`).
    public var classification: StaticString {
        switch self {
        case .tcpSynFlood, .icmpFlood, .sourceSessionLimit, .tcpSmallWindow, .tcpSmallMSS, .pingOfDeath,
             .httpSlowloris, .ipTeardrop, .tcpNoClientData:
            return "Attempted Denial of Service"
        case .dnsTunneling, .icmpTunneling, .dnsZoneTransfer, .tlsHeartbleed:
            return "Potential Corporate Privacy Violation"
        case .mysqlAccessDenied:
            return "Attempted User Privilege Gain"
        case .tlsOldVersion, .sshVersion1:
            return "Potentially Bad Traffic"
        default:
            return "Generic Protocol Command Decode"
        }
    }

    /// The alert's `severity` (1 high … 3 low), as Suricata's classifications give.
    public var severity: UInt64 {
        switch self {
        case .tlsHeartbleed, .httpSmuggling, .dnsTunneling, .icmpTunneling, .pingOfDeath, .ipTeardrop, .tcpSmallMSS:
            return 1
        case .tlsOldVersion, .sshVersion1, .tcpSynData, .tcpNoClientData, .invalidPacket:
            return 3
        default:
            return 2
        }
    }

    /// The threat named `name` (its `name`), nil if none is.
    public init?(name: String) {
        guard let t = ThreatID.allCases.first(where: { "\($0.name)" == name }) else { return nil }
        self = t
    }
}

/// A set of threats, one bit per `ThreatID.index`.
public typealias ThreatMask = UInt32

extension ThreatMask {
    /// Every threat.
    public static var allThreats: ThreatMask { ThreatID.allCases.reduce(0) { $0 | $1.bit } }
}
