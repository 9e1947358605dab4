import L7Core

extension HTTPParser {
    /// Whether `c` may appear in a method token (RFC 9110 tchar).
    @inlinable static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    /// A request line: `METHOD SP URI SP PROTOCOL`. Runs of spaces or tabs separate the parts
    /// and the protocol is the last part when it starts with "HTTP/", so a URI with spaces in
    /// it stays whole. No protocol means HTTP/0.9: no headers follow. Anything that does not
    /// start with a method token is not HTTP, and this direction stops.
    @inlinable mutating func requestLine<S: HTTPSink & ~Copyable>(_ line: UnsafeRawBufferPointer, _ sink: inout S) {
        let l = ByteText.trim(line)
        if l.isEmpty { return }   // empty lines before a request are allowed
        var m = 0
        while m < l.count && HTTPParser.isTokenChar(l[m]) { m += 1 }
        var u = m
        while u < l.count && (l[u] == 0x20 || l[u] == 0x09) { u += 1 }
        let t = newTx()
        dirs[0].tx = t
        dirs[0].newMessage()
        txs[t].hasRequest = true
        guard m > 0, u > m, u < l.count else {
            // Garbage where a request line belongs: no resync is safe.
            counters_.malformedRequests &+= 1
            txs[t].flags.insert(.malformedRequest)
            txs[t].uri.set(l)
            txs[t].requestDone = true
            dirs[0].tx = -1
            dirs[0].state = .stopped
            deliverReady(&sink)
            return
        }
        txs[t].method.set(UnsafeRawBufferPointer(rebasing: l[0..<m]))
        var e = l.count
        var p = e
        while p > u && l[p - 1] != 0x20 && l[p - 1] != 0x09 { p -= 1 }
        var hasProtocol = false
        if p > u, ByteText.hasPrefix(UnsafeRawBufferPointer(rebasing: l[p..<e]), "HTTP/") {
            txs[t].requestProtocol.set(UnsafeRawBufferPointer(rebasing: l[p..<e]))
            hasProtocol = true
            e = p
            while e > u && (l[e - 1] == 0x20 || l[e - 1] == 0x09) { e -= 1 }
        }
        let uri = UnsafeRawBufferPointer(rebasing: l[u..<e])
        txs[t].uri.set(uri)
        setURI(uri, t)
        sink.httpRequestTarget(uri, tx: txs[t])
        askedUpgrade = .none
        dirs[0].state = .headers
        // No protocol: HTTP/0.9, unless a header line follows (decided at the next line).
        dirs[0].pending09 = !hasProtocol
    }

    /// Fills the normalized URI, and the host when the URI is absolute (`http://host/path`),
    /// which takes precedence over the Host header as in libhtp.
    @inlinable mutating func setURI(_ uri: UnsafeRawBufferPointer, _ t: Int) {
        var path = uri
        var scheme = 0
        if ByteText.hasPrefix(uri, "http://") { scheme = 7 } else if ByteText.hasPrefix(uri, "https://") { scheme = 8 }
        if scheme > 0 {
            var a = scheme
            while a < uri.count && uri[a] != UInt8(ascii: "/") && uri[a] != UInt8(ascii: "?") { a += 1 }
            setHost(UnsafeRawBufferPointer(rebasing: uri[scheme..<a]), t)
            path = UnsafeRawBufferPointer(rebasing: uri[a...])
        }
        txs[t].flags.insert(URINormalizer.normalize(path, into: &txs[t].normalizedURI))
    }

    /// Stores a host lower-cased, without user info and port, as Suricata logs `hostname`.
    @inlinable mutating func setHost(_ raw: UnsafeRawBufferPointer, _ t: Int) {
        var h = ByteText.trim(raw)
        if let at = h.lastIndex(of: UInt8(ascii: "@")) { h = UnsafeRawBufferPointer(rebasing: h[(at + 1)...]) }
        var e = h.count
        // `colon > 0` first: a host such as ":]" has no byte before its colon.
        if let colon = h.lastIndex(of: UInt8(ascii: ":")),
           !h.contains(UInt8(ascii: "]")) || (colon > 0 && h[colon - 1] == UInt8(ascii: "]")) {
            e = colon
        }
        // An IPv6 literal keeps its brackets (`[::1]`), as Suricata logs it.
        let s = 0
        while e > s && h[e - 1] == UInt8(ascii: ".") { e -= 1 }
        txs[t].host.removeAll()
        for i in s..<max(s, e) { txs[t].host.append(ByteText.lower(h[i])) }
    }

    /// A status line: `HTTP/x.y SP code [SP reason]`. A line that is not HTTP starts a body
    /// read until close, the line included (libhtp does the same, and browsers show such
    /// bodies, so inspection must see them).
    @inlinable mutating func statusLine<S: HTTPSink & ~Copyable>(_ line: UnsafeRawBufferPointer, _ sink: inout S) {
        let l = ByteText.trim(line)
        if l.isEmpty { return }
        let t = responseTarget()
        dirs[1].tx = t
        dirs[1].newMessage()
        guard ByteText.hasPrefix(l, "HTTP") else {
            // One stray line (e.g. "SIP/2.0 200") may precede the real status line; it is
            // shown to the sink as body. A second means this is no HTTP/1 response.
            counters_.malformedResponses &+= 1
            txs[t].flags.insert(.malformedResponse)
            dirs[1].junkLines += 1
            if dirs[1].junkLines > 1 { dirs[1].state = .untilClose }
            body(line, 1, &sink)
            body(UnsafeRawBufferPointer(start: HTTPParser.newline.utf8Start, count: 1), 1, &sink)
            return
        }
        dirs[1].junkLines = 0
        var p = 0
        while p < l.count && !ByteText.isSpace(l[p]) { p += 1 }
        txs[t].responseProtocol.set(UnsafeRawBufferPointer(rebasing: l[0..<p]))
        while p < l.count && ByteText.isSpace(l[p]) { p += 1 }
        var q = p
        while q < l.count && !ByteText.isSpace(l[q]) { q += 1 }
        if q - p == 3, let code = ByteText.decimal(UnsafeRawBufferPointer(rebasing: l[p..<q])), code >= 100 {
            txs[t].status = UInt16(code)
        } else {
            txs[t].status = 0
            txs[t].flags.insert(.malformedResponse)
        }
        dirs[1].state = .headers
    }

    @usableFromInline static let newline: StaticString = "\n"
}
