import CZlib

/// Fixed geometry of one inflater slot. zlib keeps a pointer from its state back to the
/// `z_stream`, so the stream must never move: it lives in the slot, not in the (movable) parser.
@usableFromInline enum InflaterSlot {
    /// The slot starts with the decoder's stream: a `z_stream`, or an `lzma_stream` for lzma
    /// bodies (`kindOffset` says which), each needing a fixed address.
    @usableFromInline static let streamCapacity = 192
    /// 1 when the slot holds an `lzma_stream`, 0 for zlib.
    @usableFromInline static let kindOffset = 192
    /// liblzma's allocator record (it keeps a pointer to it).
    @usableFromInline static let lzmaAllocatorOffset = 200
    /// Where the bump allocator's high-water mark lives in the slot.
    @usableFromInline static let usedOffset = 232
    /// Output buffer: inflate writes here, the next layer or the sink reads it.
    @usableFromInline static let outOffset = 256
    @usableFromInline static let outCapacity = 8192
    /// Arena for zlib's own allocations: inflate state (~7 KiB) and a 32 KiB window.
    @usableFromInline static let arenaOffset = outOffset + outCapacity
    @usableFromInline static let arenaCapacity = 48 * 1024
    @usableFromInline static let stride = arenaOffset + arenaCapacity
}

/// zlib's allocator for a slot: a bump pointer over the slot's arena, so inflating never calls
/// malloc. `opaque` is the slot. A slot serves one stream at a time and is rewound on release.
@usableFromInline let inflaterAlloc: alloc_func = { opaque, items, size in
    guard let slot = opaque else { return nil }
    let used = slot.load(fromByteOffset: InflaterSlot.usedOffset, as: Int.self)
    let n = (Int(items) * Int(size) + 15) & ~15
    guard used + n <= InflaterSlot.arenaCapacity else { return nil }
    slot.storeBytes(of: used + n, toByteOffset: InflaterSlot.usedOffset, as: Int.self)
    return slot + InflaterSlot.arenaOffset + used
}

/// zlib's free for a slot: nothing, the arena is rewound when the slot goes back to the pool.
@usableFromInline let inflaterFree: free_func = { _, _ in }

/// Preallocated zlib inflaters shared by the flows of one worker: a flow borrows one slot per
/// compressed body layer for the length of that body. One allocation at init, none after.
/// The L7 stage owns the pool; parsers hold its `handle`, which must not outlive it.
public struct InflaterPool: ~Copyable {
    /// What parsers keep to borrow slots.
    public let handle: InflaterPoolHandle

    /// A pool of `slots` inflaters, about 57 KiB each.
    public init(slots: Int = 64) {
        let n = max(1, slots)
        let headerBytes = (8 + 4 * n + 63) & ~63
        let base = UnsafeMutableRawPointer.allocate(byteCount: headerBytes + n * InflaterSlot.stride, alignment: 64)
        base.storeBytes(of: Int32(n), as: Int32.self)
        base.storeBytes(of: Int32(n), toByteOffset: 4, as: Int32.self)
        for i in 0..<n { base.storeBytes(of: Int32(n - 1 - i), toByteOffset: 8 + 4 * i, as: Int32.self) }
        handle = InflaterPoolHandle(base: base, slotsOffset: headerBytes)
    }

    deinit { handle.base.deallocate() }
}

/// An unowned reference to an `InflaterPool`, copied into every parser that may decompress.
public struct InflaterPoolHandle: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let slotsOffset: Int

    @usableFromInline init(base: UnsafeMutableRawPointer, slotsOffset: Int) {
        self.base = base
        self.slotsOffset = slotsOffset
    }

    /// Slots free now.
    public var available: Int { Int(base.load(fromByteOffset: 4, as: Int32.self)) }
    /// Slots in the pool.
    public var capacity: Int { Int(base.load(as: Int32.self)) }

    /// A free slot's index, or -1 when all are borrowed.
    @usableFromInline func borrow() -> Int32 {
        let free = base.load(fromByteOffset: 4, as: Int32.self)
        guard free > 0 else { return -1 }
        let slot = base.load(fromByteOffset: 8 + 4 * Int(free - 1), as: Int32.self)
        base.storeBytes(of: free - 1, toByteOffset: 4, as: Int32.self)
        self.slot(slot).storeBytes(of: 0, toByteOffset: InflaterSlot.usedOffset, as: Int.self)
        return slot
    }

    /// Gives a slot back; its zlib stream must have been ended.
    @usableFromInline func release(_ slot: Int32) {
        let free = base.load(fromByteOffset: 4, as: Int32.self)
        base.storeBytes(of: slot, toByteOffset: 8 + 4 * Int(free), as: Int32.self)
        base.storeBytes(of: free + 1, toByteOffset: 4, as: Int32.self)
    }

    @usableFromInline func slot(_ i: Int32) -> UnsafeMutableRawPointer {
        base + slotsOffset + Int(i) * InflaterSlot.stride
    }

    /// Starts a zlib stream in `slot`: gzip, zlib or raw deflate per `windowBits`.
    @usableFromInline func start(_ i: Int32, windowBits: Int32) -> Bool {
        let s = slot(i)
        s.storeBytes(of: 0, toByteOffset: InflaterSlot.usedOffset, as: Int.self)
        let strm = s.bindMemory(to: z_stream.self, capacity: 1)
        strm.initialize(to: z_stream())
        strm.pointee.zalloc = inflaterAlloc
        strm.pointee.zfree = inflaterFree
        strm.pointee.opaque = s
        s.storeBytes(of: 0, toByteOffset: InflaterSlot.kindOffset, as: Int.self)
        return inflateInit2_(strm, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    /// Ends the zlib stream in `slot` (it frees into the arena, which is a no-op).
    @usableFromInline func end(_ i: Int32) {
        if slot(i).load(fromByteOffset: InflaterSlot.kindOffset, as: Int.self) == 1 { endLZMA(i); return }
        inflateEnd(slot(i).assumingMemoryBound(to: z_stream.self))
    }

    /// Inflates from `input` into the slot's output buffer. Returns zlib's code, input bytes
    /// consumed and output bytes produced (found at `output(i)`).
    @usableFromInline func inflate(_ i: Int32, _ input: UnsafeRawBufferPointer) -> (rc: Int32, used: Int, made: Int) {
        let s = slot(i)
        let strm = s.assumingMemoryBound(to: z_stream.self)
        strm.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        // zlib counts input in 32 bits: a larger piece is taken in turns (`used` says how far).
        let offered = min(input.count, Int(uInt.max))
        strm.pointee.avail_in = uInt(offered)
        strm.pointee.next_out = (s + InflaterSlot.outOffset).assumingMemoryBound(to: Bytef.self)
        strm.pointee.avail_out = uInt(InflaterSlot.outCapacity)
        let rc = CZlib.inflate(strm, Z_SYNC_FLUSH)
        let used = offered - Int(strm.pointee.avail_in)
        let made = InflaterSlot.outCapacity - Int(strm.pointee.avail_out)
        return (rc, used, made)
    }

    /// The slot's output buffer, first `count` bytes.
    @usableFromInline func output(_ i: Int32, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: slot(i) + InflaterSlot.outOffset, count: count)
    }
}
