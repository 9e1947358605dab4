import L7Core

extension HTTPParser {
    /// Handles the header (or trailer) held in direction `d`'s line buffer, folds joined.
    @inlinable mutating func headerLine<S: HTTPSink & ~Copyable>(_ d: Int, _ sink: inout S) {
        withLine(d, &sink) { p, l, s in p.header(l, d, &s) }
    }

    /// One `name: value` header. Whitespace around the name is tolerated (and trimmed) as
    /// libhtp does, since servers that send it are still obeyed by clients.
    @inlinable mutating func header<S: HTTPSink & ~Copyable>(_ line: UnsafeRawBufferPointer, _ d: Int, _ sink: inout S) {
        let t = dirs[d].tx
        guard t >= 0 else { return }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            txs[t].flags.insert(.badHeader)
            return
        }
        let name = ByteText.trim(UnsafeRawBufferPointer(rebasing: line[0..<colon]))
        // A folded value holds the CRs of its inner line ends; they read as spaces.
        let value = ByteText.trim(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
        sink.httpHeader(name: name, value: value, toServer: d == 0, tx: txs[t])
        if dirs[d].state == .trailers { return }
        if ByteText.equals(name, "content-length") {
            if let n = ByteText.decimal(value) {
                if dirs[d].contentLength >= 0 && dirs[d].contentLength != n { badContentLength(t) }
                if dirs[d].contentLength < 0 { dirs[d].contentLength = n }
            } else {
                // Negative, signed, spaced, non-decimal or beyond 2^62: no length at all.
                badContentLength(t)
            }
        } else if ByteText.equals(name, "transfer-encoding") {
            // Any mention of chunked counts (as in libhtp); a body that then is not chunked
            // falls back to being read as is (see `chunkSizeLine`).
            dirs[d].teSeen = true
            if ByteText.contains(value, "chunked") { dirs[d].chunked = true }
        } else if ByteText.equals(name, "content-encoding") {
            countEncodings(value, d)
        } else if d == 0 {
            if ByteText.equals(name, "host") {
                if txs[t].host.count == 0 { setHost(value, t) }
            } else if ByteText.equals(name, "user-agent") {
                txs[t].userAgent.set(value)
            } else if ByteText.equals(name, "referer") {
                txs[t].referer.set(value)
            } else if ByteText.equals(name, "content-type") {
                txs[t].requestContentType.set(value)
            } else if ByteText.equals(name, "upgrade") {
                askedUpgrade = ByteText.hasPrefix(value, "h2c") ? .h2c
                    : ByteText.hasPrefix(value, "websocket") ? .websocket : .other
            }
        } else if ByteText.equals(name, "content-type") {
            txs[t].responseContentType.set(value)
        }
    }

    /// A Content-Length that is not one number (unparsable, out of range, or conflicting
    /// with an earlier one): flagged on the transaction and counted for the flow.
    @inlinable mutating func badContentLength(_ t: Int) {
        counters_.badContentLengths &+= 1
        txs[t].flags.insert(.badContentLength)
    }

    /// Counts gzip/deflate/lzma codings in a Content-Encoding value. For gzip and deflate only
    /// the count matters: each layer's format is read from its first bytes, since servers
    /// mislabel them. LZMA has no magic to sniff, so where "lzma" stands is kept.
    @inlinable mutating func countEncodings(_ value: UnsafeRawBufferPointer, _ d: Int) {
        // Substrings, not tokens: clients find "gzip" in "gzip;" or behind odd bytes too.
        var i = 0
        while i < value.count {
            let rest = UnsafeRawBufferPointer(rebasing: value[i...])
            if ByteText.hasPrefix(rest, "gzip") { dirs[d].encodings += 1; i += 4 }
            else if ByteText.hasPrefix(rest, "deflate") { dirs[d].encodings += 1; i += 7 }
            else if ByteText.hasPrefix(rest, "lzma") {
                if dirs[d].encodings < 8 { dirs[d].lzmaCodings |= 1 << UInt8(dirs[d].encodings) }
                dirs[d].encodings += 1
                i += 4
            }
            else { i += 1 }
        }
    }

