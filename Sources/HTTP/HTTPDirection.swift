import L7Core

/// One `Content-Encoding` layer being undone. It keeps the first bytes it was given: they pick
/// the format (gzip, zlib or raw deflate, whatever the header claimed) and, when zlib rejects
/// them at once, are passed on as they are (a body labelled compressed that is not).
@usableFromInline struct InflateLayer {
    @usableFromInline enum Mode: UInt8 { case sniffing, inflating, passthrough, finished }
    @usableFromInline var mode: Mode = .sniffing
    @usableFromInline var slot: Int32 = -1
    @usableFromInline var head = FixedBytes<64>()
    @usableFromInline var totalIn = 0
    @usableFromInline var produced = false
    /// The layer was named "lzma": LZMA-alone, not sniffed as gzip/zlib/deflate.
    @usableFromInline var lzma = false
    @inlinable init() {}

    /// Back to `init()`'s state, in place (the bytes of `head` past its count are never read).
    @inlinable mutating func reset() {
        mode = .sniffing
        slot = -1
        head.removeAll()
        totalIn = 0
        produced = false
        lzma = false
    }
}

/// Parsing state of one direction of the flow.
@usableFromInline struct HTTPDirection {
    @usableFromInline enum State: UInt8 {
        case startLine, headers, body, chunkSize, chunkData, chunkDataEnd, trailers, untilClose
        /// Request side after CONNECT, until the response says tunnel or not.
        case waiting
        /// After a gap that did not end inside a body of known length: looking for the next
        /// request or status line at a line start (as Suricata resynchronises).
        case hunting
        /// Given up: malformed, upgraded, or tunnelled.
        case stopped
    }
    @usableFromInline var state: State = .startLine
    /// The current line; a longer one is cut here, and the rest of it skipped up to its LF.
    @usableFromInline var line = FixedBytes<2048>()
    /// A header line ended; the next byte says whether it is folded onto this one.
    @usableFromInline var foldPending = false
    /// Where in `line` the latest folded continuation starts, -1 when none.
    @usableFromInline var foldStart = -1
    /// The line so far ends in a CR whose successor has not been seen.
    @usableFromInline var lastCR = false
    /// Transfer-Encoding headers seen, and whether any said something other than "chunked".
    @usableFromInline var teSeen = false
    @usableFromInline var teOther = false
    /// A request line without a protocol was read: HTTP/0.9 unless the next line is a
    /// header (libhtp peeks the same way), in which case it is HTTP/1.x without a version.
    @usableFromInline var pending09 = false
    /// The last header line ended with a bare LF (no CR before it).
    @usableFromInline var prevBareLF = false
    /// Hunting: the next byte starts a line (the first byte after a gap counts as one).
    @usableFromInline var huntAtLineStart = false
    /// Non-HTTP lines seen where a status line belongs.
    @usableFromInline var junkLines = 0
    /// Body or chunk bytes still to come.
    @usableFromInline var remaining: UInt64 = 0
    /// Stream bytes consumed so far.
    @usableFromInline var offset: UInt64 = 0
    /// Transaction slot the current message belongs to, -1 when none.
    @usableFromInline var tx = -1
    @usableFromInline var chunked = false
    @usableFromInline var contentLength: Int64 = -1
    @usableFromInline var encodings = 0
    /// Bit i: the i-th coding named in Content-Encoding (first 8) was "lzma".
    @usableFromInline var lzmaCodings: UInt8 = 0
    @usableFromInline var layers = InlineArray<3, InflateLayer>(repeating: InflateLayer())
    @usableFromInline var layerCount = 0
    @usableFromInline var decoded = 0
    @inlinable init() {}

    /// Back to `init()`'s state for a new flow, in place: the 2 KB line buffer and the layers'
    /// saved bytes are emptied, not zeroed (bytes past a count are never read). Any inflater
    /// a layer held must have been given back first.
    @inlinable mutating func reset() {
        newMessage()
        state = .startLine
        junkLines = 0
        huntAtLineStart = false
        offset = 0
        tx = -1
        layerCount = 0
        decoded = 0
        for k in 0..<3 { layers[k].reset() }
    }

    /// Clears what one message's headers set.
    @inlinable mutating func newMessage() {
        chunked = false
        teSeen = false
        teOther = false
        foldStart = -1
        lastCR = false
        contentLength = -1
        encodings = 0
        lzmaCodings = 0
        remaining = 0
        foldPending = false
        pending09 = false
        prevBareLF = false
        line.removeAll()
    }
}
