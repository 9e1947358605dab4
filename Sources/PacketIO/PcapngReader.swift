#if canImport(Glibc)
import Glibc
#endif
import Codecs

/// A pcapng reader of Sluice's own, for what libpcap refuses: files whose interfaces have
/// different link types (libpcap stops at the second one), several sections, and damaged
/// blocks. Every length comes from the file and is checked before use; a block that breaks
/// the format ends the read with `damage` set, and everything before it has been handed out.
///
/// Enhanced, simple and (obsolete) packet blocks carry frames; interface blocks give each
/// frame its link type and timestamp resolution (`if_tsresol`, `if_tsoffset`); other blocks
/// are skipped. Frames are valid until the next call: one buffer is reused for every block
/// (its owner calls `deallocate()`).
@usableFromInline struct PcapngReader {
    /// The largest block accepted; a longer length field is damage, not an allocation.
    static let maxBlockLength = 16 << 20

    struct Interface {
        var linkType: LinkType
        /// Timestamp units per second as a power: 10^exponent, or 2^exponent when binary.
        var exponent: UInt8 = 6
        var binary = false
        /// Seconds added to every timestamp of this interface.
        var offsetSeconds: Int64 = 0
    }

    let file: UnsafeMutablePointer<FILE>
    var buffer: UnsafeMutableRawPointer
    var capacity: Int
    var bigEndian = false
    var interfaces: [Interface] = []
    /// Bytes consumed so far, for messages.
    var offset: UInt64 = 0
    /// Why reading stopped early; nil while the file reads cleanly.
    var damage: String?

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        capacity = 65536
        buffer = .allocate(byteCount: capacity, alignment: 8)
    }

    func deallocate() { buffer.deallocate() }

    /// The next frame with its link type; nil at the end or at damage.
    mutating func next() -> (packet: CapturedPacket, linkType: LinkType)? {
        while damage == nil {
            var head = (UInt32(0), UInt32(0))
            let got = withUnsafeMutableBytes(of: &head) { fread($0.baseAddress, 1, 8, file) }
            if got == 0 { return nil }
            guard got == 8 else { return stop("a block header cut short") }
            var type = head.0, length = head.1
            if type == 0x0A0D0D0A {
                // A section header: its byte-order magic decides how everything after it reads.
                var magic: UInt32 = 0
                guard fread(&magic, 1, 4, file) == 4 else { return stop("a section header cut short") }
                if magic == 0x1A2B3C4D { bigEndian = false } else if magic == 0x4D3C2B1A { bigEndian = true } else {
                    return stop("a section header with byte-order magic \(hex(magic))")
                }
                length = order(length)
                interfaces.removeAll(keepingCapacity: true)
                guard length >= 28, length % 4 == 0, Int(length) <= Self.maxBlockLength else {
                    return stop("a section header of length \(length)")
                }
                guard skip(Int(length) - 12) else { return stop("a section header cut short") }
                offset &+= UInt64(length)
                continue
            }
            type = order(type); length = order(length)
            guard length >= 12, length % 4 == 0, Int(length) <= Self.maxBlockLength else {
                return stop("a block of type \(type) with length \(length)")
            }
            let body = Int(length) - 8
            if body > capacity {
                buffer.deallocate()
                capacity = body
                buffer = .allocate(byteCount: capacity, alignment: 8)
            }
            guard fread(buffer, 1, body, file) == body else { return stop("the last block cut short (\(length) bytes announced)") }
            let blockStart = offset
            offset &+= UInt64(length)
            let b = UnsafeRawBufferPointer(start: buffer, count: body - 4)
            switch type {
            case 1: guard addInterface(b) else { return stop("an interface block at offset \(blockStart) too short") }
            case 6, 2:
                if let f = packet(b, enhanced: type == 6) { return f }
                if damage != nil { return nil }
            case 3:
                guard b.count >= 4, let i = interfaces.first else { continue }
                let wire = Int(u32(b, 0))
                let cap = min(wire, b.count - 4)
                return (CapturedPacket(data: UnsafeRawBufferPointer(rebasing: b[4..<(4 + cap)]), wireLength: wire, timestamp: 0),
                        i.linkType)
            default: continue
            }
        }
        return nil
    }

    private mutating func packet(_ b: UnsafeRawBufferPointer, enhanced: Bool) -> (packet: CapturedPacket, linkType: LinkType)? {
        let header = 20
        guard b.count >= header else { damage = "a packet block too short at offset \(offset)"; return nil }
        let id = enhanced ? Int(u32(b, 0)) : Int(u16(b, 0))
        guard id < interfaces.count else { damage = "a packet names interface \(id), of \(interfaces.count) described"; return nil }
        let ts = UInt64(u32(b, 4)) << 32 | UInt64(u32(b, 8))
        let cap = Int(u32(b, 12)), wire = Int(u32(b, 16))
        guard cap <= b.count - header else { damage = "a packet of \(cap) captured bytes in a block of \(b.count)"; return nil }
        let i = interfaces[id]
        return (CapturedPacket(data: UnsafeRawBufferPointer(rebasing: b[header..<(header + cap)]), wireLength: max(wire, cap),
                               timestamp: Self.nanoseconds(ts, i)), i.linkType)
    }

    private mutating func addInterface(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= 8 else { return false }
        var i = Interface(linkType: LinkType(rawValue: Int32(u16(b, 0))))
        // Options: code, length, value padded to 4; end at code 0 or the block's end.
        var o = 8
        while o + 4 <= b.count {
            let code = u16(b, o), len = Int(u16(b, o + 2))
            o += 4
            guard code != 0, len <= b.count - o else { break }
            if code == 9, len >= 1 {
                let v = b[o]
                i.binary = v & 0x80 != 0
                i.exponent = v & 0x7F
            } else if code == 14, len >= 8 {
                i.offsetSeconds = Int64(bitPattern: UInt64(u32(b, bigEndian ? o : o + 4)) << 32 | UInt64(u32(b, bigEndian ? o + 4 : o)))
            }
            o += (len + 3) & ~3
        }
        interfaces.append(i)
        return true
    }

    /// `ts` in the interface's units as nanoseconds since the epoch, saturating: a timestamp
    /// past what 64 bits of nanoseconds hold (year 2554) is a clock to distrust, not a trap.
    static func nanoseconds(_ ts: UInt64, _ i: Interface) -> UInt64 {
        var ns: UInt64
        if i.binary {
            let e = min(Int(i.exponent), 63)
            let wide = ts.multipliedFullWidth(by: 1_000_000_000)
            // (high:low) >> e, saturated to 64 bits.
            if e == 0 { ns = wide.high == 0 ? wide.low : .max } else {
                let high = wide.high >> UInt64(e)
                ns = high != 0 ? .max : (wide.low >> UInt64(e)) | (wide.high << UInt64(64 - e))
            }
        } else if i.exponent <= 9 {
            var scale: UInt64 = 1
            for _ in 0..<(9 - Int(i.exponent)) { scale &*= 10 }
            let (v, o) = ts.multipliedReportingOverflow(by: scale)
            ns = o ? .max : v
        } else {
            var div: UInt64 = 1
            for _ in 0..<min(Int(i.exponent) - 9, 19) { div &*= 10 }
            ns = ts / div
        }
        if i.offsetSeconds != 0 {
            let (shift, o) = UInt64(i.offsetSeconds.magnitude).multipliedReportingOverflow(by: 1_000_000_000)
            if o { ns = i.offsetSeconds > 0 ? .max : 0 } else if i.offsetSeconds > 0 {
                let (v, o2) = ns.addingReportingOverflow(shift); ns = o2 ? .max : v
            } else {
                ns = ns >= shift ? ns - shift : 0
            }
        }
        return ns
    }

    private mutating func stop(_ why: String) -> (packet: CapturedPacket, linkType: LinkType)? {
        damage = "\(why) at byte \(offset)"
        return nil
    }

    private func skip(_ n: Int) -> Bool {
        guard n > 0 else { return true }
        return fseeko(file, off_t(n), SEEK_CUR) == 0 && ftello(file) <= fileSize()
    }

    private func fileSize() -> off_t {
        var st = stat()
        return fstat(fileno(file), &st) == 0 ? st.st_size : .max
    }

    private func order(_ v: UInt32) -> UInt32 { bigEndian ? v.byteSwapped : v }
    private func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 { order(b.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    private func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt16 {
        let v = b.loadUnaligned(fromByteOffset: o, as: UInt16.self)
        return bigEndian ? v.byteSwapped : v
    }
    private func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
