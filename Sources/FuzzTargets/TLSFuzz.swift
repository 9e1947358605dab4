import Output
import TLS

/// Both directions of a TLS connection through `TLSHandshakeParser`: records and handshake
/// messages split anywhere across chunks, ClientHello/ServerHello parsing with JA3/JA3S/JA4,
/// certificate DER walking, then the EVE `tls` object for what was found.
///
/// Input: records of a control byte and a length-prefixed chunk. Bit 0 picks the direction;
/// bit 1 wraps the chunk as one handshake message (type from the next byte) in one record,
/// so the fuzzer reaches hello and certificate parsing without finding record framing
/// first; bit 2 feeds it in two pieces cut at a point the next byte chooses.
enum TLSFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var client = TLSHandshakeParser()
        var server = TLSHandshakeParser()
        var wrapped: [UInt8] = []
        while !input.isAtEnd {
            let control = input.byte()
            let type = control & 2 != 0 ? input.byte() : 0
            let cut = control & 4 != 0 ? Int(input.uint16()) : -1
            guard let chunk = input.record() else { break }
            var bytes = UnsafeRawBufferPointer(chunk)
            wrapped.removeAll(keepingCapacity: true)
            if control & 2 != 0 {
                let body = chunk.count + 4
                wrapped.append(contentsOf: [22, 3, 3, UInt8(truncatingIfNeeded: body >> 8), UInt8(truncatingIfNeeded: body)])
                wrapped.append(contentsOf: [type, 0, UInt8(truncatingIfNeeded: chunk.count >> 8), UInt8(truncatingIfNeeded: chunk.count)])
                wrapped.append(contentsOf: chunk)
            }
            wrapped.withUnsafeBytes { w in
                if control & 2 != 0 { bytes = w }
                let at = cut < 0 ? bytes.count : min(cut, bytes.count)
                for piece in [UnsafeRawBufferPointer(rebasing: bytes[0..<at]), UnsafeRawBufferPointer(rebasing: bytes[at...])] {
                    if control & 1 == 0 { client.feed(piece) } else { server.feed(piece) }
                }
            }
        }
        var json = JSONBuffer(fd: -1, capacity: 1 << 16)
        json.beginObject()
        TLSEve.write(client: client, server: server, into: &json)
        json.endObject()
    }
}
