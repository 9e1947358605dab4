import Codecs

/// An address block: `10.0.0.0/8`, `fd77::/64`, or a bare address (a single host).
///
/// IPv4 blocks are held in the IPv4-mapped space (`::ffff:0:0/96`) like `IPAddress`, so one
/// table serves both families. An IPv6 block shorter than /96 that covers that mapped space
/// (`::/0`, `::/64` …) does not take the IPv4 addresses with it: `::/0` means "all IPv6".
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block.
    public var address: IPAddress
    /// Prefix length in the 128-bit space (an IPv4 /24 is 120 here).
    public var prefixLength: Int
    /// Whether the block was written as IPv4.
    public var isV4: Bool

    /// Parses `text`. Host bits set (`10.0.0.1/24`) are an error rather than silently cleared:
    /// such a line is far more often a typo for a host or a different block than intended.
    public init(parsing text: String) throws(CIDRError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let addr = IPAddress(String(parts[0])) else { throw .badAddress }
        let v4 = addr.isV4 && !parts[0].contains(":")
        let maxLen = v4 ? 32 : 128
        var len = maxLen
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 3,
                  let n = Int(parts[1]), n <= maxLen else { throw .badPrefixLength(max: maxLen) }
            len = n
        }
        let full = v4 ? len + 96 : len
        let masked = CIDR.mask(addr, full)
        guard masked == addr else { throw .hostBitsSet(suggestion: CIDR(address: masked, prefixLength: full, isV4: v4).description) }
        self.init(address: addr, prefixLength: full, isV4: v4)
    }

    /// A block from its first address and 128-bit prefix length (which must fit the address).
    public init(address: IPAddress, prefixLength: Int, isV4: Bool) {
        self.address = address; self.prefixLength = prefixLength; self.isV4 = isV4
    }

    /// The block as written in policy files.
    public var description: String {
        isV4 ? "\(address)/\(prefixLength - 96)" : "\(address)/\(prefixLength)"
    }

    /// Whether `a` is in the block (the straightforward test; the classifier uses its tables).
    public func contains(_ a: IPAddress) -> Bool {
        guard CIDR.mask(a, prefixLength) == address else { return false }
        if !isV4 && prefixLength < 96 && a.isV4 { return false }
        return true
    }

    static func mask(_ a: IPAddress, _ len: Int) -> IPAddress {
        let hiMask: UInt64 = len >= 64 ? .max : (len == 0 ? 0 : ~0 << UInt64(64 - len))
        let loMask: UInt64 = len <= 64 ? 0 : (len >= 128 ? .max : ~0 << UInt64(128 - len))
        return IPAddress(hi: a.hi & hiMask, lo: a.lo & loMask)
    }

    /// The inclusive address ranges the block stands for: one, or two for an IPv6 block that
    /// straddles the IPv4-mapped space (which is cut out).
    var ranges: [(U128, U128)] {
        let first = U128(address)
        let last = U128(CIDR.mask(address, prefixLength)).orHostBits(prefixLength)
        if isV4 || prefixLength >= 96 { return [(first, last)] }
        let v4First = U128(hi: 0, lo: 0x0000_ffff_0000_0000), v4Last = U128(hi: 0, lo: 0x0000_ffff_ffff_ffff)
        guard first <= v4First && v4Last <= last else { return [(first, last)] }
        var out: [(U128, U128)] = []
        if first < v4First { out.append((first, v4First.minusOne)) }
        if v4Last < last { out.append((v4Last.plusOne, last)) }
        return out
    }
}

/// Why a CIDR did not parse.
public enum CIDRError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address part is neither IPv4 nor IPv6.
    case badAddress
    /// The prefix length is not a number within the family's width.
    case badPrefixLength(max: Int)
    /// Bits beyond the prefix are set.
    case hostBitsSet(suggestion: String)

    /// The reason, as a sentence fragment for error messages.
    public var description: String {
        switch self {
        case .badAddress: return "not an IPv4 or IPv6 address"
        case .badPrefixLength(let m): return "prefix length must be 0 to \(m)"
        case .hostBitsSet(let s): return "host bits set beyond the prefix (did you mean \(s)?)"
        }
    }
}

/// A 128-bit unsigned value for building address tables (ordering and ±1 with carry); used
/// only when compiling, so it stays simple.
struct U128: Comparable, Hashable {
    var hi: UInt64
    var lo: UInt64
    init(hi: UInt64, lo: UInt64) { self.hi = hi; self.lo = lo }
    init(_ a: IPAddress) { hi = a.hi; lo = a.lo }
    static let max = U128(hi: .max, lo: .max)
    var address: IPAddress { IPAddress(hi: hi, lo: lo) }
    static func < (a: U128, b: U128) -> Bool { a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo }
    var plusOne: U128 { lo == .max ? U128(hi: hi &+ 1, lo: 0) : U128(hi: hi, lo: lo + 1) }
    var minusOne: U128 { lo == 0 ? U128(hi: hi &- 1, lo: .max) : U128(hi: hi, lo: lo - 1) }
    func orHostBits(_ len: Int) -> U128 {
        let hiHost: UInt64 = len >= 64 ? 0 : (len == 0 ? .max : .max >> UInt64(len))
        let loHost: UInt64 = len <= 64 ? .max : (len >= 128 ? 0 : .max >> UInt64(len - 64))
        return U128(hi: hi | hiHost, lo: lo | loHost)
    }
}
