#if os(Linux)
import CDPDKShim
import Codecs
import Glibc
import PacketIO

/// A packet source over one DPDK queue, for replaying a capture through DPDK's net_pcap
/// driver (`--vdev=net_pcap0,rx_pcap=FILE`) into the same worker `sluice replay` feeds from
/// libpcap. The driver reads the file synchronously, so a run of empty bursts is its end.
public struct DPDKCaptureSource: PacketSource, ~Copyable {
    /// The queue read.
    public var port: DPDKPort
    /// Ethernet: the DPDK drivers carry Ethernet frames.
    public var linkType: LinkType { .ethernet }
    /// Consecutive empty bursts taken as the end of the input.
    public let idleBursts: Int
    /// Where a frame net_pcap chained over several mbufs is copied whole (the same bytes
    /// libpcap would give); allocated once.
    let scratch: UnsafeMutableRawBufferPointer

    /// The longest frame passed on whole.
    public static let maximumFrame = 262_144

    /// A source over `port`, ending after `idleBursts` empty bursts in a row.
    public init(port: consuming DPDKPort, idleBursts: Int = 64) {
        self.port = port
        self.idleBursts = idleBursts
        scratch = .allocate(byteCount: Self.maximumFrame, alignment: 16)
    }

    deinit { scratch.deallocate() }

    /// Starts EAL on a net_pcap vdev reading `path` (no hugepages, no PCI) plus `extraEAL`,
    /// and opens its only queue.
    public init(pcap path: String, extraEAL: [String] = []) throws(DPDKError) {
        guard !path.contains(",") else { throw DPDKError("DPDK: a capture path for net_pcap cannot contain a comma: \(path)", code: EINVAL) }
        try DPDKEAL.start(DPDKEAL.defaultArguments() + ["--vdev=net_pcap0,rx_pcap=\(path)"] + extraEAL)
        let pool = try DPDKMempool(name: "sluice_replay", count: 8191)
        let id = try DPDKPort.start(named: "net_pcap0", queues: 1, ringSize: 512, pool: pool)
        var port = DPDKPort(port: id, queue: 0, pool: pool)
        // net_pcap stamps mbufs with the capture's time in microseconds.
        port.driverTimestampScale = 1000
        self.init(port: port)
    }

    /// The next frame; the previous one's mbuf goes back to the pool first.
    public mutating func nextPacket() throws(PacketSourceError) -> CapturedPacket? {
        port.release()
        var empty = 0
        while true {
            if let f = port.receive() {
                guard let m = f.buffer else { return f.packet }
                var length: UInt32 = 0
                guard let bytes = sluice_dpdk_mbuf_linear(m, scratch.baseAddress, UInt32(scratch.count), &length) else { return f.packet }
                return CapturedPacket(data: UnsafeRawBufferPointer(start: bytes, count: Int(length)),
                                      wireLength: f.packet.wireLength, timestamp: f.packet.timestamp)
            }
            empty += 1
            if empty >= idleBursts { return nil }
            sched_yield()
        }
    }
}
#endif
