import Codecs
import Flow
import L7Core
import Output

/// Writes Suricata-style EVE records for flows.
public enum FlowRecord {
    /// The EVE `proto` value: Suricata's names for the common protocols, else the number.
    @inlinable
    public static func proto(_ n: UInt8, into out: inout JSONBuffer) {
        out.key("proto")
        switch n {
        case IPProto.tcp: out.raw("\"TCP\"")
        case IPProto.udp: out.raw("\"UDP\"")
        case IPProto.icmp: out.raw("\"ICMP\"")
        case IPProto.icmpv6: out.raw("\"IPv6-ICMP\"")
        default:
            out.byte(UInt8(ascii: "\""))
            out.number(UInt64(n))
            out.byte(UInt8(ascii: "\""))
        }
    }

    /// The fields every EVE record of a flow starts with: time, id, interface, packet number,
    /// type, the 5-tuple and the Community ID.
    @inlinable
    public static func header(_ e: UnsafePointer<FlowEntry>, timestamp: UInt64, eventType: StaticString,
                              into out: inout JSONBuffer) {
        out.beginRecord(eventType)
        out.timestampField("timestamp", nanos: timestamp)
        out.field("flow_id", e.pointee.flowID)
        if e.pointee.iface != 0 { out.interfaceField(e.pointee.iface) }
        // As Suricata: the packet the record was written on, and that it came from the wire;
        // neither at the flow's end.
        if e.pointee.packetNumber != 0 { out.field("pcap_cnt", e.pointee.packetNumber) }
        out.field("event_type", eventType)
        if e.pointee.vlan != 0 {
            out.key("vlan")
            out.byte(UInt8(ascii: "["))
            out.number(UInt64(e.pointee.vlan))
            out.byte(UInt8(ascii: "]"))
        }
        out.field("src_ip", e.pointee.client)
        let ports = e.pointee.proto == IPProto.tcp || e.pointee.proto == IPProto.udp
        if ports { out.field("src_port", UInt64(e.pointee.clientPort)) }
        out.field("dest_ip", e.pointee.server)
        if ports { out.field("dest_port", UInt64(e.pointee.serverPort)) }
        proto(e.pointee.proto, into: &out)
        if e.pointee.packetNumber != 0 { out.field("pkt_src", "wire/pcap") }
        CommunityID.write(e, into: &out)
        if e.pointee.appProto != 0, let app = AppProto(rawValue: e.pointee.appProto) { out.field("app_proto", app.name) }
    }

    /// A complete `event_type: flow` line for a flow that ended for `reason`.
    @inlinable
    public static func write(_ e: UnsafePointer<FlowEntry>, reason: FlowEndReason, into out: inout JSONBuffer) {
        out.reserve(2048)
        header(e, timestamp: e.pointee.firstSeen, eventType: "flow", into: &out)
        out.objectKey("flow")
        out.field("pkts_toserver", e.pointee.pktsToServer)
        out.field("pkts_toclient", e.pointee.pktsToClient)
        out.field("bytes_toserver", e.pointee.bytesToServer)
        out.field("bytes_toclient", e.pointee.bytesToClient)
        out.timestampField("start", nanos: e.pointee.firstSeen)
        out.timestampField("end", nanos: e.pointee.lastSeen)
        // The worker's clock only moves forward, but an entry is no place to trap if it did not.
        let age = e.pointee.lastSeen >= e.pointee.firstSeen ? e.pointee.lastSeen - e.pointee.firstSeen : 0
        out.field("age", age / 1_000_000_000)
        out.field("state", e.pointee.state.name)
        out.field("reason", reason.name)
        out.field("alerted", e.pointee.alerted)
        out.endObject()
        if e.pointee.proto == IPProto.tcp {
            let ts = e.pointee.tcpFlagsToServer, tc = e.pointee.tcpFlagsToClient
            let all = ts | tc
            out.objectKey("tcp")
            out.hexByteField("tcp_flags", all)
            out.hexByteField("tcp_flags_ts", ts)
            out.hexByteField("tcp_flags_tc", tc)
            if all & TCPFlag.syn != 0 { out.field("syn", true) }
            if all & TCPFlag.fin != 0 { out.field("fin", true) }
            if all & TCPFlag.rst != 0 { out.field("rst", true) }
            if all & TCPFlag.psh != 0 { out.field("psh", true) }
            if all & TCPFlag.ack != 0 { out.field("ack", true) }
            if all & TCPFlag.urg != 0 { out.field("urg", true) }
            if all & TCPFlag.ece != 0 { out.field("ecn", true) }
            if all & TCPFlag.cwr != 0 { out.field("cwr", true) }
            out.field("state", e.pointee.tcpState.name)
            out.endObject()
        }
        out.endObject()
        out.endLine()
    }
}
