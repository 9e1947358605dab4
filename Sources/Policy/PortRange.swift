/// A protocol and an inclusive destination port range (`tcp/80`, `udp/1000-2000`), `icmp`
/// (ICMP, ICMPv6 and every other protocol without ports), or `any` (everything).
public struct PortRange: Sendable, Hashable, CustomStringConvertible {
    /// Which transport a range applies to.
    public enum Transport: UInt8, Sendable {
        /// TCP (IP protocol 6).
        case tcp
        /// UDP (IP protocol 17).
        case udp
        /// Every protocol and port.
        case any
        /// Protocols without ports (ICMP, ICMPv6, ...), spelled `icmp`.
        case portless
    }

    /// The transport.
    public var transport: Transport
    /// First port (0 for `any`).
    public var low: UInt16
    /// Last port (65535 for `any`).
    public var high: UInt16

    /// Every protocol, every port.
    public static let any = PortRange(transport: .any, low: 0, high: .max)

    /// A range from its parts.
    public init(transport: Transport, low: UInt16, high: UInt16) {
        self.transport = transport; self.low = low; self.high = high
    }

    /// Every protocol without ports.
    public static let icmp = PortRange(transport: .portless, low: 0, high: 0)

    /// Parses `any`, `icmp`, `tcp/80`, `udp/1000-2000`; nil with the reason otherwise.
    public static func parse(_ text: String) -> Result<PortRange, PortSpecError> {
        if text == "any" { return .success(.any) }
        if text == "icmp" { return .success(.icmp) }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(.shape) }
        let t: Transport
        switch parts[0] {
        case "tcp": t = .tcp
        case "udp": t = .udp
        default: return .failure(.transport(String(parts[0])))
        }
        let bounds = parts[1].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count <= 2 else { return .failure(.shape) }
        var values: [UInt16] = []
        for b in bounds {
            guard !b.isEmpty, b.count <= 5, b.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(.shape) }
            guard let v = Int(b), v <= 65535 else { return .failure(.outOfRange) }
            values.append(UInt16(v))
        }
        let lo = values[0], hi = values.count == 2 ? values[1] : values[0]
        guard lo <= hi else { return .failure(.reversed) }
        return .success(PortRange(transport: t, low: lo, high: hi))
    }

    /// The spelling policy files use.
    public var description: String {
        switch transport {
        case .any: return "any"
        case .portless: return "icmp"
        case .tcp, .udp:
            let p = transport == .tcp ? "tcp" : "udp"
            return low == high ? "\(p)/\(low)" : "\(p)/\(low)-\(high)"
        }
    }

    /// Whether a packet of IP protocol `proto` to port `port` falls in the range.
    public func contains(proto: UInt8, port: UInt16) -> Bool {
        switch transport {
        case .any: return true
        case .portless: return proto != 6 && proto != 17
        case .tcp: return proto == 6 && low <= port && port <= high
        case .udp: return proto == 17 && low <= port && port <= high
        }
    }

    /// The range in the classifier's single key space: TCP ports, then UDP ports, then one key
    /// for every other protocol (see `PortKey`).
    var keyRange: ClosedRange<UInt32> {
        switch transport {
        case .any: return 0...PortKey.last
        case .portless: return PortKey.other...PortKey.other
        case .tcp: return UInt32(low)...UInt32(high)
        case .udp: return (PortKey.udpBase + UInt32(low))...(PortKey.udpBase + UInt32(high))
        }
    }
}

/// Why a port spec did not parse.
public enum PortSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `any`, `icmp`, `proto/port` or `proto/lo-hi`.
    case shape
    /// A protocol other than tcp or udp.
    case transport(String)
    /// A port above 65535.
    case outOfRange
    /// `lo-hi` with lo above hi.
    case reversed

    /// The reason, for error messages.
    public var description: String {
        switch self {
        case .shape: return "expected any, tcp/PORT, udp/PORT or PROTO/LOW-HIGH"
        case .transport(let t): return "unknown protocol \"\(t)\" (expected tcp or udp)"
        case .outOfRange: return "port out of range (0 to 65535)"
        case .reversed: return "range is reversed (low port above high port)"
        }
    }
}

/// Protocol and port folded into one ordered key so one interval table covers both.
public enum PortKey {
    /// First UDP key.
    public static let udpBase: UInt32 = 65536
    /// The key every protocol other than TCP and UDP maps to.
    public static let other: UInt32 = 131_072
    /// The last key.
    public static let last: UInt32 = other

    /// The key of a packet of IP protocol `proto` to `port`.
    @inlinable public static func of(proto: UInt8, port: UInt16) -> UInt32 {
        proto == 6 ? UInt32(port) : proto == 17 ? udpBase | UInt32(port) : other
    }
}
