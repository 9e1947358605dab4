import Codecs
import PacketIO

/// Each packet's UDP or TCP payload with its endpoints, enough to feed DNS: frames come from
/// libpcap (`PcapFile`) and are decoded by Sluice's own `Decoder`, so every link type and
/// header chain the engine handles is handled here too. IP fragments are left out.
struct PcapPacket {
    var index: Int            // 1-based, Suricata's pcap_cnt
    var proto: String         // "UDP" or "TCP"
    var srcIP: String, dstIP: String
    var srcPort: Int, dstPort: Int
    var seq: UInt32 = 0
    var syn = false
    var payload: [UInt8]
}

enum PcapReader {
    static func read(_ path: String) throws -> [PcapPacket] {
        var file = try PcapFile(path: path)
        let link = file.linkType
        var counters = DecodeCounters()
        var p = DecodedPacket()
        var out: [PcapPacket] = []
        var index = 0
        while let frame = try file.nextPacket() {
            index += 1
            Decoder.decode(frame: frame.data, wireLength: frame.wireLength, linkType: link, into: &p, counters: &counters)
            guard p.kind == .ip, p.ipProto == IPProto.udp || p.ipProto == IPProto.tcp else { continue }
            let start = Int(p.payloadOffset)
            let payload = Array(frame.data[start..<(start + Int(p.payloadLength))])
            out.append(PcapPacket(index: index, proto: p.ipProto == IPProto.udp ? "UDP" : "TCP",
                                  srcIP: p.src.eveDescription, dstIP: p.dst.eveDescription,
                                  srcPort: Int(p.srcPort), dstPort: Int(p.dstPort), seq: p.seq,
                                  syn: p.tcpFlags & TCPFlag.syn != 0, payload: payload))
        }
        return out
    }
}
