/// Which way frames crossed an interface: on an inline pair, from its first interface to its
/// second (`aToB`) or back; a tap has one direction (`aToB`).
public enum TrafficDirection: Int, CaseIterable, Sendable {
    /// From the pair's first interface to its second, or into a tap.
    case aToB = 0
    /// From the pair's second interface to its first.
    case bToA = 1
}

/// One interface's counters in one direction.
public struct DirectionTraffic: Sendable, Equatable {
    /// Frames received.
    public var packets: UInt64
    /// Bytes of those frames, on the wire.
    public var bytes: UInt64
    /// Frames forwarded (inline only).
    public var forwarded: UInt64
    /// Frames a verdict dropped.
    public var dropped: UInt64

    /// The given counts (all zero by default).
    @inlinable public init(packets: UInt64 = 0, bytes: UInt64 = 0, forwarded: UInt64 = 0, dropped: UInt64 = 0) {
        self.packets = packets; self.bytes = bytes; self.forwarded = forwarded; self.dropped = dropped
    }
}

/// Per interface number (0..<32, as the daemon numbers interfaces) and direction: packets,
/// bytes, forwarded and dropped frames; per interface: frames the kernel dropped. Inline
/// storage. Interface numbers beyond the capacity are not stored: setting their counters does
/// nothing, and frames `record`ed for them are counted in `untracked`.
public struct InterfaceTraffic: BitwiseCopyable, Sendable {
    @usableFromInline var packets = Counters64()
    @usableFromInline var bytes = Counters64()
    @usableFromInline var forwarded = Counters64()
    @usableFromInline var dropped = Counters64()
    /// Frames the kernel dropped (ring full), per interface number.
    public var kernelDrops = Counters32()
    /// Frames recorded for interface numbers at or beyond `capacity` (a worker that copies
    /// its own counters in sets this itself).
    public var untracked: UInt64 = 0

    /// Number of interface numbers held (0..<32).
    public static let capacity = 32

    /// All zero.
    @inlinable public init() {}

    /// The counters of interface `iface` in `direction` (zero, and not settable, beyond the
    /// capacity).
    @inlinable public subscript(iface: Int, direction: TrafficDirection) -> DirectionTraffic {
        get {
            guard iface >= 0 && iface < Self.capacity else { return DirectionTraffic() }
            let i = iface &* 2 &+ direction.rawValue
            return DirectionTraffic(packets: packets[i], bytes: bytes[i], forwarded: forwarded[i], dropped: dropped[i])
        }
        set {
            guard iface >= 0 && iface < Self.capacity else { return }
            let i = iface &* 2 &+ direction.rawValue
            packets[i] = newValue.packets; bytes[i] = newValue.bytes
            forwarded[i] = newValue.forwarded; dropped[i] = newValue.dropped
        }
    }

    /// Counts one frame of `bytes` bytes received on `iface` in `direction`, forwarded or
    /// dropped (for a worker that counts here directly rather than copying its own counters).
    @inlinable public mutating func record(iface: Int, direction: TrafficDirection, bytes n: Int, forwarded f: Bool) {
        guard iface >= 0 && iface < Self.capacity else { untracked &+= 1; return }
        let i = iface &* 2 &+ direction.rawValue
        packets.add(1, at: i)
        bytes.add(UInt64(truncatingIfNeeded: n), at: i)
        if f { forwarded.add(1, at: i) } else { dropped.add(1, at: i) }
    }

    /// Adds another worker's counters.
    public mutating func add(_ o: InterfaceTraffic) {
        packets.add(o.packets); bytes.add(o.bytes); forwarded.add(o.forwarded); dropped.add(o.dropped)
        kernelDrops.add(o.kernelDrops); untracked &+= o.untracked
    }
}
