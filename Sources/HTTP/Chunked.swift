import L7Core

extension HTTPParser {
    /// A chunk-size line: hex digits, then anything (`;extensions`, or junk that clients
    /// ignore too). Blank lines before it are skipped. A line without a hex number is a bogus
    /// chunk: a response's remaining bytes are read as body until close (what a lenient
    /// client would show), a request direction stops.
    @inlinable mutating func chunkSizeLine<S: HTTPSink & ~Copyable>(_ line: UnsafeRawBufferPointer, _ d: Int,
                                                                     _ sink: inout S) {
        let l = ByteText.trim(line)
        if l.isEmpty { return }
        var size: UInt64 = 0
        // Leading zeros are skipped, not counted against the digit limit: servers read
        // `0000000000000000005` as 5, and an inspector that gave up on it would let the body
        // through unseen. Past 15 significant digits (2^60) the size is bogus.
        var i = 0
        while i < l.count, l[i] == UInt8(ascii: "0") { i += 1 }
        let zeros = i
        var significant = 0
        while i < l.count {
            let h = URINormalizer.hex(l[i])
            if h < 0 { break }
            if significant == 15 { significant = 16; break }
            size = size << 4 | UInt64(h)
            i += 1
            significant += 1
        }
        let t = dirs[d].tx
        guard zeros + significant > 0, significant < 16 else {
            badChunk(d, &sink)
            if d == 1 { body(line, 1, &sink); body(UnsafeRawBufferPointer(start: HTTPParser.newline.utf8Start, count: 1), 1, &sink) }
            return
        }
        if size == 0 {
            dirs[d].state = .trailers
        } else {
            dirs[d].remaining = size
            dirs[d].state = .chunkData
        }
    }

    /// A chunk size that is not one: a response's remaining bytes are read as body until
    /// close (what a lenient client shows), a request direction stops.
    @inlinable mutating func badChunk<S: HTTPSink & ~Copyable>(_ d: Int, _ sink: inout S) {
        let t = dirs[d].tx
        counters_.badChunks &+= 1
        if t >= 0 { txs[t].flags.insert(.badChunk) }
        dirs[d].line.removeAll()
        if d == 1 {
            dirs[1].state = .untilClose
        } else {
            if t >= 0 { txs[t].flags.insert(.malformedRequest) }
            counters_.malformedRequests &+= 1
            messageDone(0, &sink)
            dirs[0].state = .stopped
        }
    }
}