    /// The blank line after the headers: decides how the body is framed.
    @inlinable mutating func headersDone<S: HTTPSink & ~Copyable>(_ d: Int, _ sink: inout S) {
        let t = dirs[d].tx
        guard t >= 0 else { dirs[d].state = .startLine; return }
        if d == 0 {
            sink.httpRequestHeaders(txs[t])
            if dirs[0].chunked {
                txs[t].flags.insert(.requestChunked)
                startDecoding(0)
                dirs[0].state = .chunkSize
            } else if dirs[0].contentLength > 0 {
                startDecoding(0)
                dirs[0].remaining = UInt64(dirs[0].contentLength)
                dirs[0].state = .body
            } else {
                messageDone(0, &sink)
            }
            return
        }
        let status = txs[t].status
        let connect = txs[t].methodIs("CONNECT")
        if status >= 100 && status < 200 {
            if status == 101 && askedUpgrade != .none {
                switchProtocols(askedUpgrade == .none ? .other : askedUpgrade, t, &sink)
                return
            }
            // An interim response (or a 101 nobody asked for): the final one follows.
            txs[t].flags.insert(.interim)
            dirs[1].newMessage()
            dirs[1].state = .startLine
            return
        }
        if connect && status >= 200 && status < 300 {
            // Suricata goes on parsing HTTP/1 inside a tunnel that carries it; the tunnel's
            // first byte decides (`tunnelProbe`).
            txs[t].flags.insert(.tunnel)
            txs[t].requestDone = true
            tunnelProbe = true
            messageDone(1, &sink)
            if dirs[0].state == .waiting { dirs[0].state = .startLine }
            return
        }
        // The upgrade or tunnel was refused: the client goes on with HTTP/1.
        if dirs[0].state == .waiting { dirs[0].state = .startLine }
        askedUpgrade = .none
        let chunked = dirs[1].chunked
        // A 204/304 has no body unless the server framed one anyway (clients then read it).
        if txs[t].methodIs("HEAD") || ((status == 204 || status == 304) && !chunked && dirs[1].contentLength <= 0) {
            messageDone(1, &sink)
        } else if chunked {
            txs[t].flags.insert(.responseChunked)
            startDecoding(1)
            dirs[1].state = .chunkSize
        } else if dirs[1].contentLength >= 0 {
            if dirs[1].contentLength == 0 { messageDone(1, &sink); return }
            startDecoding(1)
            dirs[1].remaining = UInt64(dirs[1].contentLength)
            dirs[1].state = .body
        } else {
            startDecoding(1)
            dirs[1].state = .untilClose
        }
    }

    /// The tunnel a CONNECT opened carries something other than HTTP/1 (its first byte, at
    /// `here` in direction `d`, said so): HTTP/1 ends here in both directions.
    @inlinable mutating func tunnelTakesOver(_ d: Int) {
        tunnelProbe = false
        upgraded_.kind = .tunnel
        upgraded_.toClientOffset = d == 1 ? here : dirs[1].offset
        upgraded_.toServerOffset = d == 0 ? here : dirs[0].offset
        dirs[0].state = .stopped
        dirs[1].state = .stopped
    }

    /// 101: HTTP/1 ends here in both directions.
    @inlinable mutating func switchProtocols<S: HTTPSink & ~Copyable>(_ kind: HTTPUpgrade.Kind, _ t: Int, _ sink: inout S) {
        txs[t].flags.insert(kind == .tunnel ? .tunnel : .upgrade)
        upgraded_.kind = kind
        upgraded_.toClientOffset = here
        upgraded_.toServerOffset = kind == .tunnel || askedUpgrade == .none ? dirs[0].offset : askedUpgradeEnd
        txs[t].requestDone = true
        messageDone(1, &sink)
        dirs[0].state = .stopped
        dirs[1].state = .stopped
    }
}
