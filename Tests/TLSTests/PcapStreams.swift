import Foundation

/// A tiny classic-pcap reader for tests: splits TCP payloads into per-connection,
/// per-direction chunks in stream order. Retransmitted bytes are trimmed by sequence number and
/// early segments wait for the hole before them; holes never filled are counted in `gaps`
/// so callers can leave such connections out.
struct PcapStreams {
    struct Connection {
        var key: String
        var toServer: [[UInt8]] = []
        var toClient: [[UInt8]] = []
        var nextSeq: [UInt32?] = [nil, nil]
        /// Segments that arrived ahead of a hole, by sequence number, per direction.
        var held: [[UInt32: [UInt8]]] = [[:], [:]]
        /// Segments never delivered because the hole before them was never filled.
        var gaps: Int { held[0].count + held[1].count }
    }

    var connections: [Connection] = []
    var error: String?

    init(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { error = "unreadable"; return }
        let b = [UInt8](data)
        guard b.count >= 24 else { error = "short"; return }
        let magic = UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
        let little: Bool
        switch magic {
        case 0xa1b2c3d4, 0xa1b23c4d: little = true
        case 0xd4c3b2a1, 0x4d3cb2a1: little = false
        default: error = "not classic pcap (pcapng?)"; return
        }
        func u32(_ o: Int) -> Int {
            let v = little
                ? UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
                : UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
            return Int(v)
        }
        let link = u32(20)
        var index: [String: Int] = [:]
        var off = 24
        while off + 16 <= b.count {
            let caplen = u32(off + 8)
            let start = off + 16
            guard start + caplen <= b.count else { break }
            handle(Array(b[start..<(start + caplen)]), link: link, index: &index)
            off = start + caplen
        }
    }

    mutating func handle(_ f: [UInt8], link: Int, index: inout [String: Int]) {
        var p: Int
        var ethType: Int
        switch link {
        case 1:
            guard f.count >= 14 else { return }
            ethType = Int(f[12]) << 8 | Int(f[13]); p = 14
            while (ethType == 0x8100 || ethType == 0x88a8), f.count >= p + 4 {
                ethType = Int(f[p + 2]) << 8 | Int(f[p + 3]); p += 4
            }
        case 113:
            guard f.count >= 16 else { return }
            ethType = Int(f[14]) << 8 | Int(f[15]); p = 16
        case 101, 12, 228, 229:
            guard let v = f.first else { return }
            ethType = v >> 4 == 6 ? 0x86dd : 0x0800; p = 0
        case 0:
            p = 4; ethType = f.count > 4 && f[4] >> 4 == 6 ? 0x86dd : 0x0800
        default: return
        }
        var src = "", dst = ""
        var l4 = 0, l4End = f.count
        if ethType == 0x0800 {
            guard f.count >= p + 20, f[p + 9] == 6 else { return }
            let ihl = Int(f[p] & 0xf) * 4
            let total = Int(f[p + 2]) << 8 | Int(f[p + 3])
            src = f[(p + 12)..<(p + 16)].map(String.init).joined(separator: ".")
            dst = f[(p + 16)..<(p + 20)].map(String.init).joined(separator: ".")
            l4 = p + ihl; l4End = min(f.count, p + total)
        } else if ethType == 0x86dd {
            guard f.count >= p + 40, f[p + 6] == 6 else { return }
            src = f[(p + 8)..<(p + 24)].map { String($0, radix: 16) }.joined(separator: ":")
            dst = f[(p + 24)..<(p + 40)].map { String($0, radix: 16) }.joined(separator: ":")
            l4 = p + 40; l4End = min(f.count, p + 40 + (Int(f[p + 4]) << 8 | Int(f[p + 5])))
        } else { return }
        guard l4End >= l4 + 20 else { return }
        let sport = Int(f[l4]) << 8 | Int(f[l4 + 1]), dport = Int(f[l4 + 2]) << 8 | Int(f[l4 + 3])
        var seq = UInt32(f[l4 + 4]) << 24 | UInt32(f[l4 + 5]) << 16
        seq |= UInt32(f[l4 + 6]) << 8 | UInt32(f[l4 + 7])
        let dataOff = Int(f[l4 + 12] >> 4) * 4
        let flags = f[l4 + 13]
        guard l4 + dataOff <= l4End else { return }
        let a = "\(src):\(sport)", bEnd = "\(dst):\(dport)"
        let fwd = "\(a)>\(bEnd)", rev = "\(bEnd)>\(a)"
        var i: Int, dir: Int
        // A fresh SYN on a known 4-tuple is port reuse: a new connection.
        let freshSyn = flags & 0x12 == 0x02
        if !freshSyn, let k = index[fwd] { i = k; dir = 0 } else if !freshSyn, let k = index[rev] { i = k; dir = 1 } else {
            index[rev] = nil
            // The SYN sender (or else the first sender) is the client.
            let clientFirst = flags & 0x12 != 0x12
            let key = clientFirst ? fwd : rev
            connections.append(Connection(key: key))
            i = connections.count - 1
            index[key] = i
            dir = clientFirst ? 0 : 1
        }
        var payload = Array(f[(l4 + dataOff)..<l4End])
        var start = seq
        if flags & 0x02 != 0 { start &+= 1 }
        if let expected = connections[i].nextSeq[dir] {
            let delta = Int32(bitPattern: start &- expected)
            if delta < 0 {
                let dup = Int(-delta)
                if dup >= payload.count { payload = [] } else { payload.removeFirst(dup) }
                start = expected
            } else if delta > 0 && !payload.isEmpty {
                // Early segment: hold it until the hole before it is filled.
                connections[i].held[dir][start] = payload
                return
            }
        }
        if payload.isEmpty && connections[i].nextSeq[dir] != nil { return }
        connections[i].nextSeq[dir] = start &+ UInt32(payload.count)
        guard !payload.isEmpty else { return }
        deliver(i, dir, payload)
        // Release held segments that are now contiguous.
        while let next = connections[i].nextSeq[dir], let seg = connections[i].held[dir].removeValue(forKey: next) {
            connections[i].nextSeq[dir] = next &+ UInt32(seg.count)
            deliver(i, dir, seg)
        }
    }

    mutating func deliver(_ i: Int, _ dir: Int, _ payload: [UInt8]) {
        if dir == 0 { connections[i].toServer.append(payload) } else { connections[i].toClient.append(payload) }
    }
}
