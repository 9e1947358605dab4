import CLzma
import CZlib

/// liblzma's allocator for a slot: the same bump arena as zlib's (`opaque` is the slot).
@usableFromInline let lzmaArenaAlloc: @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> UnsafeMutableRawPointer? = { opaque, items, size in
    guard let slot = opaque else { return nil }
    let (bytes, overflow) = items.multipliedReportingOverflow(by: size)
    guard !overflow, bytes <= InflaterSlot.arenaCapacity else { return nil }
    let used = slot.load(fromByteOffset: InflaterSlot.usedOffset, as: Int.self)
    let n = (bytes + 15) & ~15
    guard used + n <= InflaterSlot.arenaCapacity else { return nil }
    slot.storeBytes(of: used + n, toByteOffset: InflaterSlot.usedOffset, as: Int.self)
    return slot + InflaterSlot.arenaOffset + used
}

/// liblzma's free for a slot: nothing, the arena is rewound when the slot goes back.
@usableFromInline let lzmaArenaFree: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { _, _ in }

/// LZMA bodies (HTTP's "lzma" coding is the LZMA-alone format: a properties byte, a 4-byte
/// dictionary size, an 8-byte uncompressed size, then raw LZMA1), decoded in an inflater slot.
/// The dictionary is cut to what the slot's arena holds, as libhtp bounds it by its
/// `lzma-memlimit`: a stream reaching further back than that is a decoding error.
extension InflaterPoolHandle {
    /// Bytes of the LZMA-alone header.
    @usableFromInline static let lzmaHeaderSize = 13
    /// Largest dictionary a slot gives LZMA: the arena less the decoder's ~30 KiB of state.
    @usableFromInline static let lzmaDictionaryLimit = 16 * 1024

    /// Starts an LZMA decoder in `slot` for the stream whose header is `header` (at least 13
    /// bytes); false when the header is not LZMA-alone or the decoder cannot be set up.
    @usableFromInline func startLZMA(_ i: Int32, header h: UnsafeRawBufferPointer) -> Bool {
        guard h.count >= Self.lzmaHeaderSize, h[0] < 9 * 5 * 5 else { return false }
        var dictionary = 0
        for k in 0..<4 { dictionary |= Int(h[1 + k]) << (8 * k) }
        var size: UInt64 = 0
        for k in 0..<8 { size |= UInt64(h[5 + k]) << (8 * UInt64(k)) }
        // What a stream of known size can reach back is its size; beyond the limit, the limit.
        if size != UInt64.max { dictionary = Int(clamping: min(UInt64(dictionary), max(size, 4096))) }
        dictionary = max(4096, min(dictionary, Self.lzmaDictionaryLimit))
        let s = slot(i)
        s.storeBytes(of: 0, toByteOffset: InflaterSlot.usedOffset, as: Int.self)
        s.storeBytes(of: 1, toByteOffset: InflaterSlot.kindOffset, as: Int.self)
        let allocator = (s + InflaterSlot.lzmaAllocatorOffset).bindMemory(to: lzma_allocator.self, capacity: 1)
        allocator.initialize(to: lzma_allocator(alloc: lzmaArenaAlloc, free: lzmaArenaFree, opaque: s))
        let strm = s.bindMemory(to: lzma_stream.self, capacity: 1)
        strm.initialize(to: lzma_stream())
        strm.pointee.allocator = UnsafePointer(allocator)
        var options = lzma_options_lzma()
        options.dict_size = UInt32(dictionary)
        options.lc = UInt32(h[0] % 9)
        options.lp = UInt32(h[0] / 9 % 5)
        options.pb = UInt32(h[0] / 45)
        return withUnsafeMutablePointer(to: &options) { opts in
            var filters = (lzma_filter(id: sluice_lzma_filter_lzma1, options: UnsafeMutableRawPointer(opts)),
                           lzma_filter(id: sluice_lzma_vli_unknown, options: nil))
            return withUnsafePointer(to: &filters) {
                $0.withMemoryRebound(to: lzma_filter.self, capacity: 2) { lzma_raw_decoder(strm, $0) == LZMA_OK }
            }
        }
    }

    /// Ends the LZMA decoder in `slot` (it frees into the arena, a no-op).
    @usableFromInline func endLZMA(_ i: Int32) {
        lzma_end(slot(i).assumingMemoryBound(to: lzma_stream.self))
        slot(i).storeBytes(of: 0, toByteOffset: InflaterSlot.kindOffset, as: Int.self)
    }

    /// Decodes from `input` into the slot's output buffer, with zlib's return codes (so the
    /// body decoder treats both alike): input used and output made as `inflate`.
    @usableFromInline func decodeLZMA(_ i: Int32, _ input: UnsafeRawBufferPointer) -> (rc: Int32, used: Int, made: Int) {
        let s = slot(i)
        let strm = s.assumingMemoryBound(to: lzma_stream.self)
        strm.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        strm.pointee.avail_in = input.count
        strm.pointee.next_out = (s + InflaterSlot.outOffset).assumingMemoryBound(to: UInt8.self)
        strm.pointee.avail_out = InflaterSlot.outCapacity
        let rc = lzma_code(strm, LZMA_RUN)
        let used = input.count - strm.pointee.avail_in
        let made = InflaterSlot.outCapacity - strm.pointee.avail_out
        switch rc {
        case LZMA_OK: return (Z_OK, used, made)
        case LZMA_STREAM_END: return (Z_STREAM_END, used, made)
        case LZMA_BUF_ERROR: return (Z_BUF_ERROR, used, made)
        default: return (Z_DATA_ERROR, used, made)
        }
    }
}
