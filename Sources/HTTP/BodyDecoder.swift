import CZlib
import L7Core

extension HTTPParser {
    /// Sets up decompression for the body that starts now, if its headers named encodings.
    @inlinable mutating func startDecoding(_ d: Int) {
        let n = min(dirs[d].encodings, maxLayers)
        guard n > 0, pool != nil else { dirs[d].layerCount = 0; return }
        // Layers past the limit reach the sink still compressed.
        if dirs[d].encodings > n { counters_.layersCut &+= 1 }
        // In place: assigning `InflateLayer()` builds one and copies it over.
        for k in 0..<3 { dirs[d].layers[k].reset() }
        // Layer 0 undoes the coding named last.
        for k in 0..<n {
            let named = dirs[d].encodings - 1 - k
            dirs[d].layers[k].lzma = named < 8 && dirs[d].lzmaCodings & (1 << UInt8(named)) != 0
        }
        dirs[d].layerCount = n
        dirs[d].decoded = 0
        let t = dirs[d].tx
        if t >= 0 { txs[t].flags.insert(.compressed) }
    }

    /// Ends decompression for direction `d` and gives its inflaters back.
    @inlinable mutating func stopDecoding(_ d: Int) {
        guard dirs[d].layerCount > 0 else { return }
        for k in 0..<dirs[d].layerCount {
            let slot = dirs[d].layers[k].slot
            if slot >= 0, let pool {
                pool.end(slot)
                pool.release(slot)
            }
            dirs[d].layers[k].slot = -1
            dirs[d].layers[k].mode = .finished
        }
    }

