#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a pcapng file: one Section Header Block, one Interface Description Block per
/// interface (`if_name`, `if_tsresol` = 9 so timestamps are nanoseconds), then Enhanced
/// Packet Blocks.
///
/// Hand-written rather than libpcap's dumper because libpcap cannot write pcapng (its
/// `pcap_dump_*` writes classic pcap only), and pcapng is what carries per-interface names and
/// nanosecond timestamps in one file that tshark and Wireshark open as is.
///
/// Blocks are assembled in a fixed buffer allocated at creation and written to the file
/// descriptor when it fills (or on ``flush()``), so writing a packet is a few stores and a
/// copy, with no allocation; a system call happens once per buffer. Not for concurrent use:
/// each worker owns its writers.
public final class PcapngWriter {
    /// The file's path, for messages.
    public let path: String
    @usableFromInline let fd: Int32
    @usableFromInline let buffer: UnsafeMutableRawPointer
    @usableFromInline let capacity: Int
    @usableFromInline var used = 0
    /// Per interface id, the snap length frames are cut to.
    @usableFromInline var snapLengths: [Int] = []
    /// Bytes handed to the writer so far (written to the file or waiting in the buffer).
    public private(set) var bytesWritten = 0
    /// Enhanced Packet Blocks written so far.
    public private(set) var packetsWritten = 0
    /// Whether ``close()`` ran; a closed writer refuses to write.
    public private(set) var isClosed = false

    /// Creates (or truncates) the file at `path` and writes the Section Header Block.
    /// `bufferSize` is the write buffer; larger frames still go out, straight to the file.
    public init(path: String, bufferSize: Int = 256 * 1024, application: String = "Sluice") throws(CaptureError) {
        self.path = path
        fd = try FileDescriptorIO.create(path)
        capacity = max(bufferSize, 4096)
        buffer = .allocate(byteCount: capacity, alignment: 16)
        writeSectionHeader(application: application)
    }

    deinit {
        if !isClosed { try? close() }
        buffer.deallocate()
    }

    /// Number of interfaces described so far; packet blocks name one by its index.
    public var interfaceCount: Int { snapLengths.count }

    /// Adds an Interface Description Block for an Ethernet interface called `name` and
    /// returns its interface id. Frames written on it are cut to `snapLength` bytes. An
    /// interface must be described before its first packet; more may follow later.
    @discardableResult
    public func addInterface(name: String, snapLength: Int) throws(CaptureError) -> UInt32 {
        let nameBytes = Array(name.utf8)
        // type, length, link type + reserved, snaplen, if_name, if_tsresol, end, length.
        let length = 16 + 4 + Pcapng.padded(nameBytes.count) + 4 + 4 + 4 + 4
        try reserve(length)
        put32(Pcapng.interfaceDescription); put32(UInt32(length))
        put16(Pcapng.linkTypeEthernet); put16(0)
        put32(UInt32(clamping: snapLength))
        putOption(Pcapng.interfaceName, nameBytes)
        putOption(Pcapng.timestampResolution, [9])
        put16(Pcapng.endOfOptions); put16(0)
        put32(UInt32(length))
        bytesWritten += length
        snapLengths.append(max(snapLength, 0))
        return UInt32(snapLengths.count - 1)
    }

    /// Bytes an Enhanced Packet Block with `capturedLength` bytes of data takes, for callers
    /// that account for disk use before writing.
    public static func packetBlockLength(capturedLength: Int) -> Int {
        Pcapng.packetBlockLength(capturedLength: capturedLength)
    }

    /// The number of bytes of `frame` that a packet on `interface` keeps (its snap length applied).
    public func capturedLength(of frame: UnsafeRawBufferPointer, interface: UInt32) -> Int {
        min(frame.count, snapLengths[Int(interface)])
    }

