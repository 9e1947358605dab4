import L7Core

/// An incremental HTTP/2 parser (RFC 9113, HPACK per RFC 7541) for one TCP flow, both
/// directions: fed reassembled bytes split anywhere, it follows frames, decodes header
/// blocks, tracks up to `streamCapacity` concurrent streams and reports them to a sink.
///
/// Bounds: everything is inline (`MemoryLayout<HTTP2Parser>.size` is 32,300 bytes): two
/// 4 KiB HPACK tables, two 2 KiB header-block buffers and 32 stream slots. A header
/// representation longer than the buffer, a dynamic table size beyond 4096, any HPACK error
/// or a gap makes that direction's header decoding stop for good ("lost"): frames stay in
/// sync, streams are still opened, counted and ended, only their header fields go missing.
public struct HTTP2Parser {
    /// Concurrent streams tracked.
    public static let streamCapacity = 32
    /// Bytes of a header block buffered while a representation is incomplete.
    public static let headerBlockCapacity = 2048
    @usableFromInline static let preface: StaticString = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    // Initial values are set in `init(building:)`, not here: property initializers would run
    // in every `init()` too, before it copies `initial` over them.
    /// Frame readers: 0 client to server, 1 server to client.
    @usableFromInline var frames: InlineArray<2, FrameState>
    /// HPACK decoders, indexed like `frames`.
    @usableFromInline var hpack: InlineArray<2, HPACKDecoder>
    /// Header-block buffers, indexed like `frames`; separate from `hpack` so a buffer can be
    /// read while its decoder changes.
    @usableFromInline var blocks: InlineArray<2, InlineArray<2048, UInt8>>
    @usableFromInline var streams: InlineArray<32, HTTP2StreamInfo>
    @usableFromInline var live: InlineArray<32, Bool>
    @usableFromInline var counted: HTTP2Counters
    /// Stream 0: SETTINGS and GOAWAY, reported once at `finish`.
    @usableFromInline var connection: HTTP2Connection
    /// What was counted so far.
    public var counters: HTTP2Counters { counted }

    /// A parser expecting prior-knowledge HTTP/2: the client preface, then frames.
    @inlinable public init() {
        // One 32 KB copy of a state built once, straight into the destination when inlined
        // (`p.pointee = HTTP2Parser()`); building it anew goes through templates copied
        // element by element into a temporary that is then copied whole, twice.
        self = Self.initial
    }

    /// The state `init()` starts from (never changed, so sharing it is safe).
    @usableFromInline nonisolated(unsafe) static let initial = HTTP2Parser(building: ())

    private init(building: Void) {
        frames = InlineArray(repeating: FrameState(client: false))
        frames[0] = FrameState(client: true)
        hpack = InlineArray(repeating: HPACKDecoder())
        blocks = InlineArray(repeating: InlineArray(repeating: 0))
        streams = InlineArray(repeating: HTTP2StreamInfo())
        live = InlineArray(repeating: false)
        counted = HTTP2Counters()
        connection = HTTP2Connection()
    }

    /// Whether header decoding was lost in either direction (fields of later streams missing).
    public var lost: Bool { hpack[0].lost || hpack[1].lost }

    /// Whether the client side turned out not to be HTTP/2 (bad preface).
    public var notHTTP2: Bool { counted.notHTTP2 > 0 }

    /// Streams open now.
    public var openStreams: Int { (0..<Self.streamCapacity).reduce(0) { $0 + (live[$1] ? 1 : 0) } }

    // MARK: - Feeding

