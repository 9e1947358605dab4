/// Turns the first fragment's header, already copied in front of the rebuilt payload, into the
/// header of the whole datagram.
@usableFromInline
enum DatagramHeader {
    /// Patches the header at `start` (`headerLength` bytes, payload of `payloadLength` right after).
    /// Lengths were checked against the 16-bit length fields when the fragments were accepted.
    @inlinable
    static func finish(_ start: UnsafeMutableRawPointer, version: UInt8, headerLength: Int, payloadLength: Int,
                       nextHeaderPos: Int, fragmentNextHeader: UInt8) {
        if version == 4 {
            store16(start, 2, UInt16(truncatingIfNeeded: headerLength + payloadLength))
            // DF still describes the datagram; MF and the offset described only the fragment.
            store16(start, 6, load16(start, 6) & 0x4000)
            store16(start, 10, 0)
            store16(start, 10, checksum(start, headerLength))
        } else {
            // The fragment header is gone, so whatever pointed at it now names what it carried.
            start.storeBytes(of: fragmentNextHeader, toByteOffset: nextHeaderPos, as: UInt8.self)
            store16(start, 4, UInt16(truncatingIfNeeded: headerLength - 40 + payloadLength))
        }
    }

    /// RFC 1071 one's-complement sum over an even number of bytes.
    @inlinable
    static func checksum(_ p: UnsafeRawPointer, _ count: Int) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < count {
            sum &+= UInt32(load16(p, i))
            i += 2
        }
        while sum > 0xffff { sum = (sum & 0xffff) &+ (sum >> 16) }
        return ~UInt16(truncatingIfNeeded: sum)
    }

    @inlinable @inline(__always)
    static func load16(_ p: UnsafeRawPointer, _ o: Int) -> UInt16 {
        UInt16(bigEndian: p.loadUnaligned(fromByteOffset: o, as: UInt16.self))
    }

    @inlinable @inline(__always)
    static func store16(_ p: UnsafeMutableRawPointer, _ o: Int, _ v: UInt16) {
        p.storeBytes(of: v.bigEndian, toByteOffset: o, as: UInt16.self)
    }
}
