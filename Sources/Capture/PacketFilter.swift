import CPcap

/// Why a tcpdump expression did not compile, in libpcap's words.
public struct PacketFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The expression as given.
    public var expression: String
    /// libpcap's message (`pcap_geterr` after `pcap_compile`), e.g. "syntax error".
    public var message: String

    /// An error for `expression` with libpcap's `message`.
    public init(expression: String, message: String) {
        self.expression = expression
        self.message = message
    }

    /// One line naming the expression and libpcap's reason.
    public var description: String { "filter '\(expression)': \(message)" }
}

/// A tcpdump-syntax filter compiled by libpcap into a BPF program for Ethernet frames.
///
/// Compiled once on the control side (`pcap_open_dead(DLT_EN10MB)` + `pcap_compile`), then run
/// by the workers with `pcap_offline_filter`, which is the userspace BPF interpreter tcpdump
/// uses on files: the same expression selects the same frames here as in `tcpdump -r`. The
/// program is never changed after compilation and the interpreter only reads it, so one
/// filter can be shared by every worker without a lock.
public final class PacketFilter: @unchecked Sendable {
    /// The tcpdump expression it was compiled from ("" matches every frame).
    public let expression: String
    /// The compiled program. Heap-allocated once so the per-frame call passes a stable pointer
    /// instead of materialising a temporary.
    @usableFromInline let program: UnsafeMutablePointer<bpf_program>

    /// Compiles `expression` for Ethernet frames captured up to `snapLength` bytes.
    ///
    /// The link type is fixed to Ethernet because every interface the dataplane reads is
    /// (AF_PACKET rings hand over Ethernet frames with the VLAN tag stripped).
    public init(_ expression: String, snapLength: Int = 262_144) throws(PacketFilterError) {
        guard let dead = pcap_open_dead(DLT_EN10MB, Int32(clamping: snapLength)) else {
            throw PacketFilterError(expression: expression, message: "pcap_open_dead failed")
        }
        defer { pcap_close(dead) }
        let p = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
        p.initialize(to: bpf_program())
        // optimize = 1 as tcpdump does; the netmask only matters for "ip broadcast".
        guard pcap_compile(dead, p, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            let message = String(cString: pcap_geterr(dead))
            p.deallocate()
            throw PacketFilterError(expression: expression, message: message)
        }
        program = p
        self.expression = expression
    }

    deinit {
        pcap_freecode(program)
        program.deallocate()
    }

    /// Number of BPF instructions, for logs (a complex expression costs more per frame).
    public var instructionCount: Int { Int(program.pointee.bf_len) }

    /// Whether the frame passes the filter. `frame` holds the captured bytes and `wireLength`
    /// the length on the wire (BPF's `len`, which expressions such as `greater 100` test).
    /// No allocation: a stack header and a call into libpcap's interpreter.
    @inlinable
    public func matches(frame: UnsafeRawBufferPointer, wireLength: Int) -> Bool {
        // An empty frame has no base address to give the interpreter; nothing sensible matches it.
        guard let base = frame.baseAddress else { return false }
        var header = pcap_pkthdr()
        header.caplen = UInt32(truncatingIfNeeded: frame.count)
        header.len = UInt32(truncatingIfNeeded: wireLength)
        return pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }
}
