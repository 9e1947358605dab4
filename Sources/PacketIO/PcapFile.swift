#if canImport(Glibc)
import Glibc
#endif
import CPcap
import Codecs

/// A pcap or pcapng file, frames handed out without copying. Classic pcap is read through
/// libpcap; pcapng through ``PcapngReader``, so a file whose interfaces have different link
/// types is read whole (libpcap refuses it) and `linkType` follows each frame's interface.
///
/// A file damaged part-way (a truncated last record, a block with an impossible length) ends
/// the input there: every frame before it is handed out, `nextPacket` returns nil and
/// `damage` says what was wrong, so a replay still writes its EVE and summary. Opening a file
/// that is not a capture at all throws.
public struct PcapFile: PacketSource, ~Copyable {
    @usableFromInline let handle: OpaquePointer?
    @usableFromInline var ng: PcapngReader?
    let stream: UnsafeMutablePointer<FILE>?
    /// The link-layer type of the frame last returned (of the first interface before any).
    public private(set) var linkType: LinkType
    /// The file's path, for messages.
    public let path: String
    /// Why reading stopped before the end of the file; nil when it read cleanly (so far).
    public var damage: String? { ng?.damage ?? pcapDamage }
    @usableFromInline var pcapDamage: String?
    /// A pcapng file's filter, compiled per link type as each appears.
    var filterExpression: String?
    var programs: [(link: Int32, program: bpf_program)] = []

    /// Opens `path` (pcap or pcapng) with nanosecond timestamps.
    public init(path: String) throws(PacketSourceError) {
        guard let f = fopen(path, "rb") else { throw PacketSourceError("\(path): \(String(cString: strerror(errno)))") }
        try self.init(stream: f, name: path)
    }

    /// Reads a capture held in memory (the fuzz target's way in); `bytes` must outlive the value.
    public init(memory bytes: UnsafeRawBufferPointer, name: String = "<memory>") throws(PacketSourceError) {
        guard let base = bytes.baseAddress, bytes.count > 0,
              let f = fmemopen(UnsafeMutableRawPointer(mutating: base), bytes.count, "rb") else {
            throw PacketSourceError("\(name): empty")
        }
        try self.init(stream: f, name: name)
    }

    /// Takes `f` (closed with the value, or here on failure) and reads its format from the magic.
    init(stream f: UnsafeMutablePointer<FILE>, name: String) throws(PacketSourceError) {
        path = name
        var magic: UInt32 = 0
        let n = fread(&magic, 1, 4, f)
        if n == 4 && magic == 0x0A0D0D0A {
            rewind(f)
            stream = f
            handle = nil
            pcapDamage = nil
            ng = PcapngReader(file: f)
            linkType = .ethernet
            return
        }
        rewind(f)
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // libpcap owns `f` once it opens: pcap_close closes it. A failed open leaves it to us.
        guard let h = pcap_fopen_offline_with_tstamp_precision(f, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            fclose(f)
            throw PacketSourceError("\(name): \(errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })")
        }
        handle = h
        stream = nil
        ng = nil
        pcapDamage = nil
        linkType = LinkType(rawValue: pcap_datalink(h))
    }

    deinit {
        if let handle { pcap_close(handle) }
        ng?.deallocate()
        if let stream { fclose(stream) }
        for var p in programs { pcap_freecode(&p.program) }
    }

    /// Keeps only frames matching a tcpdump-syntax filter, compiled by libpcap into BPF.
    public mutating func setFilter(_ expression: String) throws(PacketSourceError) {
        guard let handle else {
            // pcapng: check the expression now (against Ethernet); compile per link type later.
            var p = try Self.compile(expression, link: LinkType.ethernet.rawValue)
            pcap_freecode(&p)
            filterExpression = expression
            return
        }
        var program = bpf_program()
        guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw PacketSourceError("filter '\(expression)': \(String(cString: pcap_geterr(handle)))")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            throw PacketSourceError("filter '\(expression)': \(String(cString: pcap_geterr(handle)))")
        }
    }

    static func compile(_ expression: String, link: Int32) throws(PacketSourceError) -> bpf_program {
        // pcapng stores LINKTYPE_ values; libpcap compiles for DLT_ values, which differ for raw IP.
        let dlt = link == LinkType.rawLinktype.rawValue ? Int32(DLT_RAW) : link
        guard let dead = pcap_open_dead(dlt, 262_144) else { throw PacketSourceError("filter '\(expression)': no memory") }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw PacketSourceError("filter '\(expression)' for link type \(link): \(String(cString: pcap_geterr(dead)))")
        }
        return program
    }

    /// The next frame; nil at the end of the file or where it is damaged (see `damage`).
    @inlinable
    public mutating func nextPacket() throws(PacketSourceError) -> CapturedPacket? {
        if handle == nil { return try nextPcapng() }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        switch pcap_next_ex(handle, &header, &data) {
        case 1:
            let h = header!.pointee
            // libpcap sign-extends the file's unsigned 32-bit seconds: 2038 to 2106 come back
            // negative. With nanosecond precision it puts nanoseconds in tv_usec.
            let seconds = UInt64(UInt32(truncatingIfNeeded: h.ts.tv_sec))
            let ts = seconds &* 1_000_000_000 &+ UInt64(UInt32(truncatingIfNeeded: h.ts.tv_usec))
            return CapturedPacket(data: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)),
                                  wireLength: Int(h.len), timestamp: ts)
        case PCAP_ERROR_BREAK:
            return nil
        default:
            pcapDamage = String(cString: pcap_geterr(handle))
            return nil
        }
    }

    @usableFromInline
    mutating func nextPcapng() throws(PacketSourceError) -> CapturedPacket? {
        while let (p, link) = ng!.next() {
            linkType = link
            guard let filterExpression else { return p }
            if try matches(p, link: link.rawValue, filterExpression) { return p }
        }
        return nil
    }

    mutating func matches(_ p: CapturedPacket, link: Int32, _ expression: String) throws(PacketSourceError) -> Bool {
        var k = programs.firstIndex { $0.link == link }
        if k == nil {
            programs.append((link, try Self.compile(expression, link: link)))
            k = programs.count - 1
        }
        var h = pcap_pkthdr()
        h.caplen = UInt32(truncatingIfNeeded: p.data.count)
        h.len = UInt32(truncatingIfNeeded: p.wireLength)
        return withUnsafePointer(to: &programs[k!].program) { prog in
            pcap_offline_filter(prog, &h, p.data.baseAddress?.assumingMemoryBound(to: UInt8.self)) != 0
        }
    }
}
