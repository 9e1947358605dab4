#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Codecs
import Flow
import Stream

// Detections from what the stream and the application parsers know. The L7 stage calls
// these from its parser sinks with the flow the parser works for.

extension ThreatEngine {
    /// The next bytes of a TLS (or not yet identified) stream: record-level checks
    /// (heartbleed, cipher list overflow, SSLv2 hellos).
    @inlinable
    public mutating func tlsStream(_ bytes: UnsafeRawBufferPointer, flow: UInt32, entry e: UnsafeMutablePointer<FlowEntry>,
                                   toServer: Bool, now: UInt64) {
        guard isEnabled else { return }
        let t = flowSlot(flow, e)
        var f = TLSFindings()
        if toServer {
            guard !t.pointee.tlsClient.done else { return }
            t.pointee.tlsClient.feed(bytes, client: true, into: &f)
        } else {
            guard !t.pointee.tlsServer.done else { return }
            t.pointee.tlsServer.feed(bytes, client: false, into: &f)
            // An answer far larger than the request it echoes: memory leaked into it.
            let asked = t.pointee.tlsClient.lastHeartbeat
            if f.heartbeatLength > 0 && asked > 0 && f.heartbeatLength > asked &+ 64 { f.heartbleed = true }
        }
        let en = config.enabled
        if f.sslv2Hello && en & ThreatID.tlsOldVersion.bit != 0 {
            fire(.tlsOldVersion, flow: flow, e, t, now: now, value: 2)
        }
        if f.cipherOverflow && en & ThreatID.tlsCipherOverflow.bit != 0 {
            fire(.tlsCipherOverflow, flow: flow, e, t, now: now)
        }
        if f.heartbleed && en & ThreatID.tlsHeartbleed.bit != 0 {
            fire(.tlsHeartbleed, flow: flow, e, t, now: now, toServer: toServer,
                 value: UInt64(toServer ? f.heartbeatPayloadClaim : f.heartbeatLength),
                 threshold: UInt64(toServer ? f.heartbeatLength : t.pointee.tlsClient.lastHeartbeat))
        }
    }

    /// A stream lost bytes: record boundaries cannot be found again.
    @inlinable
    public mutating func streamGap(flow: UInt32, entry e: UnsafeMutablePointer<FlowEntry>, toServer: Bool) {
        guard isEnabled else { return }
        let t = flowSlot(flow, e)
        if toServer { t.pointee.tlsClient.done = true } else { t.pointee.tlsServer.done = true }
    }

    /// The TLS server chose `version` (supported_versions, else the legacy field).
    @inlinable
    public mutating func tlsServerVersion(_ version: UInt16, flow: UInt32, entry e: UnsafeMutablePointer<FlowEntry>, now: UInt64) {
        guard isEnabled, version >= 0x0002, version < 0x0303, config.enabled & ThreatID.tlsOldVersion.bit != 0 else { return }
        fire(.tlsOldVersion, flow: flow, e, flowSlot(flow, e), now: now, toServer: false, value: UInt64(version),
             threshold: 0x0303)
    }

    /// An SSH side sent protocol version `proto` ("2.0", "1.99", "1.5"): 1.x other than 1.99
    /// (which also speaks 2) is SSH version 1.
    @inlinable
    public mutating func sshVersion(_ proto: UnsafeRawBufferPointer, server: Bool, flow: UInt32,
                                    entry e: UnsafeMutablePointer<FlowEntry>, now: UInt64) {
        guard isEnabled, proto.count >= 2, proto[0] == UInt8(ascii: "1"), proto[1] == UInt8(ascii: "."),
              config.enabled & ThreatID.sshVersion1.bit != 0 else { return }
        if proto.count == 4 && proto[2] == UInt8(ascii: "9") && proto[3] == UInt8(ascii: "9") { return }
        fire(.sshVersion1, flow: flow, e, flowSlot(flow, e), now: now, toServer: !server, value: 1)
    }

    /// A MySQL server answered with an error (`detail`: SQL state marker and message);
    /// SQLSTATE 28000 is access denied.
    @inlinable
    public mutating func mysqlError(_ detail: UnsafeRawBufferPointer, flow: UInt32, entry e: UnsafeMutablePointer<FlowEntry>,
                                    now: UInt64) {
        guard isEnabled, config.enabled & ThreatID.mysqlAccessDenied.bit != 0, detail.count >= 6,
              detail[0] == UInt8(ascii: "#"), detail[1] == UInt8(ascii: "2"), detail[2] == UInt8(ascii: "8"),
              detail[3] == UInt8(ascii: "0"), detail[4] == UInt8(ascii: "0"), detail[5] == UInt8(ascii: "0") else { return }
        let key = RateSketch.key(e.pointee.client, .mysqlAccessDenied)
        let n = perMinute.add(key, now: now)
        guard n > mysqlDenied else { return }
        fire(.mysqlAccessDenied, flow: flow, e, flowSlot(flow, e), key: key, window: perMinute.window, now: now,
             toServer: false, value: UInt64(n), threshold: UInt64(mysqlDenied))
    }

