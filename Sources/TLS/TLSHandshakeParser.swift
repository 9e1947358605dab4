import L7Core

/// One direction of a TLS connection: fed in-order TCP payload chunks (borrowed, valid only
/// during the call, split anywhere), it reassembles records and handshake messages and fills
/// `info` from the ClientHello, ServerHello and first Certificate.
///
/// Bounds: a handshake message keeps its first `messageCapacity` (16 KiB) bytes; the rest is
/// counted and skipped. That holds any real hello; for a Certificate message it holds the
/// first certificate unless that one alone is over ~16 KiB, in which case only the count is
/// kept. Once ChangeCipherSpec or application data is seen (or the bytes are not TLS), the
/// parser only counts records and never looks inside them again.
public struct TLSHandshakeParser: Sendable {
    /// Bytes of one handshake message kept for parsing.
    public static let messageCapacity = 16384
    /// Largest record length accepted (RFC 8446: 2^14 + 256 for ciphertext; 2^14 + 2048 for
    /// TLS 1.2 compressed/ciphertext records). Anything bigger means this is not TLS.
    public static let maxRecordLength = 16384 + 2048

    /// What the handshake revealed so far.
    public private(set) var info = TLSHandshakeInfo()
    /// Records seen (headers completed).
    public private(set) var records: UInt64 = 0
    /// Handshake messages completed.
    public private(set) var messages: UInt64 = 0
    /// Handshake messages longer than `messageCapacity` (parsed from their first part only).
    public private(set) var oversizedMessages: UInt64 = 0
    /// Whether the direction switched to encrypted traffic; inspection stopped there.
    public private(set) var encrypted = false
    /// Whether the stream did not look like TLS records; everything after is ignored.
    public private(set) var failed = false
    /// Whether a ClientHello/ServerHello failed to parse.
    public private(set) var malformedMessages: UInt64 = 0

    // Record layer: header bytes collected so far, then body bytes left in the record.
    var headerBits: UInt64 = 0
    var headerHave = 0
    var inRecord = false
    var recordType: UInt8 = 0
    var recordLeft = 0

    // Handshake layer: message header (may span records), then body bytes left.
    var messageHeader: UInt32 = 0
    var messageHeaderHave = 0
    var inMessage = false
    var messageType: UInt8 = 0
    var messageLeft = 0
    var message = FixedBytes<16384>()

    /// An idle parser.
    public init() {}

    /// Back to the state of a new parser, in place: a pooled parser is reused this way, since
    /// building a new one would write its 22 KB twice (zeroing, then copying into the slot).
    public mutating func reset() {
        info.reset()
        records = 0; messages = 0; oversizedMessages = 0; malformedMessages = 0
        encrypted = false; failed = false
        headerBits = 0; headerHave = 0; inRecord = false; recordType = 0; recordLeft = 0
        messageHeader = 0; messageHeaderHave = 0; inMessage = false; messageType = 0; messageLeft = 0
        message.removeAll()
    }

    /// Consumes the next in-order chunk of this direction's TCP payload.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        var p = 0
        let n = bytes.count
        while p < n && !failed {
            if !inRecord {
                headerBits = headerBits << 8 | UInt64(bytes[p])
                headerHave += 1
                p += 1
                if headerHave == 5 { startRecord() }
                continue
            }
            let take = min(recordLeft, n - p)
            if take > 0 {
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[p..<(p + take)])
                if recordType == 22 && !encrypted { consumeHandshake(chunk) }
                recordLeft -= take
                p += take
            }
            if recordLeft == 0 { inRecord = false }
        }
    }

    mutating func startRecord() {
        let type = UInt8(truncatingIfNeeded: headerBits >> 32)
        let major = UInt8(truncatingIfNeeded: headerBits >> 24)
        let length = Int(headerBits & 0xffff)
        headerBits = 0
        headerHave = 0
        guard (20...24).contains(type), major == 3, length <= Self.maxRecordLength else {
            failed = true
            return
        }
        records &+= 1
        recordType = type
        recordLeft = length
        inRecord = length > 0
        // Everything after ChangeCipherSpec or application data is ciphertext.
        if type == 20 || type == 23 { encrypted = true }
    }

    mutating func consumeHandshake(_ chunk: UnsafeRawBufferPointer) {
        var q = 0
        while q < chunk.count && !encrypted {
            if !inMessage {
                messageHeader = messageHeader << 8 | UInt32(chunk[q])
                messageHeaderHave += 1
                q += 1
                if messageHeaderHave == 4 {
                    messageType = UInt8(truncatingIfNeeded: messageHeader >> 24)
                    messageLeft = Int(messageHeader & 0xffffff)
                    messageHeader = 0
                    messageHeaderHave = 0
                    message.removeAll()
                    inMessage = true
                    if messageLeft == 0 { finishMessage() }
                }
                continue
            }
            let take = min(messageLeft, chunk.count - q)
            message.append(UnsafeRawBufferPointer(rebasing: chunk[q..<(q + take)]))
            messageLeft -= take
            q += take
            if messageLeft == 0 { finishMessage() }
        }
    }

    mutating func finishMessage() {
        inMessage = false
        messages &+= 1
        if message.truncated { oversizedMessages &+= 1 }
        // The message is read through its address: read as a value, the 16 KB buffer was
        // copied for every handshake message.
        let type = messageType, tls13 = isTLS13
        let ok = withUnsafeMutablePointer(to: &info) { info in
            withUnsafeMutablePointer(to: &message) { m -> Bool in
                switch type {
                case 1 where !info.pointee.clientHelloSeen:
                    return FixedBytes.withBytes(at: m) { ClientHelloParser.parse($0, into: &info.pointee) }
                case 2 where !info.pointee.serverHelloSeen:
                    return FixedBytes.withBytes(at: m) { ServerHelloParser.parse($0, into: &info.pointee) }
                case 11 where !info.pointee.certificateSeen && !tls13:
                    return FixedBytes.withBytes(at: m) { CertificateParser.parse($0, into: &info.pointee) }
                default:
                    return true
                }
            }
        }
        if !ok { malformedMessages &+= 1 }
    }

    /// TLS 1.3 (or a draft) was negotiated; its Certificate is encrypted, so a cleartext one
    /// would be bogus.
    var isTLS13: Bool { ClientHelloParser.ja4Rank(info.serverVersion) == 0x0304 }
}
