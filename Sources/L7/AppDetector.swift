import Datastore
import DNS
import L7Core

/// Decides a flow's application protocol from the first bytes each side sends, never from
/// ports. A probe looks at a prefix of a stream (or a UDP payload) and answers yes, no, or
/// "need more bytes"; detection gives up after `AppDetector.limit` bytes per direction.
public enum AppDetector {
    /// Bytes per direction after which an undecided flow is `failed`.
    public static let limit = 4096

    /// What a probe concluded.
    public enum Verdict { case match(AppProto), noMatch, needMore }

    /// Probes the start of one direction of a TCP stream: web and DNS protocols here, then
    /// the datastore and service probes (`DatastoreProbes`), which are strict enough never to
    /// claim what these do.
    @inlinable
    public static func probeStream(_ b: UnsafeRawBufferPointer, toServer: Bool) -> Verdict {
        guard b.count >= 1 else { return .needMore }
        // TLS: handshake record (22), version 3.x, then a ClientHello (1) or ServerHello (2).
        if b[0] == 0x16 {
            guard b.count >= 6 else { return .needMore }
            if b[1] == 3 && b[2] <= 4 && (b[5] == 1 || b[5] == 2) { return .match(.tls) }
        }
        if startsWith(b, "PRI * HTTP/2.0\r\n") { return .match(.http2) }
        for method: StaticString in ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "]
            where startsWith(b, method) {
            return .match(.http)
        }
        if startsWith(b, "HTTP/1.") { return .match(.http) }
        if startsWith(b, "SSH-") { return .match(.ssh) }
        // DNS over TCP: a 2-byte length, then a message that parses.
        if b.count >= 14 {
            let length = Int(b[0]) << 8 | Int(b[1])
            if length >= 12 && length + 2 <= b.count,
               isDNS(UnsafeRawBufferPointer(rebasing: b[2..<(2 + length)])) { return .match(.dns) }
        }
        switch DatastoreProbes.probeStream(b, toServer: toServer) {
        case .match(let app): return .match(app)
        case .needMore: return .needMore
        case .noMatch: return b.count < 16 ? .needMore : .noMatch
        }
    }

    /// Probes one UDP payload: DNS, then DHCP and NTP.
    @inlinable
    public static func probeDatagram(_ b: UnsafeRawBufferPointer, toServer: Bool) -> Verdict {
        if isDNS(b) { return .match(.dns) }
        if case .match(let app) = DatastoreProbes.probeDatagram(b, toServer: toServer) { return .match(app) }
        return .noMatch
    }

    /// Whether the bytes that made a flow `app` (the start of a direction, or a datagram) can
    /// only have come from the server: a DNS answer, an HTTP status line, a TLS ServerHello.
    /// The stage makes such a flow's sender its server when it is the first thing seen, as
    /// Suricata reverses flows whose first packet is a response. `tcp`: DNS carries a 2-byte
    /// length first.
    @inlinable
    public static func sentByServer(_ app: AppProto, _ b: UnsafeRawBufferPointer, tcp: Bool) -> Bool {
        switch app {
        case .dns:
            let flags = tcp ? 4 : 2
            return b.count > flags && b[flags] & 0x80 != 0
        case .http: return startsWith(b, "HTTP/")
        case .tls: return b.count >= 6 && b[5] == 2
        default: return false
        }
    }

    /// A message that parses completely and has a standard opcode and at least one question or answer.
    @inlinable
    static func isDNS(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= 12, let m = try? DNSMessage(parsing: b) else { return false }
        let h = m.header
        return h.opcode <= 5 && (h.questionCount > 0 || h.answerCount > 0) && h.questionCount < 64
    }

    @inlinable
    static func startsWith(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard b.count >= n else { return false }
        for i in 0..<n where b[i] != s.utf8Start[i] { return false }
        return true
    }
}
