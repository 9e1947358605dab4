/// The HPACK dynamic table of one direction (RFC 7541 section 2.3.2) in fixed storage: entry
/// bytes (name then value) go into a byte ring in insertion order, and a ring of small records
/// says where each entry starts. Eviction is FIFO, so freeing the oldest entry just moves the
/// tail. Storage is `byteCapacity` bytes whatever the peer asks for: a larger maximum (clients
/// advertise 64 KiB) is followed while the entries held fit the storage, and only an insert
/// that would need more makes the decoder give up (see `HPACKDecoder`).
@usableFromInline struct DynamicTable {
    /// Hard cap on the RFC size of the entries held (SETTINGS_HEADER_TABLE_SIZE's default).
    @usableFromInline static let byteCapacity = 4096
    /// Each entry counts 32 bytes of overhead, so this many always fit.
    @usableFromInline static let entryCapacity = byteCapacity / 32

    @usableFromInline struct Entry {
        @usableFromInline var start: UInt16
        @usableFromInline var nameLength: UInt16
        @usableFromInline var valueLength: UInt16
    }

    @usableFromInline var bytes = InlineArray<4096, UInt8>(repeating: 0)
    @usableFromInline var entries = InlineArray<128, Entry>(repeating: Entry(start: 0, nameLength: 0, valueLength: 0))
    /// Index in `entries` of the oldest entry.
    @usableFromInline var oldest = 0
    /// Entries held.
    @usableFromInline var count = 0
    /// Where the next entry's bytes go.
    @usableFromInline var head = 0
    /// RFC size: sum of name + value + 32 over entries.
    @usableFromInline var size = 0
    /// Current maximum size, set by size updates.
    @usableFromInline var maxSize = 4096

    @usableFromInline init() {}

    /// Entry `i` counting from the newest (0), as HPACK indexes it (index 62 is i = 0).
    /// The readers are `mutating` only so `self` comes by address: non-mutating, the whole
    /// table is copied to a temporary to index its inline storage.
    @usableFromInline mutating func entry(_ i: Int) -> Entry {
        entries[(oldest + count - 1 - i) & (Self.entryCapacity - 1)]
    }

    @usableFromInline mutating func byte(at offset: Int) -> UInt8 { bytes[offset & (Self.byteCapacity - 1)] }

    /// Drops oldest entries until `size + extra <= maxSize`.
    @usableFromInline mutating func evict(toFit extra: Int) {
        while count > 0 && size + extra > maxSize {
            let e = entries[oldest]
            size -= Int(e.nameLength) + Int(e.valueLength) + 32
            oldest = (oldest + 1) & (Self.entryCapacity - 1)
            count -= 1
        }
        if count == 0 { size = 0 }
    }

    /// Sets a new maximum size (already checked against the limits), evicting as needed.
    @usableFromInline mutating func setMaxSize(_ newSize: Int) {
        maxSize = newSize
        evict(toFit: 0)
    }

    /// Adds an entry whose decoded lengths are known. An entry bigger than the table empties it
    /// (RFC 7541 section 4.4). A name taken from an entry that gets evicted here is still
    /// readable: bytes are copied forward, each read before anything can overwrite it.
    /// False, with nothing added, when the peer's table (its maximum above `byteCapacity`)
    /// now holds more than the storage does: the table can no longer be followed.
    @usableFromInline mutating func insert(name: HeaderString, nameLength: Int, value: HeaderString, valueLength: Int) -> Bool {
        let entrySize = nameLength + valueLength + 32
        guard entrySize <= maxSize else { evict(toFit: maxSize &+ 1); return true }
        evict(toFit: entrySize)
        guard size + entrySize <= Self.byteCapacity else { return false }
        let start = head
        var w = head
        append(name, at: &w)
        append(value, at: &w)
        head = w & (Self.byteCapacity - 1)
        entries[(oldest + count) & (Self.entryCapacity - 1)] =
            Entry(start: UInt16(start), nameLength: UInt16(nameLength), valueLength: UInt16(valueLength))
        count += 1
        size += entrySize
        return true
    }

    @usableFromInline mutating func append(_ s: HeaderString, at w: inout Int) {
        let mask = Self.byteCapacity - 1
        switch s {
        case .literal(let p, let huffman):
            if huffman {
                var pos = w
                _ = HuffmanDecoder.decode(p) { b in bytes[pos & mask] = b; pos += 1 }
                w = pos
            } else {
                for b in p { bytes[w & mask] = b; w += 1 }
            }
        case .fixed(let s):
            for i in 0..<s.utf8CodeUnitCount { bytes[w & mask] = s.utf8Start[i]; w += 1 }
        case .table(let start, let length):
            for i in 0..<length { bytes[w & mask] = bytes[(start + i) & mask]; w += 1 }
        }
    }
}
