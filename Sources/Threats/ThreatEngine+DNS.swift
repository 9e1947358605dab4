import Codecs
import Flow

// DNS threats from the message bytes themselves: the walk below follows names the way a
// resolver would, so it sees what a crafted message does to one (loops, oversized labels)
// before any parser gives up on it.

/// What walking one DNS name found.
@usableFromInline
enum DNSNameWalk {
    /// A name of `length` text bytes (dots included).
    case ok(length: Int)
    /// Compression pointers that point forward, at themselves, or jump too often.
    case loop
    /// A label over 63 bytes (the 0x40/0x80 length prefixes) or a name over 255.
    case oversized
    /// The message ends inside the name.
    case truncated
}

extension ThreatEngine {
    /// A whole DNS message of a flow (a UDP payload, or one framed from TCP).
    @inlinable
    public mutating func dnsMessage(_ m: UnsafeRawBufferPointer, flow: UInt32, entry e: UnsafeMutablePointer<FlowEntry>,
                                    toServer: Bool, now: UInt64) {
        guard isEnabled, m.count >= 12 else { return }
        let en = config.enabled
        let qr = m[2] & 0x80 != 0
        let questions = Int(m[4]) << 8 | Int(m[5])
        let records = (Int(m[6]) << 8 | Int(m[7])) &+ (Int(m[8]) << 8 | Int(m[9])) &+ (Int(m[10]) << 8 | Int(m[11]))
        var at = 12
        // Names of the questions and of up to 64 records' owners; record data is skipped.
        var index = 0
        while index < min(questions &+ records, 64 + min(questions, 4)) {
            let question = index < questions
            index &+= 1
            let start = at
            var kept = 0
            let walk = Self.walkName(m, at: &at, into: nil, kept: &kept)
            switch walk {
            case .loop:
                if en & ThreatID.dnsLoopPointer.bit != 0 {
                    fire(.dnsLoopPointer, flow: flow, e, flowSlot(flow, e), now: now, toServer: toServer, value: UInt64(start))
                }
                return
            case .oversized:
                if en & ThreatID.dnsOverflow.bit != 0 {
                    fire(.dnsOverflow, flow: flow, e, flowSlot(flow, e), now: now, toServer: toServer, value: UInt64(start))
                }
                return
            case .truncated:
                return
            case .ok(let length):
                guard at &+ 4 <= m.count else { return }
                let type = UInt16(m[at]) << 8 | UInt16(m[at &+ 1])
                if question && !qr {
                    query(m, nameAt: start, length: length, type: type, flow: flow, e, now: now)
                }
                at &+= 4
                if !question {
                    guard at &+ 6 <= m.count else { return }
                    let rdLength = Int(m[at &+ 4]) << 8 | Int(m[at &+ 5])
                    at &+= 6 &+ rdLength
                    guard at <= m.count else { return }
                }
            }
        }
    }

    /// The checks of one question of a query.
    @inlinable
    mutating func query(_ m: UnsafeRawBufferPointer, nameAt start: Int, length: Int, type: UInt16, flow: UInt32,
                        _ e: UnsafeMutablePointer<FlowEntry>, now: UInt64) {
        let en = config.enabled
        if (type == 252 || type == 251) && en & ThreatID.dnsZoneTransfer.bit != 0 {
            fire(.dnsZoneTransfer, flow: flow, e, flowSlot(flow, e), now: now, value: UInt64(type))
        }
        if type == 10 && en & ThreatID.dnsTypeNull.bit != 0 {
            fire(.dnsTypeNull, flow: flow, e, flowSlot(flow, e), now: now, value: 10)
        }
        guard length >= config.dnsTunnelNameLength, en & ThreatID.dnsTunneling.bit != 0 else { return }
        // Tunnels pack encoded data into long labels: long names whose characters are close
        // to uniformly random. Counted per client per minute, so one odd name is not a tunnel.
        let (entropy, hash) = withUnsafeTemporaryAllocation(byteCount: 256, alignment: 1) { buf -> (Int, UInt64) in
            var at = start
            var kept = 0
            _ = Self.walkName(m, at: &at, into: buf, kept: &kept)
            let name = UnsafeRawBufferPointer(rebasing: buf[0..<kept])
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in name { h = (h ^ UInt64(b | 0x20)) &* 0x0000_0100_0000_01B3 }
            return (Self.entropyCentibits(name), h | 1)
        }
        guard entropy >= config.dnsTunnelEntropyCentibits else { return }
        // A tunnel's names are all new; a long random-looking name asked again (a cloud load
        // balancer's, a CDN's) is not: only names not among the recent ones count.
        let slot = Int(truncatingIfNeeded: hash >> 52) & (Self.recentNameSlots - 1)
        guard recentNames[slot] != hash else { return }
        recentNames[slot] = hash
        let key = RateSketch.key(e.pointee.client, .dnsTunneling)
        let n = perMinute.add(key, now: now)
        guard n > dnsTunnel else { return }
        fire(.dnsTunneling, flow: flow, e, flowSlot(flow, e), key: key, window: perMinute.window, now: now,
             value: UInt64(n), threshold: UInt64(dnsTunnel))
    }

    /// Walks the name at `at` (moving `at` past it in the message), following compression
    /// pointers only backwards and at most 32 times.
    @inlinable
    /// With `buf`, the labels' bytes (without dots) are copied into it, `kept` of them.
    static func walkName(_ m: UnsafeRawBufferPointer, at: inout Int, into buf: UnsafeMutableRawBufferPointer?,
                         kept: inout Int) -> DNSNameWalk {
        var i = at
        var jumped = false
        var jumps = 0
        var length = 0
        var wire = 1
        var lowest = at
        while true {
            guard i < m.count else { return .truncated }
            let b = Int(m[i])
            switch b & 0xC0 {
            case 0xC0:
                guard i &+ 1 < m.count else { return .truncated }
                let target = (b & 0x3F) << 8 | Int(m[i &+ 1])
                // Only backwards, and before every place this name already went: a pointer
                // to or past its own position is how loops start.
                guard target < lowest else { return .loop }
                jumps &+= 1
                guard jumps <= 32 else { return .loop }
                if !jumped { at = i &+ 2; jumped = true }
                lowest = target
                i = target
            case 0x00:
                if b == 0 {
                    if !jumped { at = i &+ 1 }
                    return .ok(length: length)
                }
                guard i &+ 1 &+ b <= m.count else { return .truncated }
                wire &+= 1 &+ b
                guard wire <= 255 else { return .oversized }
                if length > 0 { length &+= 1 }
                length &+= b
                if let buf {
                    for j in 0..<b where kept < buf.count { buf[kept] = m[i &+ 1 &+ j]; kept &+= 1 }
                }
                i &+= 1 &+ b
            default:
                // 0x40 and 0x80: label lengths of 64 to 191, which no valid name has.
                return .oversized
            }
        }
    }
}
