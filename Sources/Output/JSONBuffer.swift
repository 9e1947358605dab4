import Codecs

/// An append-only byte buffer for JSON lines, written field by field without `String`s and
/// flushed to a file descriptor when full. One per worker; nothing here allocates after `init`.
public struct JSONBuffer: ~Copyable {
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    @usableFromInline let capacity: Int
    @usableFromInline var used = 0
    @usableFromInline let fd: Int32
    /// Whether a field was written since the last `{`, so the next one needs a comma.
    @usableFromInline var needsComma = false
    /// Bytes written to the descriptor so far.
    public private(set) var flushedBytes: UInt64 = 0
    /// Write errors seen (the buffer is dropped rather than blocking the worker).
    public private(set) var writeErrors: UInt64 = 0
    /// Objects open in the current record (1: its top level).
    @usableFromInline var depth = 0
    /// Whether the record's `"metadata":{"flowvars":[` block (Sluice's own objects) is open.
    @usableFromInline var vendorOpen = false
    /// Where the current record starts, and whether `eventTypes` leaves it out (it is then
    /// taken back at `endLine`).
    @usableFromInline var recordStart = 0
    @usableFromInline var dropRecord = false
    /// The event types written (`sluice replay --eve-types`); nil writes every type.
    public var eventTypes: EveTypeFilter?
    /// Interface names by index (`in_iface`): 32-byte slots (a length byte, then the name), set
    /// once before the worker runs; nil without names (replay).
    @usableFromInline var interfaceNames: UnsafeMutablePointer<UInt8>?
    @usableFromInline var interfaceNameCount = 0

    /// A buffer of `capacity` bytes that flushes to `fd` (-1 keeps everything in memory until `take`).
    public init(fd: Int32, capacity: Int = 1 << 20) {
        self.fd = fd
        self.capacity = max(capacity, 16384)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
        interfaceNames?.deallocate()
    }

