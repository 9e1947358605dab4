import Codecs

/// Hashing for flow keys. Symmetric: both directions of a flow hash alike, so one lookup
/// finds the flow whichever side sent the packet.
public enum FlowHash {
    @inlinable @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        // The 64-bit finaliser of MurmurHash3: every input bit affects every output bit.
        var k = x
        k ^= k >> 33
        k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    @inlinable @inline(__always)
    static func endpoint(_ a: IPAddress, _ port: UInt16) -> UInt64 {
        mix(a.hi &* 0x9e37_79b9_7f4a_7c15 ^ a.lo ^ (UInt64(port) << 48 | UInt64(port)))
    }

    /// The hash of a flow between two endpoints; order of the endpoints does not matter.
    @inlinable
    public static func hash(_ a: IPAddress, _ aPort: UInt16, _ b: IPAddress, _ bPort: UInt16,
                            proto: UInt8, vlan: UInt16, iface: UInt16) -> UInt32 {
        let h = endpoint(a, aPort) &+ endpoint(b, bPort)
        let m = mix(h ^ UInt64(proto) ^ UInt64(vlan) << 8 ^ UInt64(iface) << 24)
        return UInt32(truncatingIfNeeded: m ^ (m >> 32))
    }
}
