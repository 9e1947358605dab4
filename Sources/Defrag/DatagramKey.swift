/// Identifies the datagram a fragment belongs to: version, addresses, identification, protocol
/// (IPv4 only; IPv6 keys on the fragment header alone, RFC 8200) and VLAN. Addresses are kept as
/// raw words in wire order because they are only compared and hashed, never printed.
@usableFromInline
struct DatagramKey: Equatable {
    @usableFromInline var src0: UInt64 = 0
    @usableFromInline var src1: UInt64 = 0
    @usableFromInline var dst0: UInt64 = 0
    @usableFromInline var dst1: UInt64 = 0
    @usableFromInline var id: UInt32 = 0
    @usableFromInline var vlan: UInt16 = 0
    @usableFromInline var proto: UInt8 = 0
    @usableFromInline var version: UInt8 = 0

    @inlinable init() {}

    /// Seeded so that an attacker who picks addresses and ids cannot aim them at one probe chain
    /// without knowing this worker's seed.
    @inlinable
    func hash(seed: UInt64) -> UInt64 {
        var h = seed
        h = Self.mix(h ^ src0)
        h = Self.mix(h ^ src1)
        h = Self.mix(h ^ dst0)
        h = Self.mix(h ^ dst1)
        let tail = UInt64(id) | UInt64(vlan) << 32 | UInt64(proto) << 48 | UInt64(version) << 56
        return Self.mix(h ^ tail)
    }

    /// Folded 64x64->128 multiply: every input bit reaches every output bit in one step.
    @inlinable @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        let m = x.multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15)
        return m.high ^ m.low
    }
}