    /// Writes one Enhanced Packet Block: `frame` cut to the interface's snap length,
    /// `wireLength` as the original length, `timestamp` in nanoseconds since the epoch.
    /// Returns the block's size in the file.
    @discardableResult
    public func writePacket(interface: UInt32, timestamp: UInt64, frame: UnsafeRawBufferPointer,
                            wireLength: Int) throws(CaptureError) -> Int {
        let caplen = capturedLength(of: frame, interface: interface)
        let length = Pcapng.packetBlockLength(capturedLength: caplen)
        let head = Pcapng.packetBlockOverhead - 4
        if length <= capacity {
            try reserve(length)
            putPacketHeader(length: length, interface: interface, timestamp: timestamp, caplen: caplen,
                            wireLength: wireLength)
            if caplen > 0 { (buffer + used).copyMemory(from: frame.baseAddress!, byteCount: caplen) }
            used += caplen
            putPadding(Pcapng.padded(caplen) - caplen)
            put32(UInt32(length))
        } else {
            // Larger than the whole buffer (a GSO super-frame with a big snap length): header
            // through the buffer, data straight from the frame.
            try reserve(head)
            putPacketHeader(length: length, interface: interface, timestamp: timestamp, caplen: caplen,
                            wireLength: wireLength)
            try flush()
            try FileDescriptorIO.writeAll(fd, frame.baseAddress!, caplen, path: path)
            putPadding(Pcapng.padded(caplen) - caplen)
            put32(UInt32(length))
        }
        bytesWritten += length
        packetsWritten += 1
        return length
    }

    /// Writes what the buffer holds to the file.
    public func flush() throws(CaptureError) {
        guard used > 0 else { return }
        let n = used
        used = 0
        try FileDescriptorIO.writeAll(fd, buffer, n, path: path)
    }

    /// Flushes and closes the file. Idempotent.
    public func close() throws(CaptureError) {
        guard !isClosed else { return }
        isClosed = true
        defer { _ = systemClose(fd) }
        try flush()
    }

    // MARK: - Assembling blocks in the buffer

    @usableFromInline
    func reserve(_ n: Int) throws(CaptureError) {
        if isClosed { throw CaptureError.system(operation: "write", path: path, errno: EBADF) }
        if used + n > capacity { try flush() }
    }

    @usableFromInline @inline(__always)
    func put32(_ v: UInt32) { buffer.storeBytes(of: v, toByteOffset: used, as: UInt32.self); used += 4 }

    @usableFromInline @inline(__always)
    func put16(_ v: UInt16) { buffer.storeBytes(of: v, toByteOffset: used, as: UInt16.self); used += 2 }

    @usableFromInline @inline(__always)
    func putPadding(_ n: Int) {
        if n > 0 { (buffer + used).initializeMemory(as: UInt8.self, repeating: 0, count: n) }
        used += n
    }

    @usableFromInline @inline(__always)
    func putPacketHeader(length: Int, interface: UInt32, timestamp: UInt64, caplen: Int, wireLength: Int) {
        put32(Pcapng.enhancedPacket); put32(UInt32(length))
        put32(interface)
        put32(UInt32(truncatingIfNeeded: timestamp >> 32)); put32(UInt32(truncatingIfNeeded: timestamp))
        put32(UInt32(caplen)); put32(UInt32(clamping: max(wireLength, caplen)))
    }

    func putOption(_ code: UInt16, _ value: [UInt8]) {
        put16(code); put16(UInt16(value.count))
        value.withUnsafeBytes { (buffer + used).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        used += value.count
        putPadding(Pcapng.padded(value.count) - value.count)
    }

    func writeSectionHeader(application: String) {
        let app = Array(application.utf8)
        // type, length, magic, version, section length (-1: unknown), shb_userappl, end, length.
        let length = 4 + 4 + 4 + 4 + 8 + 4 + Pcapng.padded(app.count) + 4 + 4
        put32(Pcapng.sectionHeader); put32(UInt32(length))
        put32(Pcapng.byteOrderMagic)
        put16(1); put16(0)
        buffer.storeBytes(of: Int64(-1), toByteOffset: used, as: Int64.self); used += 8
        if !app.isEmpty { putOption(Pcapng.userApplication, app) }
        put16(Pcapng.endOfOptions); put16(0)
        // An empty application name drops the option: shrink the recorded length to match.
        let real = app.isEmpty ? length - 4 : length
        buffer.storeBytes(of: UInt32(real), toByteOffset: 4, as: UInt32.self)
        put32(UInt32(real))
        bytesWritten += real
    }
}

/// `close(2)`, named apart from ``PcapngWriter/close()``.
@inline(__always) func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}
