/// Follows one direction's TLS record boundaries for the whole connection (the handshake
/// parser stops at encryption; heartbeats come after). Holds only the record header being
/// gathered and how much of the current record is left: skipping a record body costs one
/// subtraction per segment. Gives up for good on bytes that are not a TLS record header.
@usableFromInline
struct TLSRecordWatch {
    @usableFromInline var header: UInt64 = 0
    @usableFromInline var headerHave: UInt8 = 0
    @usableFromInline var done = false
    @usableFromInline var started = false
    /// A ChangeCipherSpec went by: later records are encrypted.
    @usableFromInline var encrypted = false
    @usableFromInline var helloChecked = false
    @usableFromInline var remaining: UInt32 = 0
    /// Length of the last heartbeat record (client side: the request the server answers).
    @usableFromInline var lastHeartbeat: UInt32 = 0
    @usableFromInline init() {}
}

/// What one segment's records revealed.
@usableFromInline
struct TLSFindings {
    @usableFromInline var sslv2Hello = false
    @usableFromInline var heartbleed = false
    @usableFromInline var cipherOverflow = false
    /// Length of a heartbeat record seen (the last one), 0 if none.
    @usableFromInline var heartbeatLength: UInt32 = 0
    @usableFromInline var heartbeatPayloadClaim: UInt32 = 0
    @usableFromInline init() {}
}

extension TLSRecordWatch {
    /// Walks `bytes`, the next bytes of this direction's stream.
    @inlinable
    mutating func feed(_ bytes: UnsafeRawBufferPointer, client: Bool, into f: inout TLSFindings) {
        let n = bytes.count
        var i = 0
        if !started && n > 0 {
            started = true
            // An SSLv2 CLIENT-HELLO: a 2-byte header with the top bit set, message type 1,
            // version 0x0002.
            if client && bytes[0] & 0x80 != 0 && n >= 5 && bytes[2] == 1 && bytes[3] == 0 && bytes[4] == 2 {
                f.sslv2Hello = true
                done = true
                return
            }
        }
        while i < n && !done {
            if remaining > 0 {
                let skip = min(Int(remaining), n - i)
                remaining &-= UInt32(truncatingIfNeeded: skip)
                i &+= skip
                continue
            }
            header = header << 8 | UInt64(bytes[i])
            headerHave &+= 1
            i &+= 1
            guard headerHave == 5 else { continue }
            headerHave = 0
            let type = UInt8(truncatingIfNeeded: header >> 32)
            let major = UInt8(truncatingIfNeeded: header >> 24)
            let length = UInt32(truncatingIfNeeded: header & 0xFFFF)
            header = 0
            guard type >= 20 && type <= 24, major == 3, length <= 18432 else { done = true; return }
            remaining = length
            let body = UnsafeRawBufferPointer(rebasing: bytes[i..<min(n, i &+ Int(length))])
            switch type {
            case 20: encrypted = true
            case 22 where client && !helloChecked && !encrypted:
                helloChecked = true
                if Self.cipherListOverflows(body) { f.cipherOverflow = true }
            case 24:
                f.heartbeatLength = length
                lastHeartbeat = length
                // In clear, a heartbeat request must hold its claimed payload plus at least
                // 16 bytes of padding; claiming more is how Heartbleed reads memory.
                if !encrypted && body.count >= 3 && body[0] == 1 {
                    let claim = UInt32(body[1]) << 8 | UInt32(body[2])
                    f.heartbeatPayloadClaim = claim
                    if claim &+ 19 > length { f.heartbleed = true }
                }
            default: break
            }
        }
    }

    /// Whether a ClientHello (handshake body `b`, when its first bytes are at hand) claims a
    /// cipher suite list (or session id) longer than the message holding it.
    @inlinable
    static func cipherListOverflows(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= 39, b[0] == 1 else { return false }
        let hsLength = Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
        let sid = Int(b[38])
        if sid > 32 { return true }
        let at = 39 &+ sid
        guard b.count >= at &+ 2 else { return false }
        let ciphers = Int(b[at]) << 8 | Int(b[at &+ 1])
        // The list must fit in what follows it in the message (ClientHello body starts at 4).
        return ciphers == 0 || ciphers & 1 != 0 || at &+ 2 &+ ciphers > hsLength &+ 4
    }
}
