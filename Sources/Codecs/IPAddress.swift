/// An IPv4 or IPv6 address held as 128 bits, IPv4 in its IPv4-mapped form (`::ffff:a.b.c.d`),
/// so flow keys and hashes treat both families alike without a tag or an existential.
public struct IPAddress: Hashable, Sendable {
    /// The first 64 bits, most significant byte first.
    public var hi: UInt64
    /// The last 64 bits, most significant byte first.
    public var lo: UInt64

    /// Creates an address from its two 64-bit halves.
    @inlinable public init(hi: UInt64, lo: UInt64) {
        self.hi = hi
        self.lo = lo
    }

    /// Creates an IPv4 address from its 32-bit value in host order.
    @inlinable public init(v4 value: UInt32) {
        hi = 0
        lo = 0x0000_ffff_0000_0000 | UInt64(value)
    }

    /// Reads an IPv4 address (4 bytes) at `offset` of `base`.
    @inlinable public init(v4At base: UnsafeRawPointer, _ offset: Int) {
        self.init(v4: UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    /// Reads an IPv6 address (16 bytes) at `offset` of `base`.
    @inlinable public init(v6At base: UnsafeRawPointer, _ offset: Int) {
        hi = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        lo = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
    }

    /// Whether this is an IPv4 address.
    @inlinable public var isV4: Bool { hi == 0 && (lo >> 32) == 0xffff }

    /// The IPv4 value in host order (meaningful only when `isV4`).
    @inlinable public var v4Value: UInt32 { UInt32(truncatingIfNeeded: lo) }

    /// Writes the form Suricata's EVE output uses: dotted quad, or IPv6 as eight 4-digit groups
    /// without compression (`2001:0db8:0000:...`). `out` must hold at least 40 bytes.
    @inlinable public func formatExpanded(into out: UnsafeMutablePointer<UInt8>) -> Int {
        if isV4 { return format(into: out) }
        let digits: StaticString = "0123456789abcdef"
        var n = 0
        for i in 0..<8 {
            let half = i < 4 ? hi : lo
            let g = UInt16(truncatingIfNeeded: half >> UInt64(48 - 16 * (i % 4)))
            if i > 0 { out[n] = UInt8(ascii: ":"); n += 1 }
            for shift in stride(from: 12, through: 0, by: -4) {
                out[n] = digits.utf8Start[Int((g >> UInt16(shift)) & 0xf)]
                n += 1
            }
        }
        return n
    }

    /// Writes the textual form (dotted quad, or RFC 5952 IPv6) into `out`, returning the byte count.
    /// `out` must hold at least 46 bytes. Used by the event writer, so it builds no `String`.
    @inlinable public func format(into out: UnsafeMutablePointer<UInt8>) -> Int {
        if isV4 {
            var n = 0
            let v = v4Value
            for i in 0..<4 {
                if i > 0 { out[n] = UInt8(ascii: "."); n += 1 }
                n += writeDecimal(UInt64((v >> UInt32(24 - 8 * i)) & 0xff), into: out + n)
            }
            return n
        }
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &groups) { raw in
            let g = raw.bindMemory(to: UInt16.self)
            for i in 0..<4 {
                g[i] = UInt16(truncatingIfNeeded: hi >> UInt64(48 - 16 * i))
                g[i + 4] = UInt16(truncatingIfNeeded: lo >> UInt64(48 - 16 * i))
            }
        }
        return withUnsafeBytes(of: &groups) { raw in
            let g = raw.bindMemory(to: UInt16.self)
            // RFC 5952: compress the longest run (of two or more) of zero groups.
            var bestStart = -1, bestLen = 0, runStart = -1
            for i in 0...8 {
                if i < 8 && g[i] == 0 {
                    if runStart < 0 { runStart = i }
                } else if runStart >= 0 {
                    if i - runStart > bestLen { bestLen = i - runStart; bestStart = runStart }
                    runStart = -1
                }
            }
            if bestLen < 2 { bestStart = -1 }
            var n = 0
            var i = 0
            while i < 8 {
                if i == bestStart {
                    out[n] = UInt8(ascii: ":"); n += 1
                    if i == 0 { out[n] = UInt8(ascii: ":"); n += 1 }
                    i += bestLen
                    continue
                }
                n += writeHex(g[i], into: out + n)
                if i < 7 { out[n] = UInt8(ascii: ":"); n += 1 }
                i += 1
            }
            return n
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// The textual form; for tests, logs and summaries, never the packet path.
    public var description: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buf in
            let n = format(into: buf.baseAddress!)
            return String(decoding: UnsafeBufferPointer(start: buf.baseAddress!, count: n), as: UTF8.self)
        }
    }

    /// The form EVE records use (IPv6 uncompressed, as Suricata writes it).
    public var eveDescription: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buf in
            let n = formatExpanded(into: buf.baseAddress!)
            return String(decoding: UnsafeBufferPointer(start: buf.baseAddress!, count: n), as: UTF8.self)
        }
    }

    /// Parses dotted-quad IPv4 or textual IPv6; nil when the text is neither.
    public init?(_ text: String) {
        if !text.contains(":") {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var v: UInt32 = 0
            for p in parts {
                guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let b = UInt8(p) else { return nil }
                v = v << 8 | UInt32(b)
            }
            self.init(v4: v)
            return
        }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            for p in s.split(separator: ":", omittingEmptySubsequences: false) {
                guard !p.isEmpty, p.count <= 4, p.allSatisfy({ $0.isHexDigit }), let g = UInt16(p, radix: 16) else { return nil }
                out.append(g)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<4 { h = h << 16 | UInt64(all[i]); l = l << 16 | UInt64(all[i + 4]) }
        self.init(hi: h, lo: l)
    }
}

/// Writes `value` in decimal into `out`; returns the number of bytes written (at most 20).
@inlinable public func writeDecimal(_ value: UInt64, into out: UnsafeMutablePointer<UInt8>) -> Int {
    if value == 0 { out[0] = UInt8(ascii: "0"); return 1 }
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    return withUnsafeMutableBytes(of: &digits) { tmp in
        var v = value
        var n = 0
        while v > 0 {
            tmp[n] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
            n += 1
        }
        for i in 0..<n { out[i] = tmp[n - 1 - i] }
        return n
    }
}

/// Writes `value` in lowercase hex without leading zeros; returns the byte count.
@inlinable public func writeHex(_ value: UInt16, into out: UnsafeMutablePointer<UInt8>) -> Int {
    let digits: StaticString = "0123456789abcdef"
    var started = false
    var n = 0
    for shift in stride(from: 12, through: 0, by: -4) {
        let d = Int((value >> UInt16(shift)) & 0xf)
        if d != 0 || started || shift == 0 {
            out[n] = digits.utf8Start[d]
            n += 1
            started = true
        }
    }
    return n
}
