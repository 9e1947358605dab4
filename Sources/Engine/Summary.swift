import Codecs

/// The human-readable report of a replay: what was seen, what was tracked, what was dropped.
public enum Summary {
    /// Renders `stats` for `source` (a file name) as text lines.
    public static func render(_ s: EngineStats, source: String, packets: Int, wallSeconds: Double) -> String {
        var out = "sluice replay \(source)\n"
        let span = s.lastPacket >= s.firstPacket ? Double(s.lastPacket - s.firstPacket) / 1e9 : 0
        out += "  packets      \(s.decode.packets)  bytes \(s.decode.bytes)  capture span \(fmt(span)) s"
        out += "  processed in \(fmt(wallSeconds)) s\n"
        let d = s.decode
        out += "  decoded      ipv4 \(d.ipv4)  ipv6 \(d.ipv6)  tcp \(d.tcp)  udp \(d.udp)  icmp \(d.icmp)"
        out += "  other-ip \(d.otherIP)  non-ip \(d.nonIP)  vlan \(d.vlanTagged)  fragments \(d.fragments)\n"
        let f = s.flows
        out += "  flows        \(f.created) created: tcp \(f.tcp)  udp \(f.udp)  icmp \(f.icmp)  other \(f.other)"
        out += "  (peak \(f.peakActive) active; ended by timeout \(f.timedOut), eviction \(f.evicted),"
        out += " port reuse \(f.reused), end of input \(f.shutdown))\n"
        let st = s.stream
        out += "  tcp streams  segments \(st.segments)  out-of-order \(st.outOfOrder)  retransmissions \(st.retransmissions)"
        out += "  overlaps \(st.overlaps)  gaps \(st.gaps) (\(st.gapBytes) bytes)\n"
        if !s.topTalkers.isEmpty {
            out += "  top talkers (bytes of the flows they were in):\n"
            for t in s.topTalkers {
                out += "    \(pad(t.address.description, 40)) \(pad(String(t.bytes), 12)) bytes  \(t.flows) flows\n"
            }
        }
        let drops = anomalies(s).map { a in
            a.name == "ipv4_checksum_bad" || a.name == "snaplen_truncated" ? "\(a.name) \(a.count) (still inspected)" : "\(a.name) \(a.count)"
        }
        out += "  drops and anomalies: " + (drops.isEmpty ? "none" : drops.joined(separator: ", ")) + "\n"
        return out
    }

    /// The drops and anomalies a replay met, by name (`malformed/REASON`, `defrag/...`,
    /// `stream/...`), those that happened only. `ipv4_checksum_bad` and `snaplen_truncated`
    /// frames were still inspected.
    public static func anomalies(_ s: EngineStats) -> [(name: String, count: UInt64)] {
        let d = s.decode
        var out: [(name: String, count: UInt64)] = []
        for e in DecodeError.allCases where e != .none && d.malformed[Int(e.rawValue)] > 0 {
            out.append(("malformed/\(e.name)", d.malformed[Int(e.rawValue)]))
        }
        if d.ipv4ChecksumBad > 0 { out.append(("ipv4_checksum_bad", d.ipv4ChecksumBad)) }
        if d.truncated > 0 { out.append(("snaplen_truncated", d.truncated)) }
        let df = s.defrag
        for (name, n) in [("defrag/too_many_fragments", df.tooManyFragments), ("defrag/table_full", df.tableFull),
                          ("defrag/too_large", df.tooLarge), ("defrag/invalid", df.invalid),
                          ("defrag/timeout", df.timeouts), ("defrag/overlap", df.overlaps)] where n > 0 {
            out.append((name, n))
        }
        let st = s.stream
        for (name, n) in [("stream/flow_cap_reached", st.flowCapHits), ("stream/pool_exhausted", st.poolHits),
                          ("stream/flow_cap_bytes", st.flowCapDrops), ("stream/pool_exhausted_bytes", st.poolDrops),
                          ("stream/past_fin_bytes", st.pastFinBytes)] where n > 0 {
            out.append((name, n))
        }
        return out
    }

    static func fmt(_ v: Double) -> String {
        let scaled = Int((v * 1000).rounded())
        let frac = String(scaled % 1000)
        return "\(scaled / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}