    /// Names interfaces 1, 2, ... (the flow entries' `iface`) for the `in_iface` field: the
    /// daemon's interface names, in config order. Names are cut at 31 bytes.
    public mutating func setInterfaceNames(_ names: [String]) {
        interfaceNames?.deallocate()
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, names.count) * 32)
        for (i, name) in names.enumerated() {
            let bytes = Array(name.utf8.prefix(31))
            table[i * 32] = UInt8(bytes.count)
            for (j, b) in bytes.enumerated() { table[i * 32 + 1 + j] = b }
        }
        interfaceNames = table
        interfaceNameCount = names.count
    }

    /// Writes `"in_iface":"NAME"` for interface `index` (1-based); nothing when it has no name.
    @inlinable public mutating func interfaceField(_ index: UInt16) {
        guard let table = interfaceNames, index >= 1, Int(index) <= interfaceNameCount else { return }
        let slot = table + (Int(index) - 1) * 32
        field("in_iface", bytes: UnsafeRawBufferPointer(start: slot + 1, count: Int(slot[0])))
    }

    /// The bytes not yet flushed.
    public var pending: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: used) }

    /// Makes room for a record of up to `bytes`, flushing first when needed.
    @inlinable public mutating func reserve(_ bytes: Int) {
        if used + bytes > capacity { flush() }
    }

    /// Writes pending bytes to the descriptor.
    public mutating func flush() {
        guard fd >= 0 else {
            // In-memory mode (tests): grow is not allowed, so the oldest bytes are dropped.
            if used > capacity / 2 { used = 0; recordStart = 0 }
            return
        }
        var off = 0
        while off < used {
            let n = writeBytes(fd, base + off, used - off)
            if n <= 0 { writeErrors &+= 1; break }
            off += n
        }
        flushedBytes &+= UInt64(off)
        used = 0
        // A record cut by this flush can only be taken back from here on.
        recordStart = 0
    }

    /// Discards pending bytes after copying them out (tests and the CLI's summary use it).
    public mutating func take() -> [UInt8] {
        let out = Array(pending)
        used = 0
        return out
    }

    // MARK: - Primitives

    @inlinable public mutating func byte(_ b: UInt8) {
        if used < capacity { base[used] = b; used += 1 }
    }

    @inlinable public mutating func raw(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        guard used + n <= capacity else { return }
        (base + used).update(from: s.utf8Start, count: n)
        used += n
    }

    /// Copies bytes as they are (already JSON-safe).
    @inlinable public mutating func rawBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let b = bytes.baseAddress, used + bytes.count <= capacity else { return }
        (base + used).update(from: b.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        used += bytes.count
    }

    /// Opens a record (`{`) of `eventType`; with `eventTypes` set and the type not in it, the
    /// record is still written field by field but taken back at `endLine`.
    @inlinable public mutating func beginRecord(_ eventType: StaticString) {
        recordStart = used
        dropRecord = eventTypes.map { !$0.contains(eventType) } ?? false
        depth = 0
        vendorOpen = false
        beginObject()
    }

    /// Opens an object.
    @inlinable public mutating func beginObject() { byte(UInt8(ascii: "{")); needsComma = false; depth &+= 1 }
    /// Closes an object (and, at the record's top level, the block of Sluice's own objects).
    @inlinable public mutating func endObject() {
        if vendorOpen && depth == 1 { closeVendorBlock() }
        byte(UInt8(ascii: "}"))
        needsComma = true
        depth &-= 1
    }
    /// Ends a record with a newline (or takes it back when its type is not written).
    @inlinable public mutating func endLine() {
        if dropRecord {
            used = recordStart
            dropRecord = false
        } else {
            byte(UInt8(ascii: "\n"))
        }
        needsComma = false
        depth = 0
        vendorOpen = false
    }

    /// Opens one of Sluice's own objects, `name`, where Suricata's EVE schema allows extra data:
    /// an item `{"name":{...}}` of the record's `metadata.flowvars` (docs/eve.md). Write them
    /// after the record's other top-level fields: the block closes at the next top-level key.
    @inlinable public mutating func beginVendorObject(_ name: StaticString) {
        if vendorOpen {
            byte(UInt8(ascii: ","))
        } else {
            key("metadata")
            raw("{\"flowvars\":[")
            vendorOpen = true
        }
        raw("{\"")
        raw(name)
        raw("\":")
        beginObject()
    }

    /// Closes an object opened by `beginVendorObject`.
    @inlinable public mutating func endVendorObject() {
        endObject()
        byte(UInt8(ascii: "}"))
        needsComma = true
    }

    @inlinable mutating func closeVendorBlock() {
        raw("]}")
        vendorOpen = false
        needsComma = true
    }

    /// Writes `"name":` (with a comma when needed).
    @inlinable public mutating func key(_ name: StaticString) {
        if vendorOpen && depth == 1 { closeVendorBlock() }
        if needsComma { byte(UInt8(ascii: ",")) }
        byte(UInt8(ascii: "\""))
        raw(name)
        raw("\":")
        needsComma = true
    }

    /// Opens a nested object under `name`.
    @inlinable public mutating func objectKey(_ name: StaticString) { key(name); beginObject() }

    @inlinable public mutating func field(_ name: StaticString, _ value: UInt64) {
        key(name)
        number(value)
    }

    /// A bare decimal number (inside an array, or after `key`).
    @inlinable public mutating func number(_ value: UInt64) {
        guard used + 20 <= capacity else { return }
        used += writeDecimal(value, into: base + used)
    }

    @inlinable public mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        raw(value ? "true" : "false")
    }

    /// A string field from static text (already JSON-safe).
    @inlinable public mutating func field(_ name: StaticString, _ value: StaticString) {
        key(name)
        byte(UInt8(ascii: "\""))
        raw(value)
        byte(UInt8(ascii: "\""))
    }

    /// A string field from arbitrary bytes, escaped.
    @inlinable public mutating func field(_ name: StaticString, bytes: UnsafeRawBufferPointer) {
        key(name)
        string(bytes)
    }

    @inlinable public mutating func nullField(_ name: StaticString) { key(name); raw("null") }

    @inlinable public mutating func field(_ name: StaticString, _ ip: IPAddress) {
        key(name)
        guard used + 48 <= capacity else { return }
        byte(UInt8(ascii: "\""))
        // Suricata writes IPv6 uncompressed; tools keyed on its output expect that form.
        used += ip.formatExpanded(into: base + used)
        byte(UInt8(ascii: "\""))
    }

    /// A two-digit lowercase hex field such as Suricata's `tcp_flags`.
    @inlinable public mutating func hexByteField(_ name: StaticString, _ value: UInt8) {
        key(name)
        let digits: StaticString = "0123456789abcdef"
        byte(UInt8(ascii: "\""))
        byte(digits.utf8Start[Int(value >> 4)])
        byte(digits.utf8Start[Int(value & 0xf)])
        byte(UInt8(ascii: "\""))
    }

    /// A timestamp field in Suricata's form, `2024-01-31T12:34:56.123456+0000` (UTC).
    @inlinable public mutating func timestampField(_ name: StaticString, nanos: UInt64) {
        key(name)
        guard used + 40 <= capacity else { return }
        byte(UInt8(ascii: "\""))
        used += EveTime.format(nanos: nanos, into: base + used)
        byte(UInt8(ascii: "\""))
    }

    /// A JSON string of arbitrary bytes: quotes, backslashes, control and non-ASCII bytes escaped.
    @inlinable public mutating func string(_ bytes: UnsafeRawBufferPointer) {
        byte(UInt8(ascii: "\""))
        let hex: StaticString = "0123456789abcdef"
        for b in bytes {
            guard used + 6 <= capacity else { break }
            switch b {
            case UInt8(ascii: "\""): byte(UInt8(ascii: "\\")); byte(b)
            case UInt8(ascii: "\\"): byte(UInt8(ascii: "\\")); byte(b)
            case 0x0a: byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "n"))
            case 0x0d: byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "r"))
            case 0x09: byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "t"))
            case 0x20..<0x7f: byte(b)
            default:
                raw("\\u00")
                byte(hex.utf8Start[Int(b >> 4)])
                byte(hex.utf8Start[Int(b & 0xf)])
            }
        }
        byte(UInt8(ascii: "\""))
    }
}
