import XCTest
@testable import HTTP2

/// A sink that records everything as strings, so runs over different splits compare equal.
struct RecordingSink: HTTP2Sink {
    var events: [String] = []
    var finished: [HTTP2StreamInfo] = []
    var data: [UInt32: [UInt8]] = [:]

    mutating func http2Stream(_ s: borrowing HTTP2StreamInfo) {
        finished.append(copy s)
        events.append("end \(s.streamID) \(s.method.string) \(s.path.string) \(s.status) req=\(s.requestBytes) resp=\(s.responseBytes) reset=\(s.resetCode.map(String.init) ?? "-") incomplete=\(s.headersIncomplete) unfinished=\(s.unfinished)")
    }
    mutating func http2RequestHeaders(_ s: borrowing HTTP2StreamInfo) {
        events.append("req \(s.streamID) \(s.method.string) \(s.scheme.string) \(s.authority.string) \(s.path.string) ua=\(s.userAgent.string) ct=\(s.requestContentType.string)")
    }
    mutating func http2Data(_ bytes: UnsafeRawBufferPointer, toServer: Bool, stream: borrowing HTTP2StreamInfo) {
        // Chunks depend on the split; only the concatenation is compared.
        data[stream.streamID * 2 + (toServer ? 0 : 1), default: []].append(contentsOf: bytes)
    }
}

/// Deterministic generator for random splits (SplitMix64).
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Builds frames and header blocks the way an HTTP/2 endpoint would.
enum H2 {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    static func frame(_ type: UInt8, _ flags: UInt8, _ stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let n = payload.count
        return [UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff), type, flags,
                UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff)] + payload
    }

    static func integer(_ value: Int, prefix: Int, first: UInt8) -> [UInt8] {
        let mask = (1 << prefix) - 1
        if value < mask { return [first | UInt8(value)] }
        var out = [first | UInt8(mask)]
        var v = value - mask
        while v >= 128 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        out.append(UInt8(v))
        return out
    }

    static func string(_ s: String, huffman: Bool = false) -> [UInt8] {
        let bytes = Array(s.utf8)
        if huffman {
            let h = huffmanEncode(bytes)
            return integer(h.count, prefix: 7, first: 0x80) + h
        }
        return integer(bytes.count, prefix: 7, first: 0) + bytes
    }

    /// Literal with incremental indexing, new name.
    static func indexed(_ name: String, _ value: String, huffman: Bool = false) -> [UInt8] {
        [0x40] + string(name, huffman: huffman) + string(value, huffman: huffman)
    }

    /// Literal without indexing, new name.
    static func literal(_ name: String, _ value: String, huffman: Bool = false) -> [UInt8] {
        [0x00] + string(name, huffman: huffman) + string(value, huffman: huffman)
    }

    static func settings(_ entries: [(UInt16, UInt32)]) -> [UInt8] {
        var p: [UInt8] = []
        for (id, v) in entries {
            p += [UInt8(id >> 8), UInt8(id & 0xff), UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
        }
        return frame(4, 0, 0, p)
    }

    static func huffmanEncode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var acc: UInt64 = 0
        var bits = 0
        for b in bytes {
            let (code, n) = huffmanCodeTable[Int(b)]
            acc = acc << UInt64(n) | UInt64(code)
            bits += n
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: acc >> UInt64(bits - 8)))
                bits -= 8
            }
        }
        if bits > 0 {
            // Pad with the most significant bits of EOS (all ones).
            out.append(UInt8(truncatingIfNeeded: acc << UInt64(8 - bits)) | UInt8((1 << (8 - bits)) - 1))
        }
        return out
    }

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.filter { !$0.isWhitespace }.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }
}

/// Feeds a flow's chunks (in order, each with its direction) through a parser, cut into
/// pieces by `cuts` (a function choosing piece lengths), and returns what the sink saw.
func runFlow(_ chunks: [(toServer: Bool, bytes: [UInt8])], piece: (Int) -> Int,
         setup: (inout HTTP2Parser) -> Void = { _ in }) -> (RecordingSink, HTTP2Parser) {
    var parser = HTTP2Parser()
    setup(&parser)
    var sink = RecordingSink()
    for c in chunks {
        var i = 0
        while i < c.bytes.count {
            let k = max(1, min(piece(c.bytes.count - i), c.bytes.count - i))
            c.bytes[i..<(i + k)].withUnsafeBytes { parser.feed($0, toServer: c.toServer, sink: &sink) }
            i += k
        }
    }
    parser.finish(sink: &sink)
    return (sink, parser)
}
