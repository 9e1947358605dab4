import Defrag

/// A sequence of IPv4 and IPv6 fragments through one `Defragmenter` with small limits, so
/// overlaps, reordering, duplicates, eviction, timeouts and size limits are all reached.
///
/// Input: one byte of limits, then per fragment a control byte, a 16-bit offset field, a
/// length byte and that many payload bytes. The harness builds well-formed headers around
/// them (the fuzzer spends its effort on reassembly, not on checksums), except when the
/// control byte asks for raw bytes, which go in as an IP datagram unchanged. Payload bytes
/// are a function of their position in the datagram, so a rebuilt datagram can be checked:
/// first-wins must never hand back a byte that no fragment carried at that position.
enum DefragFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let limits = input.byte()
        var config = DefragConfig()
        config.maxDatagrams = Int(limits & 7) + 1
        config.maxFragmentsPerDatagram = Int(limits >> 3 & 15) + 1
        config.timeoutNanos = 1_000_000_000
        config.maxDatagramSize = limits & 0x80 != 0 ? 2048 : 65535 + 40
        var d = Defragmenter(config: config)
        var now: UInt64 = 1_700_000_000_000_000_000
        var packet = [UInt8](repeating: 0, count: 65535 + 600)
        // A raw fragment may join a built datagram with bytes of its own: no check after one.
        var sawRaw = false
        while !input.isAtEnd {
            let control = input.byte()
            // Time steps of 0, 0.25 s, 2 s (past the timeout) and the end of the clock.
            switch control >> 5 & 3 {
            case 1: now &+= 250_000_000
            case 2: now &+= 2_000_000_000
            case 3: if input.byte() & 1 == 1 { now = UInt64.max &- UInt64(input.byte()) }
            default: break
            }
            let field = input.uint16()
            let length = Int(input.byte()) << (control & 0x80 != 0 ? 4 : 0)
            let raw = control & 0x10 != 0
            sawRaw = sawRaw || raw
            let count = packet.withUnsafeMutableBytes { p in
                raw ? copyRaw(&input, length: length, into: p)
                    : build(version6: control & 1 != 0, more: control & 2 != 0, id: control >> 2 & 3,
                            field: field, length: length, into: p)
            }
            let fragmentHeader = raw ? Int(field & 0x3ff) : (control & 1 != 0 ? 48 : 0)
            packet.withUnsafeBytes { p in
                let ip = UnsafeRawBufferPointer(rebasing: p[0..<count])
                if case .reassembled(let datagram) = d.insert(ip: ip, fragmentHeaderOffset: fragmentHeader,
                                                              vlan: UInt16(control >> 6), now: now) {
                    if !sawRaw { check(datagram) }
                }
            }
            if control & 0x0c == 0x0c { d.expire(now: now) }
        }
        precondition(d.inFlight <= config.maxDatagrams)
    }

    /// Copies `length` input bytes as a datagram of their own.
    static func copyRaw(_ input: inout FuzzInput, length: Int, into p: UnsafeMutableRawBufferPointer) -> Int {
        let bytes = input.take(length)
        guard bytes.count > 0 else { return 0 }
        UnsafeMutableRawBufferPointer(rebasing: p[0..<bytes.count]).copyMemory(from: bytes)
        return bytes.count
    }

    /// Writes a fragment of datagram `id`: offset `field` (in 8-byte units), `length` payload
    /// bytes whose values follow their datagram position. IPv6 fragments carry an 8-byte
    /// hop-by-hop header before the fragment header.
    static func build(version6: Bool, more: Bool, id: UInt8, field: UInt16, length: Int,
                      into p: UnsafeMutableRawBufferPointer) -> Int {
        let offset = Int(field & 0x1fff) * 8
        let header = version6 ? 56 : 20
        for i in 0..<length { p[header + i] = pattern(offset + i) }
        for i in 0..<header { p[i] = 0 }
        if version6 {
            p[0] = 0x60
            store16(p, 4, UInt16(truncatingIfNeeded: 16 + length))
            p[6] = 0          // hop-by-hop
            p[7] = 64
            p[23] = 1; p[39] = 2
            p[40] = 44        // then the fragment header
            p[48] = 17
            store16(p, 50, UInt16(truncatingIfNeeded: offset) | (more ? 1 : 0))
            p[55] = id
        } else {
            p[0] = 0x45
            store16(p, 2, UInt16(truncatingIfNeeded: 20 + length))
            p[5] = id
            store16(p, 6, field & 0x1fff | (more ? 0x2000 : 0))
            p[8] = 64; p[9] = 17
            p[15] = 1; p[19] = 2
        }
        return header + length
    }

    @inline(__always) static func pattern(_ position: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: position &* 7 &+ position >> 8)
    }

    static func store16(_ p: UnsafeMutableRawBufferPointer, _ at: Int, _ v: UInt16) {
        p[at] = UInt8(v >> 8); p[at + 1] = UInt8(truncatingIfNeeded: v)
    }

    /// A rebuilt datagram's length field matches its size and every payload byte is the one
    /// some fragment carried at that position.
    static func check(_ datagram: UnsafeRawBufferPointer) {
        guard datagram.count >= 20 else { preconditionFailure("rebuilt datagram of \(datagram.count) bytes") }
        let v6 = datagram[0] >> 4 == 6
        let header = v6 ? 48 : 20
        let declared = (Int(datagram[v6 ? 4 : 2]) << 8 | Int(datagram[v6 ? 5 : 3])) + (v6 ? 40 : 0)
        precondition(declared == datagram.count, "length field \(declared), datagram \(datagram.count)")
        for i in header..<datagram.count where datagram[i] != pattern(i - header) {
            preconditionFailure("byte \(i - header) of a rebuilt datagram is not what any fragment carried")
        }
    }
}
