import Codecs
import Engine
import Flow
import L7Core
import Output
import Stream
import Threats

// The threat stage's glue: the L7 stage hands the threat engine what the packet path and
// its parsers know, and turns the engine's hits into Suricata `alert` records (generator 3,
// `category: "threat"`) and drops. Without a policy stage above it every threat only
// alerts; `PolicyStage` acts on them by workload and mode instead (`actOnThreats`).

extension L7Stage {
    /// The threat checks of one packet, before the L7 work on it; true when a threat
    /// already blocked the packet's flow (drop it).
    @inlinable
    mutating func threatPacket(_ p: borrowing DecodedPacket, flow: UInt32?, direction: Direction,
                               entry: UnsafeMutablePointer<FlowEntry>?) -> Bool {
        if let entry {
            threatClock = entry.pointee.lastSeen
            if threats.isBlocked(flow: flow!, flowID: entry.pointee.flowID) { return true }
        }
        threats.packet(p, flow: flow, entry: entry, direction: direction, now: threatClock)
        return false
    }

    /// An IP fragment before defragmentation: teardrop and ping of death. Hits wait for the
    /// fragment's `packet` call (or the rebuilt datagram's), which acts on them.
    public mutating func fragment(_ p: borrowing DecodedPacket, overlapped: Bool, now: UInt64) {
        guard threats.isEnabled else { return }
        threatClock = now
        threats.fragment(p, overlapped: overlapped, now: now)
    }

    /// Acts on the pending hits with no workload known (alert only), unless a policy stage
    /// above does it; returns whether the current packet is to be dropped.
    @inlinable
    mutating func settleThreats() -> Bool {
        guard threats.pendingCount > 0, !threats.deferToPolicy else { return false }
        return actOnThreats { _ in (block: false, wouldBlock: false) }
    }

    /// Acts on every pending hit: `decide` says whether it blocks (or, in monitor mode,
    /// would block). A blocking hit drops the packet being processed and, for flow threats,
    /// every later packet of its flow. Returns whether the current packet is dropped.
    @inlinable
    public mutating func actOnThreats(_ decide: (ThreatHit) -> (block: Bool, wouldBlock: Bool)) -> Bool {
        var drop = false
        for i in 0..<threats.pendingCount {
            let h = threats.hit(i)
            let d = decide(h)
            if d.block {
                drop = true
                threats.counters.drops &+= 1
                if h.blocksFlow && h.flow != ThreatHit.noFlow { threats.block(flow: h.flow, flowID: h.flowID) }
            } else if d.wouldBlock {
                threats.counters.wouldBlock &+= 1
            }
            if h.flow != ThreatHit.noFlow, let flows, Int(h.flow) < capacity, flows[Int(h.flow)].flowID == h.flowID {
                flows[Int(h.flow)].alerted = true
            }
            if h.report && eve != nil && threats.admitAlert(now: h.timestamp) {
                writeThreatAlert(h, blocked: d.block, wouldBlock: d.wouldBlock)
            }
        }
        threats.clearPending()
        return drop
    }

    /// Suricata's `alert` record for a threat: generator 3, `signature_id` the threat's
    /// stable id, `category` "threat"; the `sluice` item of `metadata.flowvars` holds the threat's name, its classification,
    /// what was measured and the threshold it crossed.
    @inlinable
    mutating func writeThreatAlert(_ h: ThreatHit, blocked: Bool, wouldBlock: Bool) {
        eve!.reserve(4096)
        if h.flow != ThreatHit.noFlow, let flows, Int(h.flow) < capacity, flows[Int(h.flow)].flowID == h.flowID {
            FlowRecord.header(UnsafePointer(flows + Int(h.flow)), timestamp: h.timestamp, eventType: "alert", into: &eve!)
        } else {
            eve!.beginObject()
            eve!.timestampField("timestamp", nanos: h.timestamp)
            eve!.field("event_type", "alert")
            eve!.field("src_ip", h.src)
            let ports = h.proto == IPProto.tcp || h.proto == IPProto.udp
            if ports { eve!.field("src_port", UInt64(h.srcPort)) }
            eve!.field("dest_ip", h.dst)
            if ports { eve!.field("dest_port", UInt64(h.dstPort)) }
            FlowRecord.proto(h.proto, into: &eve!)
        }
        eve!.field("direction", h.toServer ? "to_server" : "to_client")
        eve!.objectKey("alert")
        eve!.field("action", blocked ? "blocked" : "allowed")
        eve!.field("gid", UInt64(3))
        eve!.field("signature_id", UInt64(h.id.rawValue))
        eve!.field("rev", UInt64(1))
        eve!.field("signature", h.id.title)
        eve!.field("category", "threat")
        eve!.field("severity", h.id.severity)
        eve!.endObject()
        // Sluice's own object goes where Suricata's schema allows extra data (docs/eve.md).
        eve!.beginVendorObject("sluice")
        eve!.field("threat", h.id.name)
        eve!.field("classification", h.id.classification)
        eve!.field("value", h.value)
        if h.threshold > 0 { eve!.field("threshold", h.threshold) }
        if wouldBlock { eve!.field("would_block", true) }
        eve!.endVendorObject()
        eve!.endObject()
        eve!.endLine()
    }
}

extension L7Stage {
    /// The replay summary's threat line: detections by threat, alerts and drops; nothing
    /// when no threat fired.
    public func threatSummaryLines() -> String {
        let c = threats.counters
        let fired = ThreatID.allCases.filter { c[$0] > 0 }.map { "\($0.name) \(c[$0])" }
        guard !fired.isEmpty else { return "" }
        return "  threats      \(fired.joined(separator: ", "))\n"
            + "               alerts \(c.alerts) (suppressed \(c.alertsSuppressed))  dropped \(c.drops)  would block \(c.wouldBlock)\n"
    }
}
