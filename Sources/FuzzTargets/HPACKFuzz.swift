import HTTP2
import L7Core

/// HPACK header blocks alone (RFC 7541: integers, literals, Huffman strings, the dynamic
/// table and its size updates), reached through the parser's public surface: each record of
/// the input is one header block, wrapped here in a HEADERS frame (and CONTINUATIONs where
/// the input says to split it) on a new stream, so the fuzzer spends no effort on framing.
///
/// Input: one byte choosing the SETTINGS_HEADER_TABLE_SIZE each side announces (0, 256, 4096
/// or 65536: size updates beyond it must be refused; beyond the decoder's 4 KiB of storage
/// they are followed until the entries held outgrow it), then
/// steps of a byte (bit 0: direction; bits 1-7: where to split the block into a
/// CONTINUATION, 0 for none) and a length-prefixed header block.
enum HPACKFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let tableSizes: [UInt32] = [0, 256, 4096, 65536]
        let tableSize = tableSizes[Int(input.byte() & 3)]
        var sink = HTTP2FuzzSink()
        var p = HTTP2Parser()
        // SETTINGS with HEADER_TABLE_SIZE from each side: it bounds the other side's updates.
        let settings: [UInt8] = [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 1] + (0..<4).map { UInt8(truncatingIfNeeded: tableSize >> (24 - 8 * $0)) }
        let preface = UnsafeRawBufferPointer(start: HTTP2Fuzz.preface.utf8Start, count: HTTP2Fuzz.preface.utf8CodeUnitCount)
        p.feed(preface, toServer: true, sink: &sink)
        settings.withUnsafeBytes { s in
            p.feed(s, toServer: true, sink: &sink)
            p.feed(s, toServer: false, sink: &sink)
        }
        var stream: UInt32 = 1
        while !input.isAtEnd {
            let op = input.byte()
            guard let block = input.record() else { break }
            let toServer = op & 1 != 0
            let split = min(Int(op >> 1), block.count)
            // Requests open odd streams; a response answers the latest request.
            if toServer { stream &+= 2 }
            let id = stream & 0x7fff_ffff
            if split > 0 && split < block.count {
                frame(&p, &sink, type: 1, flags: 0x1, stream: id, toServer: toServer,
                      UnsafeRawBufferPointer(rebasing: block[0..<split]))
                frame(&p, &sink, type: 9, flags: 0x4, stream: id, toServer: toServer,
                      UnsafeRawBufferPointer(rebasing: block[split...]))
            } else {
                frame(&p, &sink, type: 1, flags: 0x5, stream: id, toServer: toServer, block)
            }
        }
        p.finish(sink: &sink)
        _ = sink.sum
    }

    /// Feeds one frame: its 9-byte header, then its payload.
    static func frame(_ p: inout HTTP2Parser, _ sink: inout HTTP2FuzzSink, type: UInt8, flags: UInt8, stream: UInt32,
                      toServer: Bool, _ payload: UnsafeRawBufferPointer) {
        let n = payload.count
        let header: [UInt8] = [UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n),
                               type, flags, UInt8(truncatingIfNeeded: stream >> 24), UInt8(truncatingIfNeeded: stream >> 16),
                               UInt8(truncatingIfNeeded: stream >> 8), UInt8(truncatingIfNeeded: stream)]
        header.withUnsafeBytes { p.feed($0, toServer: toServer, sink: &sink) }
        p.feed(payload, toServer: toServer, sink: &sink)
    }
}