    // MARK: HTTP

    /// An HTTP request line was parsed: its headers are now awaited (slowloris clock).
    @inlinable
    public mutating func httpRequestStarted(flow: UInt32, entry e: UnsafeMutablePointer<FlowEntry>, now: UInt64) {
        guard isEnabled else { return }
        let t = flowSlot(flow, e)
        t.pointee.headersPending = true
        t.pointee.headersSince = now
        t.pointee.contentLengthSeen = false
        t.pointee.transferEncodingSeen = false
    }

    /// A request header: Content-Length and Transfer-Encoding are remembered for the
    /// smuggling check; a negative Content-Length is reported.
    @inlinable
    public mutating func httpRequestHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flow: UInt32,
                                           entry e: UnsafeMutablePointer<FlowEntry>, now: UInt64) {
        guard isEnabled else { return }
        if Self.equalsLower(name, "content-length") {
            let t = flowSlot(flow, e)
            var v = value
            while v.count > 0 && (v[0] == 0x20 || v[0] == 0x09) { v = UnsafeRawBufferPointer(rebasing: v[1...]) }
            if v.count > 0 && v[0] == UInt8(ascii: "-") && config.enabled & ThreatID.httpNegativeLength.bit != 0 {
                fire(.httpNegativeLength, flow: flow, e, t, now: now)
            }
            let parsed = Self.decimal(v)
            // Two Content-Length headers that disagree: front end and back end may each
            // pick another one.
            if t.pointee.contentLengthSeen && parsed != t.pointee.contentLength && config.enabled & ThreatID.httpSmuggling.bit != 0 {
                fire(.httpSmuggling, flow: flow, e, t, now: now, value: 1)
            }
            t.pointee.contentLengthSeen = true
            t.pointee.contentLength = parsed
        } else if Self.equalsLower(name, "transfer-encoding") {
            flowSlot(flow, e).pointee.transferEncodingSeen = true
        }
    }

    /// A request's headers are complete: Content-Length with Transfer-Encoding is a
    /// smuggling attempt (RFC 9112 6.1: a server must not trust both; proxies disagree
    /// about which wins).
    @inlinable
    public mutating func httpRequestHeadersDone(flow: UInt32, entry e: UnsafeMutablePointer<FlowEntry>, now: UInt64) {
        guard isEnabled else { return }
        let t = flowSlot(flow, e)
        t.pointee.headersPending = false
        if t.pointee.contentLengthSeen && t.pointee.transferEncodingSeen && config.enabled & ThreatID.httpSmuggling.bit != 0 {
            fire(.httpSmuggling, flow: flow, e, t, now: now, value: 2)
        }
        t.pointee.contentLengthSeen = false
        t.pointee.transferEncodingSeen = false
    }

    /// Whether `b` is `lower` ignoring ASCII case.
    @inlinable
    static func equalsLower(_ b: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        guard b.count == lower.utf8CodeUnitCount else { return false }
        for i in 0..<b.count where b[i] | 0x20 != lower.utf8Start[i] { return false }
        return true
    }

    /// The leading decimal digits of `b` (saturating), 0 if none.
    @inlinable
    static func decimal(_ b: UnsafeRawBufferPointer) -> UInt64 {
        var v: UInt64 = 0
        for c in b {
            guard c >= 0x30 && c <= 0x39 else { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(c &- 0x30))
            if o1 || o2 { return .max }
            v = s
        }
        return v
    }

    /// Bits of entropy per character of `chars` × 100.
    @inlinable
    static func entropyCentibits(_ chars: UnsafeRawBufferPointer) -> Int {
        guard chars.count > 1 else { return 0 }
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 256) { hist in
            hist.initialize(repeating: 0)
            for c in chars { hist[Int(c)] &+= 1 }
            let n = Double(chars.count)
            var h = 0.0
            for i in 0..<256 where hist[i] > 0 {
                let p = Double(hist[i]) / n
                h -= p * log2(p)
            }
            return Int(h * 100)
        }
    }
}
