import PacketIO

/// A capture file's bytes through the reader `sluice replay` uses: classic pcap through
/// libpcap, pcapng through Sluice's own reader (blocks, options, interfaces, resolutions).
/// Every frame is read to the end or to the damage, and its bytes touched.
enum CaptureFileFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard var file = try? PcapFile(memory: data) else { return }
        var sum: UInt8 = 0
        var frames = 0
        while let p = try? file.nextPacket(), frames < 100_000 {
            for b in p.data { sum &+= b }
            _ = file.linkType
            frames += 1
        }
        _ = file.damage
        // Every byte was read (under ASan a frame reaching past its buffer is reported).
        withExtendedLifetime(sum) {}
    }
}
