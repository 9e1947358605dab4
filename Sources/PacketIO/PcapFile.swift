import CPcap
import Codecs

/// A pcap or pcapng file read through libpcap, frames handed out without copying.
public struct PcapFile: PacketSource, ~Copyable {
    @usableFromInline let handle: OpaquePointer
    /// The file's link-layer type.
    public let linkType: LinkType
    /// The file's path, for messages.
    public let path: String

    /// Opens `path` (pcap or pcapng) with nanosecond timestamps.
    public init(path: String) throws(PacketSourceError) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let h = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            throw PacketSourceError("\(path): \(errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })")
        }
        handle = h
        linkType = LinkType(rawValue: pcap_datalink(h))
        self.path = path
    }

    deinit { pcap_close(handle) }

    /// Keeps only frames matching a tcpdump-syntax filter, compiled by libpcap into BPF.
    public mutating func setFilter(_ expression: String) throws(PacketSourceError) {
        var program = bpf_program()
        guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw PacketSourceError("filter '\(expression)': \(String(cString: pcap_geterr(handle)))")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            throw PacketSourceError("filter '\(expression)': \(String(cString: pcap_geterr(handle)))")
        }
    }

    /// The next frame; nil at the end of the file.
    @inlinable
    public mutating func nextPacket() throws(PacketSourceError) -> CapturedPacket? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        switch pcap_next_ex(handle, &header, &data) {
        case 1:
            let h = header!.pointee
            // With nanosecond precision libpcap puts nanoseconds in tv_usec.
            let ts = UInt64(h.ts.tv_sec) &* 1_000_000_000 &+ UInt64(h.ts.tv_usec)
            return CapturedPacket(data: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)),
                                  wireLength: Int(h.len), timestamp: ts)
        case PCAP_ERROR_BREAK:
            return nil
        default:
            throw PacketSourceError("\(path): \(String(cString: pcap_geterr(handle)))")
        }
    }
}
