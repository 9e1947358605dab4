import Codecs
import L7Core
#if canImport(Glibc)
import Glibc
#endif

/// Which names resolved to which addresses, learned from the DNS answers a worker saw: the
/// policy matches FQDN groups through it ("is this destination one of *.example.com?").
///
/// Fixed capacity, allocated once; keyed by address with open addressing over a short probe
/// window. One address may be behind several names (each pair is an entry). An entry lives
/// for its record's TTL, clamped to [`minTTL`, `maxTTL`] seconds (short TTLs would otherwise
/// expire before the connection they resolved for starts); when the window is full the entry
/// closest to expiry gives way, counted in `evictions`.
public struct NameCache: ~Copyable {
    /// Names longer than this are kept cut (and would not match a group).
    public static let nameCapacity = 128
    /// Shortest and longest lifetime given to an entry, in seconds.
    public static let minTTL: UInt64 = 60
    public static let maxTTL: UInt64 = 86_400
    @usableFromInline static let window = 8

    @usableFromInline struct Entry {
        @usableFromInline var address = IPAddress(hi: 0, lo: 0)
        @usableFromInline var name = FixedBytes<128>()
        /// Nanoseconds (capture clock); 0 marks an empty slot.
        @usableFromInline var expires: UInt64 = 0
        @inlinable init() {}
    }

    @usableFromInline let entries: UnsafeMutablePointer<Entry>
    @usableFromInline let mask: Int
    /// Pairs stored or refreshed.
    public var insertions: UInt64 = 0
    /// Live entries that gave way to newer ones.
    public var evictions: UInt64 = 0

    /// A cache of at least `capacity` entries (rounded up to a power of two).
    public init(capacity: Int = 16384) {
        var n = 16
        while n < capacity { n <<= 1 }
        mask = n - 1
        entries = .allocate(capacity: n)
        entries.initialize(repeating: Entry(), count: n)
    }

    deinit { entries.deallocate() }

    @inlinable func home(_ a: IPAddress) -> Int {
        var h = a.hi &* 0x9E37_79B9_7F4A_7C15 ^ a.lo
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
    }

    /// Records that `name` resolved to `address` at `now` (nanoseconds) for `ttl` seconds.
    /// Names are stored lower-cased: DNS names compare without case.
    @inlinable public mutating func insert(address: IPAddress, name: UnsafeRawBufferPointer, ttl: UInt32, now: UInt64) {
        var lowered = FixedBytes<128>()
        for b in name { lowered.append(b >= 0x41 && b <= 0x5a ? b | 0x20 : b) }
        let life = min(max(UInt64(ttl), Self.minTTL), Self.maxTTL) * 1_000_000_000
        // Saturating: a capture's clock near its end must not trap (or wrap to "expired").
        let (sum, overflow) = now.addingReportingOverflow(life)
        let expires = overflow ? UInt64.max : sum
        let start = home(address)
        var victim = start
        var victimExpires = UInt64.max
        for i in 0..<Self.window {
            let e = entries + ((start + i) & mask)
            let live = e.pointee.expires > now
            if live && e.pointee.address == address && lowered.withBytes({ e.pointee.name.bytesEqual($0) }) {
                e.pointee.expires = max(e.pointee.expires, expires)
                insertions &+= 1
                return
            }
            let rank = live ? e.pointee.expires : 0
            if rank < victimExpires { victimExpires = rank; victim = (start + i) & mask }
        }
        if victimExpires > 0 { evictions &+= 1 }
        entries[victim].address = address
        entries[victim].name = lowered
        entries[victim].expires = expires
        insertions &+= 1
    }

    /// Calls `body` with every live name that resolved to `address`.
    @inlinable public func forEachName(of address: IPAddress, now: UInt64, _ body: (UnsafeRawBufferPointer) -> Void) {
        let start = home(address)
        for i in 0..<Self.window {
            let e = entries + ((start + i) & mask)
            if e.pointee.expires > now && e.pointee.address == address { e.pointee.name.withBytes(body) }
        }
    }

    /// The live names of `address` (tests and tools; allocates).
    public func names(of address: IPAddress, now: UInt64) -> [String] {
        var out: [String] = []
        forEachName(of: address, now: now) { out.append(String(decoding: $0, as: UTF8.self)) }
        return out.sorted()
    }
}

extension FixedBytes {
    /// Whether the contents equal `other` byte for byte.
    @inlinable func bytesEqual(_ other: UnsafeRawBufferPointer) -> Bool {
        withBytes { mine in mine.count == other.count && (mine.count == 0 || memcmp(mine.baseAddress!, other.baseAddress!, mine.count) == 0) }
    }
}
