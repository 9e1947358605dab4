import Codecs

/// A whole capture loaded into one contiguous buffer, replayed from memory so a benchmark
/// measures the engine rather than the disk and libpcap's read path.
public struct MemoryCapture: PacketSource, ~Copyable {
    @usableFromInline let bytes: UnsafeMutableRawPointer
    @usableFromInline let records: UnsafeMutablePointer<(offset: Int, caplen: Int32, wireLength: Int32, timestamp: UInt64)>
    /// Frames held.
    public let packetCount: Int
    /// Bytes on the wire of all frames held.
    public let wireBytes: UInt64
    /// The capture's link-layer type.
    public let linkType: LinkType
    @usableFromInline var cursor = 0

    /// Reads every frame of `path` (up to `limit`) into memory.
    public init(path: String, limit: Int = .max) throws(PacketSourceError) {
        let loaded = try Self.load(path: path, limit: limit)
        bytes = loaded.buffer
        linkType = loaded.linkType
        packetCount = loaded.offsets.count
        wireBytes = loaded.wire
        records = .allocate(capacity: max(1, loaded.offsets.count))
        for (i, r) in loaded.offsets.enumerated() { records[i] = r }
    }

    private static func load(path: String, limit: Int) throws(PacketSourceError)
        -> (buffer: UnsafeMutableRawPointer, linkType: LinkType, wire: UInt64,
            offsets: [(offset: Int, caplen: Int32, wireLength: Int32, timestamp: UInt64)]) {
        var file = try PcapFile(path: path)
        var offsets: [(offset: Int, caplen: Int32, wireLength: Int32, timestamp: UInt64)] = []
        var capacity = 1 << 20
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        var used = 0
        var wire: UInt64 = 0
        do {
            while offsets.count < limit, let p = try file.nextPacket() {
                if used + p.data.count > capacity {
                    while used + p.data.count > capacity { capacity *= 2 }
                    let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
                    grown.copyMemory(from: buffer, byteCount: used)
                    buffer.deallocate()
                    buffer = grown
                }
                if let base = p.data.baseAddress { (buffer + used).copyMemory(from: base, byteCount: p.data.count) }
                offsets.append((used, Int32(p.data.count), Int32(p.wireLength), p.timestamp))
                // Keep each frame 8-byte aligned, as a capture ring would.
                used += (p.data.count + 7) & ~7
                wire += UInt64(p.wireLength)
            }
        } catch {
            buffer.deallocate()
            throw error
        }
        return (buffer, file.linkType, wire, offsets)
    }

    deinit { bytes.deallocate(); records.deallocate() }

    /// Starts the replay again from the first frame.
    public mutating func rewind() { cursor = 0 }

    /// The next frame; nil after the last.
    @inlinable
    public mutating func nextPacket() throws(PacketSourceError) -> CapturedPacket? {
        guard cursor < packetCount else { return nil }
        let r = records[cursor]
        cursor += 1
        return CapturedPacket(data: UnsafeRawBufferPointer(start: bytes + r.offset, count: Int(r.caplen)),
                              wireLength: Int(r.wireLength), timestamp: r.timestamp)
    }
}
