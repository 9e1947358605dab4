#if os(Linux)
import Foundation

/// Small python3 programs the tests run inside the namespaces, written to a temporary
/// directory once. They use only the standard library.
enum Scripts {
    /// `send_frames.py IFACE COUNT [VID]`: COUNT raw frames of ethertype 0x88B5 carrying
    /// "SLUICE" and a big-endian sequence number, frame i being `frameLength(i)` bytes; with
    /// VID, an 802.1Q tag (priority 5) follows the addresses, 4 bytes more. Prints
    /// "COUNT BYTES".
    static let sendFrames = """
    import socket, struct, sys
    iface, n = sys.argv[1], int(sys.argv[2])
    tag = struct.pack('!HH', 0x8100, (5 << 13) | int(sys.argv[3])) if len(sys.argv) > 3 else b''
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    total = 0
    for i in range(n):
        size = 60 + (i * 37) % 1400
        f = bytes.fromhex('029900000002029900000001') + tag + struct.pack('!H', 0x88b5) + b'SLUICE' + struct.pack('!I', i)
        f += bytes(size + len(tag) - len(f))
        s.send(f)
        total += len(f)
    print(n, total)
    """

    /// The length `send_frames.py` gives frame `i`.
    static func frameLength(_ i: Int) -> Int { 60 + (i * 37) % 1400 }

    /// `send_flows.py IFACE FLOWS PER_FLOW`: IPv4/UDP frames 10.99.1.1:(20000+f) ->
    /// 10.99.1.2:9999, PER_FLOW per flow, each followed by its reply direction (addresses and
    /// ports swapped). The payload is "SLUICE", the flow number and the packet number.
    static let sendFlows = """
    import socket, struct, sys
    iface, flows, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    def csum(b):
        t = sum(struct.unpack('!%dH' % (len(b) // 2), b))
        t = (t >> 16) + (t & 0xffff); t += t >> 16
        return ~t & 0xffff
    def frame(src, dst, sp, dp, flow, k):
        pl = b'SLUICE' + struct.pack('!HH', flow, k)
        udp = struct.pack('!HHHH', sp, dp, 8 + len(pl), 0) + pl
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), k, 0, 64, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        return bytes.fromhex('029900000002029900000001') + b'\\x08\\x00' + ip + udp
    for k in range(per):
        for f in range(flows):
            s.send(frame('10.99.1.1', '10.99.1.2', 20000 + f, 9999, f, 2 * k))
            s.send(frame('10.99.1.2', '10.99.1.1', 9999, 20000 + f, f, 2 * k + 1))
    print('sent', flows * per * 2)
    """

    /// `recv_frames.py IFACE EXPECTED SECONDS`: prints "ready" once bound, then counts
    /// 0x88B5 "SLUICE" frames until EXPECTED arrived or SECONDS passed; prints
    /// "got COUNT BYTES SEQ,SEQ,...".
    static let receiveFrames = """
    import socket, struct, sys, time
    iface, expected, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: hold every frame sent
    s.bind((iface, 0))
    s.settimeout(0.2)
    print('ready', flush=True)
    n = total = 0
    seqs = []
    deadline = time.time() + secs
    while n < expected and time.time() < deadline:
        try:
            f = s.recv(65535)
        except socket.timeout:
            continue
        if len(f) >= 24 and f[12:14] == b'\\x88\\xb5' and f[14:20] == b'SLUICE':
            n += 1; total += len(f); seqs.append(struct.unpack('!I', f[20:24])[0])
    print('got', n, total, ','.join(map(str, seqs)), flush=True)
    """

    /// The directory holding the scripts.
    static let directory: String = {
        let dir = NSTemporaryDirectory() + "sluice-afpacket-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in [("send_frames.py", sendFrames), ("send_flows.py", sendFlows),
                             ("recv_frames.py", receiveFrames)] {
            _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8))
        }
        // Removed when the test process exits.
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "sluice-afpacket-\(getpid())") }
        return dir
    }()

    /// `python3 <script path>`.
    static func python(_ name: String) -> String { "python3 \(directory)/\(name)" }
}
#endif
