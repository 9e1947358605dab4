/// Merges the per-worker pcapng files of one capture into one file ordered by timestamp.
///
/// Each worker's file has the same Section Header and Interface Description Blocks (the
/// registry creates them alike), so the merged file takes those from the first file and
/// then every Enhanced Packet Block of all files, sorted by timestamp (ties keep worker, then
/// file order). Runs on the API thread at download, never on the packet path.
enum PcapngMerge {
    /// One packet block: which file, where, and its timestamp.
    struct Packet {
        var file: Int
        var offset: Int
        var length: Int
        var timestamp: UInt64
    }

    /// The merged bytes of the pcapng files at `paths` (written by ``PcapngWriter``).
    /// A block cut short at the end of a file (a running capture's worker mid-write) is left out.
    static func merge(paths: [String]) throws(CaptureError) -> [UInt8] {
        var files: [[UInt8]] = []
        for p in paths { files.append(try FileDescriptorIO.readAll(p)) }
        var header: [UInt8] = []
        var packets: [Packet] = []
        for (index, bytes) in files.enumerated() {
            let path = paths[index]
            guard bytes.count >= 28, load32(bytes, 0) == Pcapng.sectionHeader, load32(bytes, 8) == Pcapng.byteOrderMagic else {
                throw CaptureError.malformedFile(path: path, reason: "no section header in host byte order")
            }
            var offset = 0
            var headerEnd = -1
            while offset + 12 <= bytes.count {
                let type = load32(bytes, offset)
                let length = Int(load32(bytes, offset + 4))
                guard length >= 12, length % 4 == 0 else {
                    throw CaptureError.malformedFile(path: path, reason: "block of length \(length) at \(offset)")
                }
                if offset + length > bytes.count { break }
                if type == Pcapng.sectionHeader && offset != 0 {
                    throw CaptureError.malformedFile(path: path, reason: "second section at \(offset)")
                }
                if type == Pcapng.enhancedPacket {
                    if headerEnd < 0 { headerEnd = offset }
                    let ts = UInt64(load32(bytes, offset + 12)) << 32 | UInt64(load32(bytes, offset + 16))
                    packets.append(Packet(file: index, offset: offset, length: length, timestamp: ts))
                }
                offset += length
            }
            if index == 0 { header = Array(bytes[0..<(headerEnd < 0 ? offset : headerEnd)]) }
        }
        packets.sort { ($0.timestamp, $0.file, $0.offset) < ($1.timestamp, $1.file, $1.offset) }
        var out = header
        out.reserveCapacity(header.count + packets.reduce(0) { $0 + $1.length })
        for p in packets { out.append(contentsOf: files[p.file][p.offset..<(p.offset + p.length)]) }
        return out
    }

    /// The host-order 32-bit word at `offset`.
    static func load32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    }
}
