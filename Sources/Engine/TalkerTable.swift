import Codecs

/// Bytes and flows per address for the summary's top talkers: a fixed-size open-addressing
/// table updated once per ended flow (never per packet), so it costs no allocation either.
public struct TalkerTable: ~Copyable {
    @usableFromInline let keys: UnsafeMutablePointer<IPAddress>
    @usableFromInline let bytes: UnsafeMutablePointer<UInt64>
    @usableFromInline let flows: UnsafeMutablePointer<UInt64>
    @usableFromInline let used: UnsafeMutablePointer<Bool>
    @usableFromInline let mask: Int
    @usableFromInline var held = 0
    /// Addresses not counted because the table was full.
    public var overflow: UInt64 { overflowCount }
    @usableFromInline internal(set) var overflowCount: UInt64 = 0

    /// Room for about `capacity` addresses.
    public init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        mask = size - 1
        keys = .allocate(capacity: size); keys.initialize(repeating: IPAddress(hi: 0, lo: 0), count: size)
        bytes = .allocate(capacity: size); bytes.initialize(repeating: 0, count: size)
        flows = .allocate(capacity: size); flows.initialize(repeating: 0, count: size)
        used = .allocate(capacity: size); used.initialize(repeating: false, count: size)
    }

    deinit { keys.deallocate(); bytes.deallocate(); flows.deallocate(); used.deallocate() }

    /// Adds one flow's bytes to an address.
    @inlinable public mutating func add(_ a: IPAddress, bytes n: UInt64) {
        var s = Int(truncatingIfNeeded: (a.hi ^ a.lo) &* 0x9e37_79b9_7f4a_7c15 >> 40) & mask
        while used[s] {
            if keys[s] == a { bytes[s] &+= n; flows[s] &+= 1; return }
            s = (s + 1) & mask
        }
        guard held * 2 < mask else { overflowCount &+= 1; return }
        used[s] = true; keys[s] = a; bytes[s] = n; flows[s] = 1
        held += 1
    }

    /// The `n` addresses with the most bytes.
    public func top(_ n: Int) -> [(address: IPAddress, bytes: UInt64, flows: UInt64)] {
        var all: [(address: IPAddress, bytes: UInt64, flows: UInt64)] = []
        for s in 0...mask where used[s] { all.append((keys[s], bytes[s], flows[s])) }
        return Array(all.sorted { $0.bytes > $1.bytes }.prefix(n))
    }
}