    /// Body bytes of direction `d` as framed on the wire (de-chunked): counted, then
    /// decompressed if encoded, then handed to the sink.
    @inlinable mutating func body<S: HTTPSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, _ d: Int, _ sink: inout S) {
        let t = dirs[d].tx
        guard t >= 0, bytes.count > 0 else { return }
        if d == 0 { txs[t].requestBodyLength &+= UInt64(bytes.count) } else { txs[t].responseBodyLength &+= UInt64(bytes.count) }
        if dirs[d].layerCount > 0 {
            decode(bytes, layer: 0, d, &sink)
        } else {
            if d == 1 { txs[t].responseDecodedLength &+= UInt64(bytes.count) }
            sink.httpBody(bytes, toServer: d == 0, raw: true, tx: txs[t])
        }
    }

    /// Passes `bytes` through layer `k` and the ones after it; past the last layer they go to
    /// the sink, up to the per-body cap.
    @inlinable mutating func decode<S: HTTPSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, layer k: Int, _ d: Int,
                                                              _ sink: inout S) {
        guard bytes.count > 0 else { return }
        let t = dirs[d].tx
        if k == dirs[d].layerCount {
            let room = maxDecoded - dirs[d].decoded
            let n = min(room, bytes.count)
            if n > 0 {
                dirs[d].decoded += n
                if d == 1 { txs[t].responseDecodedLength &+= UInt64(n) }
                sink.httpBody(UnsafeRawBufferPointer(rebasing: bytes[0..<n]), toServer: d == 0, raw: false, tx: txs[t])
            }
            if n < bytes.count {
                // A decompression bomb, or just a big body: stop inflating it.
                counters_.decompressionCut &+= 1
                txs[t].flags.insert(.decompressionCut)
                stopDecoding(d)
            }
            return
        }
        switch dirs[d].layers[k].mode {
        case .finished:
            return
        case .passthrough:
            decode(bytes, layer: k + 1, d, &sink)
        case .inflating:
            dirs[d].layers[k].totalIn &+= bytes.count
            inflate(bytes, layer: k, d, &sink)
        case .sniffing:
            // The format is decided on the first 64 bytes (or the whole body if shorter), in
            // one go, so the outcome cannot depend on how the stream was cut.
            let before = dirs[d].layers[k].head.count
            dirs[d].layers[k].head.append(bytes)
            dirs[d].layers[k].totalIn &+= bytes.count
            let held = dirs[d].layers[k].head.count
            guard held == 64 else { return }
            beginLayer(k, d, &sink)
            if held - before < bytes.count {
                let rest = UnsafeRawBufferPointer(rebasing: bytes[(held - before)...])
                decode(rest, layer: k, d, &sink)
            }
        }
    }

    /// The body ended: layers still gathering their first bytes decode what they have.
    @inlinable mutating func flushDecoding<S: HTTPSink & ~Copyable>(_ d: Int, _ sink: inout S) {
        var k = 0
        while k < dirs[d].layerCount {
            if dirs[d].layers[k].mode == .sniffing && dirs[d].layers[k].head.count > 0 { beginLayer(k, d, &sink) }
            k += 1
        }
    }

    /// Picks layer `k`'s format from its first bytes and inflates them: gzip (its header
    /// skipped here, leniently, so reserved flags or a bad header CRC do not stop it), zlib,
    /// else raw deflate. Data zlib rejects at once is passed on as it is.
    @inlinable mutating func beginLayer<S: HTTPSink & ~Copyable>(_ k: Int, _ d: Int, _ sink: inout S) {
        guard let pool else { return }
        let slot = pool.borrow()
        guard slot >= 0 else {
            counters_.inflaterPoolEmpty &+= 1
            dirs[d].layers[k].mode = .passthrough
            replayHead(k, d, &sink)
            return
        }
        // Through the address: `head.withBytes` on the element copies the layer's buffer first.
        let lzma = dirs[d].layers[k].lzma
        let (bits, skip) = lzma ? (0, InflaterPoolHandle.lzmaHeaderSize) : withUnsafeMutablePointer(to: &dirs[d].layers[k].head) {
            FixedBytes.withBytes(at: $0) { HTTPParser.sniff($0) }
        }
        let started = lzma ? withUnsafeMutablePointer(to: &dirs[d].layers[k].head) {
            FixedBytes.withBytes(at: $0) { pool.startLZMA(slot, header: $0) }
        } : pool.start(slot, windowBits: bits)
        guard started else {
            pool.release(slot)
            dirs[d].layers[k].mode = .passthrough
            replayHead(k, d, &sink)
            return
        }
        dirs[d].layers[k].slot = slot
        dirs[d].layers[k].mode = .inflating
        withHead(k, d, &sink) { p, head, s in
            p.inflate(UnsafeRawBufferPointer(rebasing: head[min(skip, head.count)...]), layer: k, d, &s, first: true)
        }
    }

    /// zlib window bits for data starting with `h`, and how many header bytes to skip first.
    @inlinable static func sniff(_ h: UnsafeRawBufferPointer) -> (Int32, Int) {
        guard h.count >= 2 else { return (-15, 0) }
        let b0 = h[0], b1 = h[1]
        if b0 == 0x1F && b1 == 0x8B {
            guard h.count >= 10 else { return (31, 0) }
            let flags = h[3]
            var p = 10
            if flags & 4 != 0 {
                guard p + 2 <= h.count else { return (31, 0) }
                // FEXTRA: a 2-byte little-endian length, then that many bytes.
                p += 2 + (Int(h[p]) | Int(h[p + 1]) << 8)
            }
            for bit: UInt8 in [8, 16] where flags & bit != 0 {
                while p < h.count && h[p] != 0 { p += 1 }
                p += 1
            }
            if flags & 2 != 0 { p += 2 }
            // Header longer than what was kept: let zlib read it, strictly.
            return p < h.count ? (-15, p) : (31, 0)
        }
        if (b0 & 0x0F) == 8 && (b0 >> 4) <= 7 && (UInt16(b0) << 8 | UInt16(b1)) % 31 == 0 { return (15, 0) }
        return (-15, 0)
    }

    /// Runs zlib over `input` for layer `k`, passing what comes out to the next layer.
    @inlinable mutating func inflate<S: HTTPSink & ~Copyable>(_ input: UnsafeRawBufferPointer, layer k: Int, _ d: Int,
                                                               _ sink: inout S, first: Bool = false) {
        guard let pool else { return }
        var rest = input
        while dirs[d].layers[k].mode == .inflating {
            let slot = dirs[d].layers[k].slot
            let (rc, used, made) = dirs[d].layers[k].lzma ? pool.decodeLZMA(slot, rest) : pool.inflate(slot, rest)
            rest = UnsafeRawBufferPointer(rebasing: rest[used...])
            if made > 0 {
                dirs[d].layers[k].produced = true
                decode(pool.output(slot, count: made), layer: k + 1, d, &sink)
                if dirs[d].layers[k].mode != .inflating { return }
            }
            if rc == Z_STREAM_END {
                pool.end(slot)
                pool.release(slot)
                dirs[d].layers[k].slot = -1
                dirs[d].layers[k].mode = .finished
                return
            }
            if rc == Z_OK {
                if rest.isEmpty && made < InflaterSlot.outCapacity { return }
                continue
            }
            if rc == Z_BUF_ERROR { return }
            // zlib rejected the data.
            pool.end(slot)
            pool.release(slot)
            dirs[d].layers[k].slot = -1
            let t = dirs[d].tx
            if first && !dirs[d].layers[k].produced {
                // Labelled compressed but not: inspect it as it is.
                dirs[d].layers[k].mode = .passthrough
                replayHead(k, d, &sink)
            } else {
                dirs[d].layers[k].mode = .finished
                counters_.inflateErrors &+= 1
                if t >= 0 { txs[t].flags.insert(.inflateError) }
            }
            return
        }
    }

    /// Hands a layer's saved first bytes to the next layer (after it turned out not to be compressed).
    @inlinable mutating func replayHead<S: HTTPSink & ~Copyable>(_ k: Int, _ d: Int, _ sink: inout S) {
        withHead(k, d, &sink) { p, head, s in p.decode(head, layer: k + 1, d, &s) }
    }

    /// Calls `body` with a copy of layer `k`'s first bytes.
    @inlinable mutating func withHead<S: HTTPSink & ~Copyable>(
        _ k: Int, _ d: Int, _ sink: inout S, _ body: (inout HTTPParser, UnsafeRawBufferPointer, inout S) -> Void
    ) {
        let n = dirs[d].layers[k].head.count
        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 1) { tmp in
            // Through the address: `head.withBytes` on the element copies the layer's buffer first.
            withUnsafeMutablePointer(to: &dirs[d].layers[k].head) { FixedBytes.withBytes(at: $0) { src in
                if n > 0 { tmp.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: n) }
            } }
            body(&self, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(tmp)[0..<n]), &sink)
        }
    }
}
