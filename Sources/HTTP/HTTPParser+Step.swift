import L7Core

extension HTTPParser {
    /// Consumes some of `bytes` from `i` in direction `d`'s current state; returns where it stopped.
    @inlinable mutating func step<S: HTTPSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, from i: Int, _ d: Int,
                                                            _ sink: inout S) -> Int {
        if tunnelProbe && dirs[d].state == .startLine && dirs[d].line.count == 0 {
            let c = bytes[i]
            if d == 0 ? HTTPParser.isTokenChar(c) : c == UInt8(ascii: "H") {
                tunnelProbe = false     // plain HTTP/1 through the tunnel: parse on
            } else if c != 0x0D && c != 0x0A {
                here = feedBase &+ UInt64(i)
                tunnelTakesOver(d)
                return i
            }
        }
        switch dirs[d].state {
        case .startLine, .chunkSize, .chunkDataEnd:
            // Through the address: `dirs[d].line.withBytes` copies the 2 KB buffer (see `withLineBytes`).
            if dirs[d].state == .chunkSize && withLineBytes(d, { l in l.allSatisfy(ByteText.isSpace) }) {
                let c = bytes[i]
                if URINormalizer.hex(c) < 0 && !ByteText.isSpace(c) && c != 0x0A {
                    // Not a chunk size: decided at its first byte, not at an LF that may never come.
                    here = feedBase &+ UInt64(i)
                    badChunk(d, &sink)
                    return i
                }
            }
            let (next, done) = takeLine(bytes, from: i, d)
            here = feedBase &+ UInt64(next)
            guard done else { return next }
            switch dirs[d].state {
            case .startLine:
                if d == 0 {
                    withLine(d, &sink) { p, l, s in p.requestLine(l, &s) }
                } else {
                    withLine(d, &sink) { p, l, s in p.statusLine(l, &s) }
                }
            case .chunkSize:
                withLine(d, &sink) { p, l, s in p.chunkSizeLine(l, d, &s) }
            default:
                dirs[d].state = .chunkSize
            }
            dirs[d].line.removeAll()
            return next
        case .headers, .trailers:
            var i = i
            if dirs[d].foldPending {
                let c = bytes[i]
                dirs[d].foldPending = false
                if c == 0x20 || c == 0x09 || c == 0x00 {
                    // Obsolete folding: the line continues the previous header. A NUL folds
                    // too, as in libhtp (`htp_is_folding_char`): "Transfer-Encoding: \n\0chunked"
                    // is chunked there, and a header-shaped rest still stands alone.
                    if dirs[d].tx >= 0 { txs[dirs[d].tx].flags.insert(.headerFolded) }
                    dirs[d].foldStart = dirs[d].line.count
                    dirs[d].line.append(UInt8(0x20))
                    i += 1
                } else {
                    here = feedBase &+ UInt64(i)
                    headerLine(d, &sink)
                    dirs[d].line.removeAll()
                    if dirs[d].state != .headers && dirs[d].state != .trailers { return i }
                }
            }
            let (next, done) = takeLine(bytes, from: i, d)
            here = feedBase &+ UInt64(next)
            guard done else { return next }
            if d == 0 && dirs[0].pending09 {
                dirs[0].pending09 = false
                let header = withLineBytes(0) { $0.contains(UInt8(ascii: ":")) }
                let blank = withLineBytes(0) { l in l.allSatisfy { $0 == 0x0D } }
                if !header && !blank {
                    // HTTP/0.9 after all: this line is the next request.
                    withLine(0, &sink) { p, l, s in
                        p.dirs[0].pending09 = true
                        p.finishHTTP09(&s)
                        if p.dirs[0].state == .startLine { p.requestLine(l, &s) }
                    }
                    if dirs[0].state != .headers { dirs[0].line.removeAll() }
                    return next
                }
            }
            // Through the address: `dirs[d].line.withBytes` copies the 2 KB buffer (see `withLineBytes`).
            // Blank: nothing or one CR before the LF; CRs alone only after a line ended by a
            // bare LF. After a CRLF, "\r\r\n" is not the end (the browsers http-evader checks
            // read on, and the headers after it count); after a bare LF it is.
            let afterBareLF = dirs[d].prevBareLF
            let empty = withLineBytes(d) { l in
                l.count == 0 || (l.allSatisfy { $0 == 0x0D } && (l.count == 1 || afterBareLF))
            }
            dirs[d].prevBareLF = withLineBytes(d) { $0.last != 0x0D }
            if empty {
                dirs[d].line.removeAll()
                if dirs[d].state == .trailers { messageDone(d, &sink) } else { headersDone(d, &sink) }
            } else if dirs[d].foldStart >= 0 {
                foldedLine(d, &sink)
            } else {
                dirs[d].foldPending = true
            }
            return next
        case .body, .chunkData:
            let n = Int(min(dirs[d].remaining, UInt64(bytes.count - i)))
            here = feedBase &+ UInt64(i + n)
            body(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]), d, &sink)
            dirs[d].remaining -= UInt64(n)
            if dirs[d].remaining == 0 {
                if dirs[d].state == .body { messageDone(d, &sink) } else { dirs[d].state = .chunkDataEnd }
            }
            return i + n
        case .untilClose:
            here = feedBase &+ UInt64(bytes.count)
            body(UnsafeRawBufferPointer(rebasing: bytes[i...]), d, &sink)
            return bytes.count
        case .hunting:
            // Candidate line starts are gathered in the line buffer until they match or fail,
            // so where chunks are cut changes nothing.
            var p = i
            while p < bytes.count {
                let c = bytes[p]
                p += 1
                if dirs[d].line.count > 0 || dirs[d].huntAtLineStart {
                    dirs[d].huntAtLineStart = false
                    dirs[d].line.append(c)
                    switch withLineBytes(d, { HTTPParser.startsMessage($0, request: d == 0) }) {
                    case true?:
                        // The start line goes on from what was gathered.
                        counters_.resyncs &+= 1
                        dirs[d].state = .startLine
                        here = feedBase &+ UInt64(p)
                        return p
                    case false?:
                        dirs[d].line.removeAll()
                    case nil:
                        continue
                    }
                }
                if c == 0x0A { dirs[d].huntAtLineStart = true }
            }
            here = feedBase &+ UInt64(bytes.count)
            return bytes.count
        case .waiting, .stopped:
            return bytes.count
        }
    }

    /// Whether `b` starts a request line (a common method and a space) or a status line
    /// ("HTTP/"); nil while `b` is a prefix of one.
    @inlinable static func startsMessage(_ b: UnsafeRawBufferPointer, request: Bool) -> Bool? {
        if !request { return agrees(b, "HTTP/") }
        var undecided = false
        for method: StaticString in ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "] {
            switch agrees(b, method) {
            case true?: return true
            case nil: undecided = true
            case false?: break
            }
        }
        return undecided ? nil : false
    }

    /// `b` starts with `s` (true), is a shorter prefix of it (nil), or neither (false).
    @inlinable static func agrees(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool? {
        let n = min(b.count, s.utf8CodeUnitCount)
        for k in 0..<n where b[k] != s.utf8Start[k] { return false }
        return n == s.utf8CodeUnitCount ? true : nil
    }

    /// Appends bytes up to the next line end to the line buffer; returns where it stopped and
    /// whether the line ended. A line ends at LF, or at a bare CR followed by anything but
    /// LF, CR, space or tab (servers send such lines and clients accept them). Bytes past the
    /// buffer are dropped and the line flagged, so a huge line costs no memory and the parser
    /// resumes at the next line.
    @inlinable mutating func takeLine(_ bytes: UnsafeRawBufferPointer, from i: Int, _ d: Int) -> (Int, Bool) {
        if dirs[d].lastCR && i < bytes.count {
            dirs[d].lastCR = false
            let c = bytes[i]
            // Through the address: `dirs[d].line.withBytes` copies the 2 KB buffer (see `withLineBytes`).
            if c != 0x0A && c != 0x0D && c != 0x20 && c != 0x09
                && withLineBytes(d, { l in l.contains { $0 != 0x0D } }) { return (i, true) }
        }
        var j = i
        var end = -1
        while j < bytes.count {
            let c = bytes[j]
            if c == 0x0A { end = j; break }
            if c == 0x0D && j + 1 < bytes.count {
                let n = bytes[j + 1]
                // Only after some text: CRs alone at a line's start are skipped, not a blank line.
                // Through the address: `dirs[d].line.withBytes` copies the 2 KB buffer (see `withLineBytes`).
                if n != 0x0A && n != 0x0D && n != 0x20 && n != 0x09
                    && (bytes[i..<j].contains { $0 != 0x0D } || withLineBytes(d, { l in l.contains { $0 != 0x0D } })) {
                    end = j
                    break
                }
            }
            j += 1
        }
        let stop = end >= 0 ? end : bytes.count
        if stop > i {
            let wasCut = dirs[d].line.truncated
            dirs[d].line.append(UnsafeRawBufferPointer(rebasing: bytes[i..<stop]))
            if !wasCut && dirs[d].line.truncated {
                counters_.longLines &+= 1
                if dirs[d].tx >= 0 { txs[dirs[d].tx].flags.insert(.longLine) }
            }
        }
        if end >= 0 { return (end + 1, true) }
        dirs[d].lastCR = stop > i && bytes[stop - 1] == 0x0D
        return (stop, false)
    }

    /// Calls `body` with a copy of the current line, CRs at its end removed. The copy lets the
    /// handler update the parser (passed back in as `inout`) while it reads the line.
    @inlinable mutating func withLine<S: HTTPSink & ~Copyable>(
        _ d: Int, _ sink: inout S, _ body: (inout HTTPParser, UnsafeRawBufferPointer, inout S) -> Void
    ) {
        let n = dirs[d].line.count
        withUnsafeTemporaryAllocation(byteCount: max(n, 1), alignment: 1) { tmp in
            // Through the address: `dirs[d].line.withBytes` copies the 2 KB buffer (see `withLineBytes`).
            withLineBytes(d) { src in
                if n > 0 { tmp.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: n) }
            }
            // NULs inside header lines are dropped, as the browsers that http-evader targets do.
            var e = 0
            // A CR left before a fold's space (the joined line end) goes too.
            for k in 0..<n where tmp[k] != 0 {
                if tmp[k] == 0x0D && k + 1 < n && (tmp[k + 1] == 0x20 || tmp[k + 1] == 0x09) { continue }
                tmp[e] = tmp[k]
                e += 1
            }
            while e > 0 && tmp[e - 1] == 0x0D { e -= 1 }
            body(&self, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(tmp)[0..<e]), &sink)
        }
    }

    /// A continuation line just ended. Blank and ended by a bare LF, it ends the headers
    /// (clients do that; blank with CRLF it is an empty fold); shaped
    /// like `name: value`, it is a header of its own (libhtp does that, and http-evader hides
    /// Transfer-Encoding that way); otherwise it stays joined to the header before it.
    @inlinable mutating func foldedLine<S: HTTPSink & ~Copyable>(_ d: Int, _ sink: inout S) {
        let raw = dirs[d].foldStart
        dirs[d].foldStart = -1
        // Where the fold lands in the copy `withLine` gives, which drops NULs and fold CRs.
        // Through the address: `dirs[d].line.withBytes` copies the 2 KB buffer (see `withLineBytes`).
        let at = raw - withLineBytes(d) { r in
            var n = 0
            for k in 0..<min(raw, r.count)
            where r[k] == 0 || (r[k] == 0x0D && k + 1 < r.count && (r[k + 1] == 0x20 || r[k + 1] == 0x09)) { n += 1 }
            return n
        }
        let crlf = withLineBytes(d) { $0.last == 0x0D }
        withLine(d, &sink) { p, l, s in
            guard at < l.count else {
                if crlf { p.dirs[d].foldPending = true; return }
                p.header(l, d, &s)
                p.dirs[d].line.removeAll()
                if p.dirs[d].state == .trailers { p.messageDone(d, &s) } else { p.headersDone(d, &s) }
                return
            }
            let first = UnsafeRawBufferPointer(rebasing: l[0..<at])
            let rest = ByteText.trim(UnsafeRawBufferPointer(rebasing: l[(at + 1)...]))
            if rest.isEmpty && !crlf {
                p.header(first, d, &s)
                p.dirs[d].line.removeAll()
                if p.dirs[d].state == .trailers { p.messageDone(d, &s) } else { p.headersDone(d, &s) }
                return
            }
            var k = 0
            while k < rest.count && HTTPParser.isTokenChar(rest[k]) { k += 1 }
            if k > 0 && k < rest.count && rest[k] == UInt8(ascii: ":") {
                p.header(first, d, &s)
                p.dirs[d].line.set(rest)
            }
            p.dirs[d].foldPending = true
        }
    }
}
