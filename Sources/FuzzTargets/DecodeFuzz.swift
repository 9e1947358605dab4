import Codecs

/// One frame through `Decoder.decode`. The first byte picks the link type, so one corpus
/// covers Ethernet, VLAN, SLL, SLL2, raw IP, PPP and BSD loopback; the rest is the frame.
enum DecodeFuzz {
    static let linkTypes: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .ipv4, .ipv6, .null, .ppp]

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let link = linkTypes[Int(input.byte()) % linkTypes.count]
        let frame = input.rest()
        var p = DecodedPacket()
        var counters = DecodeCounters()
        // A wire length beyond the capture, as a snap-length cut frame claims.
        Decoder.decode(frame: frame, wireLength: frame.count &+ Int(frame.first ?? 0), linkType: link,
                       into: &p, counters: &counters)
    }
}
