import L7Core

/// One direction of an SSH connection up to its NEWKEYS: the identification line, then binary
/// packets (RFC 4253 6: `uint32 packet_length`, `byte padding_length`, payload, padding; no
/// MAC before the first NEWKEYS). Only KEXINIT is gathered (to compute HASSH); other packets
/// are skipped by count. Lengths come from the peer, so each is checked before use, and a bad
/// one stops the direction (counted) instead of trusting it.
@usableFromInline
struct SSHReader: Sendable {
    @usableFromInline enum Phase: UInt8, Sendable {
        /// Reading lines until `SSH-...` (a server may send other lines first).
        case banner
        /// Reading the 6 bytes that start a packet: length, padding length, message code.
        case header
        /// Inside a packet's payload and padding.
        case body
        /// NEWKEYS went by (or SSH-1): the rest is encrypted or not read.
        case done
        /// Lost (bad length, bad banner, gap): nothing more is read.
        case failed
    }

    @usableFromInline var phase = Phase.banner
    /// The identification line so far (RFC: at most 255 bytes with CR LF; longer is cut).
    @usableFromInline var line = FixedBytes<256>()
    /// Lines before the identification string.
    @usableFromInline var linesSkipped = 0
    @usableFromInline var header: UInt64 = 0
    @usableFromInline var headerHave = 0
    @usableFromInline var packetLength = 0
    @usableFromInline var paddingLength = 0
    @usableFromInline var code: UInt8 = 0
    /// Bytes of the current packet still to come after its message code.
    @usableFromInline var remaining = 0
    /// The current packet is a KEXINIT being kept in `message`.
    @usableFromInline var gathering = false
    /// The KEXINIT payload after its message code (padding included until the end).
    @usableFromInline var message = FixedBytes<8192>()

    @inlinable init() {}

    @inlinable mutating func reset() {
        phase = .banner; line.removeAll(); linesSkipped = 0
        header = 0; headerHave = 0; packetLength = 0; paddingLength = 0; code = 0; remaining = 0
        gathering = false; message.removeAll()
    }

    /// Whether this direction has nothing more to say.
    @inlinable var finished: Bool { phase == .done || phase == .failed }

    /// Reads `bytes`, the next part of this direction, into `side`.
    @usableFromInline
    mutating func feed(_ bytes: UnsafeRawBufferPointer, side: inout SSHSide, toServer: Bool, counters: inout SSHCounters) {
        var p = 0
        let n = bytes.count
        while p < n {
            switch phase {
            case .banner:
                var end = p
                while end < n && bytes[end] != 0x0A { end += 1 }
                line.append(UnsafeRawBufferPointer(rebasing: bytes[p..<end]))
                if end == n { return }
                p = end + 1
                endOfLine(side: &side, counters: &counters)
            case .header:
                header = header << 8 | UInt64(bytes[p])
                headerHave += 1
                p += 1
                if headerHave == 6 { startPacket(side: &side, toServer: toServer, counters: &counters) }
            case .body:
                let k = min(remaining, n - p)
                if gathering { message.append(UnsafeRawBufferPointer(rebasing: bytes[p..<(p + k)])) }
                remaining -= k
                p += k
                if remaining == 0 { endPacket(side: &side, toServer: toServer, counters: &counters) }
            case .done, .failed:
                return
            }
        }
    }

    /// A whole line: the identification string, or a line a server may send before it.
    @usableFromInline
    mutating func endOfLine(side: inout SSHSide, counters: inout SSHCounters) {
        defer { line.removeAll() }
        let parsed = line.withBytes { l -> Bool? in
            var text = l
            if text.count > 0 && text[text.count - 1] == 0x0D { text = UnsafeRawBufferPointer(rebasing: text[..<(text.count - 1)]) }
            guard SSHReader.startsWithSSH(text) else { return nil }
            // SSH-protoversion-softwareversion[ SP comments]
            let rest = UnsafeRawBufferPointer(rebasing: text[4...])
            guard let dash = rest.firstIndex(of: UInt8(ascii: "-")), dash > 0 else { return false }
            let software = UnsafeRawBufferPointer(rebasing: rest[(dash + 1)...])
            let end = software.firstIndex(of: UInt8(ascii: " ")) ?? software.count
            side.protoVersion.set(UnsafeRawBufferPointer(rebasing: rest[..<dash]))
            side.softwareVersion.set(UnsafeRawBufferPointer(rebasing: software[..<end]))
            side.bannerSeen = true
            return true
        }
        switch parsed {
        case true?:
            // SSH-1 ("1.5"; not "1.99", which is SSH-2 compatible) frames packets otherwise.
            let v1 = side.protoVersion.withBytes { $0.count > 0 && $0[0] == UInt8(ascii: "1") }
                && !side.protoVersion.equals("1.99")
            phase = v1 ? .done : .header
        case false?:
            counters.badBanners &+= 1
            phase = .failed
        case nil:
            linesSkipped += 1
            if linesSkipped > SSHParser.maxLinesBeforeBanner { counters.badBanners &+= 1; phase = .failed }
        }
    }

    @inlinable
    static func startsWithSSH(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 4 && b[0] == UInt8(ascii: "S") && b[1] == UInt8(ascii: "S") && b[2] == UInt8(ascii: "H")
            && b[3] == UInt8(ascii: "-")
    }

    /// The packet header is in: checks the lengths, then reads or skips the rest.
    @usableFromInline
    mutating func startPacket(side: inout SSHSide, toServer: Bool, counters: inout SSHCounters) {
        packetLength = Int(truncatingIfNeeded: (header >> 16) & 0xFFFF_FFFF)
        paddingLength = Int(truncatingIfNeeded: (header >> 8) & 0xFF)
        code = UInt8(truncatingIfNeeded: header)
        header = 0
        headerHave = 0
        // packet_length counts padding_length, the payload (at least its code) and the padding.
        guard packetLength <= SSHParser.maxPacketLength, packetLength >= 2, paddingLength <= packetLength - 2 else {
            counters.badPacketLengths &+= 1
            phase = .failed
            return
        }
        remaining = packetLength - 2
        gathering = false
        if code == SSHParser.kexInit {
            side.kexInitSeen = true
            message.removeAll()
            if remaining <= SSHParser.kexInitCapacity { gathering = true } else { counters.oversizedKexInits &+= 1 }
        }
        phase = .body
        if remaining == 0 { endPacket(side: &side, toServer: toServer, counters: &counters) }
    }

    @usableFromInline
    mutating func endPacket(side: inout SSHSide, toServer: Bool, counters: inout SSHCounters) {
        phase = .header
        if code == SSHParser.newKeys {
            side.newKeysSeen = true
            phase = .done
        } else if gathering {
            gathering = false
            // The payload after its code; the padding after it is not part of it.
            let payload = packetLength - paddingLength - 2
            let ok = message.withBytes { m in
                HASSH.compute(kexInit: UnsafeRawBufferPointer(rebasing: m[..<min(payload, m.count)]),
                              clientSide: toServer, into: &side)
            }
            if !ok { counters.malformedKexInits &+= 1 }
        }
    }
}