    /// Consumes the next in-order bytes of one direction.
    @inlinable public mutating func feed<S: HTTP2Sink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, toServer: Bool,
                                                                   sink: inout S) {
        let d = toServer ? 0 : 1
        var p = 0
        let n = bytes.count
        while p < n {
            if frames[d].stopped { return }
            if frames[d].prefaceLeft > 0 {
                if bytes[p] != Self.preface.utf8Start[24 - frames[d].prefaceLeft] {
                    frames[d].stopped = true
                    counted.notHTTP2 &+= 1
                    return
                }
                frames[d].prefaceLeft -= 1
                p += 1
                continue
            }
            switch frames[d].phase {
            case .header:
                let b = bytes[p]
                p += 1
                switch frames[d].headerHave {
                case 0: frames[d].length = Int(b); frames[d].stream = 0
                case 1, 2: frames[d].length = frames[d].length << 8 | Int(b)
                case 3: frames[d].type = b
                case 4: frames[d].flags = b
                default: frames[d].stream = frames[d].stream << 8 | UInt32(b)
                }
                frames[d].headerHave += 1
                if frames[d].headerHave == 9 {
                    frames[d].headerHave = 0
                    frames[d].stream &= 0x7fff_ffff
                    startFrame(d, sink: &sink)
                }
            case .preamble:
                frames[d].preamble = frames[d].preamble << 8 | UInt64(bytes[p])
                p += 1
                frames[d].preambleLeft -= 1
                if frames[d].preambleLeft == 0 { enterContent(d, sink: &sink) }
            case .content:
                let k = min(frames[d].contentLeft, n - p)
                content(d, UnsafeRawBufferPointer(rebasing: bytes[p..<(p + k)]), sink: &sink)
                frames[d].contentLeft -= k
                p += k
                settle(d, sink: &sink)
            case .padding:
                let k = min(frames[d].paddingLeft, n - p)
                frames[d].paddingLeft -= k
                p += k
                settle(d, sink: &sink)
            }
        }
    }

    /// Bytes of one direction were lost: frame boundaries and HPACK state cannot be trusted
    /// after a hole, so that direction stops (its open streams are reported by `finish`).
    public mutating func gap(toServer: Bool, length: Int) {
        let d = toServer ? 0 : 1
        counted.gaps &+= 1
        frames[d].stopped = true
        loseHPACK(d, .gap)
    }

    /// The flow ended: reports every open stream (with `unfinished` set) and counts a
    /// direction that stopped in the middle of a frame.
    @inlinable public mutating func finish<S: HTTP2Sink & ~Copyable>(sink: inout S) {
        for d in 0..<2 where !frames[d].stopped {
            if frames[d].phase != .header || frames[d].headerHave > 0 { counted.truncatedFrames &+= 1 }
            if frames[d].blockOpen, frames[d].blockSlot >= 0 { streams[frames[d].blockSlot].headersIncomplete = true }
            frames[d].stopped = true
        }
        for i in 0..<Self.streamCapacity where live[i] {
            streams[i].unfinished = true
            complete(i, sink: &sink)
        }
        if !connection.isEmpty {
            sink.http2Connection(connection)
            connection = HTTP2Connection()
        }
    }

    /// Starts after an HTTP/1.1 `Upgrade: h2c` request answered by `101 Switching Protocols`:
    /// stream 1 is that request (its fields come from the HTTP/1.1 parser, which reported it,
    /// so `http2RequestHeaders` is not called for it; it is half-closed from the client), its
    /// response comes as HTTP/2 on stream 1, and the client still sends the preface.
    public mutating func startAfterUpgrade(method: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer,
                                           authority: UnsafeRawBufferPointer,
                                           userAgent: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        guard let i = createSlot(1) else { return }
        streams[i].method.set(method)
        streams[i].scheme.set(UnsafeRawBufferPointer(start: ("http" as StaticString).utf8Start, count: 4))
        streams[i].path.set(path)
        streams[i].authority.set(authority)
        streams[i].userAgent.set(userAgent)
        streams[i].requestHeadersDone = true
        streams[i].clientEnded = true
    }

    // MARK: - Frames

    @inlinable mutating func startFrame<S: HTTP2Sink & ~Copyable>(_ d: Int, sink: inout S) {
        counted.frames &+= 1
        let type = frames[d].type
        let flags = frames[d].flags
        let padded = flags & FrameFlag.padded != 0
        var pre = 0
        switch type {
        case FrameType.data: pre = padded ? 1 : 0
        case FrameType.headers: pre = (padded ? 1 : 0) + (flags & FrameFlag.priority != 0 ? 5 : 0)
        case FrameType.pushPromise: pre = (padded ? 1 : 0) + 4
        case FrameType.priority: pre = 5
        case FrameType.rstStream: pre = 4
        case FrameType.goaway: pre = 8
        default: pre = 0
        }
        if frames[d].blockOpen && type != FrameType.continuation {
            // RFC 9113 section 6.10: nothing may come between a block's frames.
            counted.malformedFrames &+= 1
            abandonBlock(d, sink: &sink)
        }
        frames[d].malformed = pre > frames[d].length
        if frames[d].malformed {
            counted.malformedFrames &+= 1
            pre = 0
        }
        frames[d].slot = -1
        frames[d].settingHave = 0
        frames[d].preamble = 0
        frames[d].preambleLeft = pre
        frames[d].contentLeft = frames[d].length - pre
        frames[d].paddingLeft = 0
        if pre > 0 {
            frames[d].phase = .preamble
        } else {
            enterContent(d, sink: &sink)
        }
    }

    /// The preamble is in: pull out padding, open header blocks, find the DATA stream.
    @inlinable mutating func enterContent<S: HTTP2Sink & ~Copyable>(_ d: Int, sink: inout S) {
        let type = frames[d].type
        let flags = frames[d].flags
        let preLength = frames[d].length - frames[d].contentLeft
        if !frames[d].malformed && flags & FrameFlag.padded != 0
            && (type == FrameType.data || type == FrameType.headers || type == FrameType.pushPromise) {
            let padLength = Int((frames[d].preamble >> UInt64(8 * (preLength - 1))) & 0xff)
            if padLength > frames[d].contentLeft {
                frames[d].malformed = true
                counted.malformedFrames &+= 1
                frames[d].paddingLeft = frames[d].contentLeft
                frames[d].contentLeft = 0
            } else {
                frames[d].contentLeft -= padLength
                frames[d].paddingLeft = padLength
            }
        }
        let stream = frames[d].stream
        switch type {
        case FrameType.data:
            if !frames[d].malformed && stream != 0 { frames[d].slot = findSlot(stream) ?? -1 }
        case FrameType.headers:
            beginBlock(d, stream: stream, endStream: flags & FrameFlag.endStream != 0, push: false)
        case FrameType.pushPromise:
            beginBlock(d, stream: UInt32(truncatingIfNeeded: frames[d].preamble) & 0x7fff_ffff,
                       endStream: false, push: true)
        case FrameType.continuation:
            if !frames[d].blockOpen || frames[d].blockStream != stream {
                frames[d].malformed = true
                counted.malformedFrames &+= 1
                if frames[d].blockOpen { abandonBlock(d, sink: &sink) }
            }
        default:
            break
        }
        if frames[d].malformed && (type == FrameType.headers || type == FrameType.pushPromise) {
            // The block's bytes cannot be located, so the table is unknowable from here.
            loseHPACK(d, .malformed)
        }
        frames[d].phase = .content
        settle(d, sink: &sink)
    }

    /// Moves past empty content/padding, ending the frame when nothing is left.
    @inlinable mutating func settle<S: HTTP2Sink & ~Copyable>(_ d: Int, sink: inout S) {
        if frames[d].phase == .content && frames[d].contentLeft == 0 { frames[d].phase = .padding }
        if frames[d].phase == .padding && frames[d].paddingLeft == 0 {
            frames[d].phase = .header
            endFrame(d, sink: &sink)
        }
    }

    @inlinable mutating func content<S: HTTP2Sink & ~Copyable>(_ d: Int, _ chunk: UnsafeRawBufferPointer, sink: inout S) {
        if frames[d].malformed || chunk.isEmpty { return }
        switch frames[d].type {
        case FrameType.data:
            let i = frames[d].slot
            guard i >= 0 else { return }
            if d == 0 { streams[i].requestBytes &+= UInt64(chunk.count) } else { streams[i].responseBytes &+= UInt64(chunk.count) }
            if streams[i].grpc.isGRPC { streams[i].grpc.consume(chunk, toServer: d == 0) }
            sink.http2Data(chunk, toServer: d == 0, stream: streams[i])
        case FrameType.headers, FrameType.pushPromise, FrameType.continuation:
            appendBlock(d, chunk)
        case FrameType.settings:
            if frames[d].flags & FrameFlag.ack == 0 { settings(d, chunk) }
        default:
            break
        }
    }

    @inlinable mutating func endFrame<S: HTTP2Sink & ~Copyable>(_ d: Int, sink: inout S) {
        let flags = frames[d].flags
        switch frames[d].type {
        case FrameType.data:
            let i = frames[d].slot
            if i >= 0 && flags & FrameFlag.endStream != 0 { endSide(i, client: d == 0, sink: &sink) }
        case FrameType.headers, FrameType.pushPromise, FrameType.continuation:
            if frames[d].blockOpen && !frames[d].malformed && flags & FrameFlag.endHeaders != 0 {
                finishBlock(d, sink: &sink)
            }
        case FrameType.rstStream:
            if !frames[d].malformed && frames[d].length == 4, let i = findSlot(frames[d].stream) {
                streams[i].resetCode = UInt32(truncatingIfNeeded: frames[d].preamble)
                streams[i].resetByServer = d == 1
                complete(i, sink: &sink)
            }
        case FrameType.goaway:
            if !frames[d].malformed {
                counted.goaways &+= 1
                counted.lastGoAwayCode = UInt32(truncatingIfNeeded: frames[d].preamble)
                connection.setGoAway(side: d, code: counted.lastGoAwayCode)
            }
        case FrameType.priority, FrameType.settings, FrameType.ping, FrameType.windowUpdate:
            break
        default:
            counted.unknownFrames &+= 1
        }
    }

    /// SETTINGS entries (6 bytes each). Only SETTINGS_HEADER_TABLE_SIZE matters here: it
    /// bounds the size updates the *peer's* encoder may send, i.e. the other direction.
    @usableFromInline mutating func settings(_ d: Int, _ chunk: UnsafeRawBufferPointer) {
        for b in chunk {
            frames[d].setting = frames[d].setting << 8 | UInt64(b)
            frames[d].settingHave += 1
            if frames[d].settingHave == 6 {
                let id = (frames[d].setting >> 32) & 0xffff
                let value = Int(frames[d].setting & 0xffff_ffff)
                if id == 1 { hpack[1 - d].settingsLimit = value }
                connection.addSetting(side: d, id: UInt16(id), value: UInt32(truncatingIfNeeded: value))
                frames[d].settingHave = 0
                frames[d].setting = 0
            }
        }
    }

    // MARK: - Streams

    /// `mutating` only so that `self` is passed by address: a non-mutating call copies the
    /// whole 32 KB parser (and then its stream slots) to reach `streams[i]`.
    @usableFromInline mutating func findSlot(_ id: UInt32) -> Int? {
        for i in 0..<Self.streamCapacity where live[i] && streams[i].streamID == id { return i }
        return nil
    }

    @usableFromInline mutating func createSlot(_ id: UInt32) -> Int? {
        for i in 0..<Self.streamCapacity where !live[i] {
            streams[i] = HTTP2StreamInfo()
            streams[i].streamID = id
            live[i] = true
            counted.streams &+= 1
            return i
        }
        counted.streamOverflow &+= 1
        return nil
    }

    @inlinable mutating func endSide<S: HTTP2Sink & ~Copyable>(_ i: Int, client: Bool, sink: inout S) {
        if client { streams[i].clientEnded = true } else { streams[i].serverEnded = true }
        if streams[i].isComplete { complete(i, sink: &sink) }
    }

    /// Reports slot `i` and frees it, detaching any frame still pointing at it.
    @inlinable mutating func complete<S: HTTP2Sink & ~Copyable>(_ i: Int, sink: inout S) {
        sink.http2Stream(streams[i])
        live[i] = false
        for d in 0..<2 {
            if frames[d].slot == i { frames[d].slot = -1 }
            if frames[d].blockSlot == i { frames[d].blockSlot = -1 }
        }
    }
}
