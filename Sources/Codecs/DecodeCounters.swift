/// Per-worker decode counters. Plain fields owned by one worker; summed across workers when read.
public struct DecodeCounters: Sendable, BitwiseCopyable {
    /// Frames seen.
    public var packets: UInt64 = 0
    /// Bytes on the wire (original lengths).
    public var bytes: UInt64 = 0
    public var ipv4: UInt64 = 0
    public var ipv6: UInt64 = 0
    public var tcp: UInt64 = 0
    public var udp: UInt64 = 0
    public var icmp: UInt64 = 0
    public var otherIP: UInt64 = 0
    public var nonIP: UInt64 = 0
    public var vlanTagged: UInt64 = 0
    public var fragments: UInt64 = 0
    public var ipv4ChecksumBad: UInt64 = 0
    /// Frames whose capture is shorter than their headers claim.
    public var truncated: UInt64 = 0
    /// Frames larger than a 1500-byte MTU (TSO/GRO aggregates and jumbo frames).
    public var oversize: UInt64 = 0
    /// Malformed frames, by reason (indexed by `DecodeError.rawValue`).
    public var malformed = ReasonCounts()

    /// All zero.
    @inlinable public init() {}

    /// Total malformed frames.
    public var malformedTotal: UInt64 { malformed.total }

    /// Adds another worker's counters into these.
    public mutating func add(_ o: DecodeCounters) {
        packets += o.packets; bytes += o.bytes; ipv4 += o.ipv4; ipv6 += o.ipv6
        tcp += o.tcp; udp += o.udp; icmp += o.icmp; otherIP += o.otherIP; nonIP += o.nonIP
        vlanTagged += o.vlanTagged; fragments += o.fragments
        ipv4ChecksumBad += o.ipv4ChecksumBad; truncated += o.truncated; oversize += o.oversize
        malformed.add(o.malformed)
    }
}

/// Up to 32 counters indexed by a small enum's raw value, stored inline (no heap).
public struct ReasonCounts: Sendable, BitwiseCopyable {
    @usableFromInline var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// All zero.
    @inlinable public init() {}

    /// The counter at `index` (0..<32).
    @inlinable public subscript(index: Int) -> UInt64 {
        get { withUnsafeBytes(of: storage) { $0.load(fromByteOffset: (index & 31) * 8, as: UInt64.self) } }
        set { withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: (index & 31) * 8, as: UInt64.self) } }
    }

    /// Adds one to the counter at `index`.
    @inlinable public mutating func bump(_ index: Int) { self[index] &+= 1 }

    /// Sum of all counters.
    public var total: UInt64 { (0..<32).reduce(0) { $0 + self[$1] } }

    /// Adds another set into this one.
    public mutating func add(_ o: ReasonCounts) { for i in 0..<32 { self[i] &+= o[i] } }
}
