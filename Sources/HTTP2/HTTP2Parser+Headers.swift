import L7Core

/// Header blocks: HEADERS or PUSH_PROMISE then CONTINUATIONs, buffered only as far as a
/// representation is incomplete and decoded as they arrive.
extension HTTP2Parser {
    @usableFromInline mutating func beginBlock(_ d: Int, stream: UInt32, endStream: Bool, push: Bool) {
        frames[d].blockOpen = true
        frames[d].blockStream = frames[d].stream
        frames[d].blockEndStream = endStream
        frames[d].blockIsRequest = d == 0 || push
        frames[d].blockUsed = 0
        frames[d].blockDamaged = false
        var slot = -1
        if stream != 0 {
            if let i = findSlot(stream) {
                slot = i
            } else if d == 0 || push, let i = createSlot(stream) {
                // Only requests and promises open streams; a response to an unknown stream
                // (its request found no slot) is decoded for HPACK's sake and dropped.
                slot = i
                if push {
                    streams[i].pushed = true
                    streams[i].clientEnded = true
                }
            }
        }
        frames[d].blockSlot = slot
    }

    /// Stops a direction's header decoding (counted once) and marks the block in progress.
    @usableFromInline mutating func loseHPACK(_ d: Int, _ why: HPACKDecoder.Failure) {
        frames[d].blockDamaged = true
        guard !hpack[d].lost else { return }
        _ = hpack[d].fail(why)
        counted.hpackLost &+= 1
    }

    @usableFromInline mutating func appendBlock(_ d: Int, _ chunk: UnsafeRawBufferPointer) {
        if hpack[d].lost { frames[d].blockDamaged = true; return }
        var q = 0
        while q < chunk.count {
            let used = frames[d].blockUsed
            let k = min(Self.headerBlockCapacity - used, chunk.count - q)
            withUnsafeMutableBytes(of: &blocks[d]) { raw in
                (raw.baseAddress! + used).copyMemory(from: chunk.baseAddress! + q, byteCount: k)
            }
            frames[d].blockUsed += k
            q += k
            decodeBuffered(d)
            if hpack[d].lost {
                frames[d].blockDamaged = true
                counted.hpackLost &+= 1
                return
            }
            if frames[d].blockUsed == Self.headerBlockCapacity {
                // One representation is longer than the buffer: it cannot be decoded, and
                // without it the dynamic table cannot be followed.
                counted.oversizedBlocks &+= 1
                loseHPACK(d, .blockTooLarge)
                return
            }
        }
    }

    /// Decodes every complete representation buffered, then keeps the incomplete rest.
    @usableFromInline mutating func decodeBuffered(_ d: Int) {
        let used = frames[d].blockUsed
        var pos = 0
        loop: while true {
            let step = withUnsafeBytes(of: &blocks[d]) { raw in
                hpack[d].next(UnsafeRawBufferPointer(rebasing: raw[0..<used]), at: &pos)
            }
            switch step {
            case .field(let f): apply(f, d)
            case .sizeUpdate: continue
            case .needMore, .error: break loop
            }
        }
        if pos > 0 {
            withUnsafeMutableBytes(of: &blocks[d]) { raw in
                raw.baseAddress!.copyMemory(from: raw.baseAddress! + pos, byteCount: used - pos)
            }
            frames[d].blockUsed = used - pos
        }
    }

    @usableFromInline mutating func apply(_ f: HeaderField, _ d: Int) {
        let i = frames[d].blockSlot
        guard i >= 0 else { return }
        let name = f.name
        if frames[d].blockIsRequest {
            if name.equals(":method") { f.value.withBytes { streams[i].method.set($0) } }
            else if name.equals(":path") { f.value.withBytes { streams[i].path.set($0) } }
            else if name.equals(":authority") { f.value.withBytes { streams[i].authority.set($0) } }
            else if name.equals(":scheme") { f.value.withBytes { streams[i].scheme.set($0) } }
            else if name.equals("host") {
                if streams[i].authority.count == 0 { f.value.withBytes { streams[i].authority.set($0) } }
            } else if name.equals("user-agent") { f.value.withBytes { streams[i].userAgent.set($0) } }
            else if name.equals("content-type") {
                f.value.withBytes { v in
                    streams[i].requestContentType.set(v)
                    streams[i].grpc.isGRPC = GRPC.isGRPC(contentType: v)
                }
            }
        } else {
            if name.equals(":status") {
                streams[i].status = UInt16(clamping: f.value.withBytes { Self.decimal($0) } ?? 0)
            } else if name.equals("content-type") {
                f.value.withBytes { streams[i].responseContentType.set($0) }
            } else if name.equals("content-length") {
                streams[i].contentLength = f.value.withBytes { Self.decimal($0) } ?? -1
            } else if name.equals("grpc-status") {
                streams[i].grpc.status = Int32(clamping: f.value.withBytes { Self.decimal($0) } ?? -1)
            } else if name.equals("grpc-message") {
                f.value.withBytes { streams[i].grpc.message.set($0) }
            }
        }
    }

    /// END_HEADERS: the block is over.
    @inlinable mutating func finishBlock<S: HTTP2Sink & ~Copyable>(_ d: Int, sink: inout S) {
        // A representation running past the end of the block is an error.
        if frames[d].blockUsed > 0 && !hpack[d].lost { loseHPACK(d, .malformed) }
        frames[d].blockUsed = 0
        frames[d].blockOpen = false
        let i = frames[d].blockSlot
        frames[d].blockSlot = -1
        guard i >= 0 else { return }
        if frames[d].blockDamaged || hpack[d].lost { streams[i].headersIncomplete = true }
        if frames[d].blockIsRequest {
            if !streams[i].requestHeadersDone {
                streams[i].requestHeadersDone = true
                sink.http2RequestHeaders(streams[i])
            }
        } else {
            streams[i].responseHeaderBlocks &+= 1
        }
        if frames[d].blockEndStream { endSide(i, client: d == 0, sink: &sink) }
    }

    /// A block broken off by a frame that is not its CONTINUATION: what was decoded stands,
    /// the rest is unknowable.
    @inlinable mutating func abandonBlock<S: HTTP2Sink & ~Copyable>(_ d: Int, sink: inout S) {
        loseHPACK(d, .malformed)
        frames[d].blockUsed = 0
        finishBlock(d, sink: &sink)
    }

    /// A non-negative decimal; nil when empty, not all digits, or absurdly long.
    @usableFromInline static func decimal(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard !b.isEmpty, b.count <= 18 else { return nil }
        var v: Int64 = 0
        for c in b {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int64(c - UInt8(ascii: "0"))
        }
        return v
    }
}
