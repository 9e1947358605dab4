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
        countLoss(why)
    }

    /// Counts why a direction's HPACK decoding stopped (oversize blocks and gaps have
    /// counters of their own).
    @usableFromInline mutating func countLoss(_ why: HPACKDecoder.Failure) {
        switch why {
        case .malformed: counted.hpackMalformed &+= 1
        case .badIndex: counted.hpackBadIndex &+= 1
        case .badHuffman: counted.hpackBadHuffman &+= 1
        case .sizeUpdateTooLarge, .tableBeyondCapacity: counted.hpackBadSizeUpdates &+= 1
        case .none, .blockTooLarge, .gap: break
        }
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
                countLoss(hpack[d].failure)
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
        var field = HeaderField()
        loop: while true {
            let step = withUnsafeBytes(of: &blocks[d]) { raw in
                hpack[d].next(UnsafeRawBufferPointer(rebasing: raw[0..<used]), at: &pos, into: &field)
            }
            switch step {
            case .field:
                // Read in place: `field.value.withBytes` would copy the value to a temporary.
                FixedBytes.withBytes(at: &field.name) { name in
                    FixedBytes.withBytes(at: &field.value) { value in apply(name: name, value: value, d) }
                }
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

    /// Keeps a decoded field (name and value as decoded, cut to `HeaderField`'s sizes) when
    /// the stream is tracked and the field is one of those recorded.
    @usableFromInline mutating func apply(name: UnsafeRawBufferPointer, value v: UnsafeRawBufferPointer, _ d: Int) {
        let i = frames[d].blockSlot
        guard i >= 0 else { return }
        if frames[d].blockIsRequest {
            if Self.equals(name, ":method") { streams[i].method.set(v) }
            else if Self.equals(name, ":path") { streams[i].path.set(v) }
            else if Self.equals(name, ":authority") { streams[i].authority.set(v) }
            else if Self.equals(name, ":scheme") { streams[i].scheme.set(v) }
            else if Self.equals(name, "host") {
                if streams[i].authority.count == 0 { streams[i].authority.set(v) }
            } else if Self.equals(name, "user-agent") { streams[i].userAgent.set(v) }
            else if Self.equals(name, "content-type") {
                streams[i].requestContentType.set(v)
                streams[i].grpc.isGRPC = GRPC.isGRPC(contentType: v)
            }
        } else {
            if Self.equals(name, ":status") {
                streams[i].status = UInt16(clamping: Self.decimal(v) ?? 0)
            } else if Self.equals(name, "content-type") {
                streams[i].responseContentType.set(v)
            } else if Self.equals(name, "content-length") {
                streams[i].contentLength = Self.decimal(v) ?? -1
            } else if Self.equals(name, "grpc-status") {
                streams[i].grpc.status = Int32(clamping: Self.decimal(v) ?? -1)
            } else if Self.equals(name, "grpc-message") {
                streams[i].grpc.message.set(v)
            }
        }
    }

    /// Whether `b` is exactly `s`.
    @usableFromInline static func equals(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        b.count == s.utf8CodeUnitCount
            && b.elementsEqual(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
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
