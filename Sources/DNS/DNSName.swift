import L7Core

/// Decoding of (possibly compressed) domain names into dotted text without allocating.
public enum DNSName {
    /// The most compression pointers followed for one name. Pointers must also point
    /// backwards, which alone rules out loops; the bound caps the work per name anyway.
    public static let maxJumps = 32
    /// The longest name in wire form, per RFC 1035.
    public static let maxWireLength = 255

    /// Skips the name at `offset` without decoding it and returns the offset just past it in
    /// the record (not following pointers, which end a name in place). Validates nothing
    /// beyond bounds and label types; `decode` does the full checks.
    @inlinable public static func skip(_ msg: UnsafeRawBufferPointer, at offset: Int) throws(DNSParseError) -> Int {
        var pos = offset
        while true {
            guard pos < msg.count else { throw .truncated }
            let len = msg[pos]
            switch len & 0xc0 {
            case 0x00:
                if len == 0 { return pos + 1 }
                pos += 1 + Int(len)
            case 0xc0:
                guard pos + 1 < msg.count else { throw .truncated }
                return pos + 2
            default:
                throw .badLabel
            }
        }
    }

    /// Decodes the name at `offset` of `msg` into `out` in dotted form ("<root>" for the root,
    /// as Suricata logs it) and returns the offset just past the name where it started (after
    /// the first pointer, if any). Label bytes are copied raw; the EVE writer escapes them.
    @inlinable public static func decode(_ msg: UnsafeRawBufferPointer, at offset: Int,
                                         into out: inout FixedBytes<256>) throws(DNSParseError) -> Int {
        out.removeAll()
        var pos = offset
        var end = -1
        var jumps = 0
        var wireLength = 0
        while true {
            guard pos >= 0, pos < msg.count else { throw .truncated }
            let len = msg[pos]
            switch len & 0xc0 {
            case 0x00:
                if len == 0 {
                    wireLength += 1
                    guard wireLength <= maxWireLength else { throw .nameTooLong }
                    if out.count == 0 { out.append(rootText) }
                    return end >= 0 ? end : pos + 1
                }
                let n = Int(len)
                wireLength += n + 1
                guard wireLength <= maxWireLength else { throw .nameTooLong }
                guard pos + 1 + n <= msg.count else { throw .truncated }
                if out.count > 0 { out.append(UInt8(ascii: ".")) }
                out.append(UnsafeRawBufferPointer(rebasing: msg[(pos + 1)..<(pos + 1 + n)]))
                pos += 1 + n
            case 0xc0:
                guard pos + 1 < msg.count else { throw .truncated }
                let target = Int(len & 0x3f) << 8 | Int(msg[pos + 1])
                // Only strictly backward pointers: a name can only reuse what came before it.
                guard target < pos else { throw .badPointer }
                jumps += 1
                guard jumps <= maxJumps else { throw .tooManyJumps }
                if end < 0 { end = pos + 2 }
                pos = target
            default:
                throw .badLabel
            }
        }
    }

    /// The text Suricata logs for the root name.
    @usableFromInline static var rootText: UnsafeRawBufferPointer {
        let s: StaticString = "<root>"
        return UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
    }
}
