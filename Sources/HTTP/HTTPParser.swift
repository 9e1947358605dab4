import L7Core

/// An incremental HTTP/1.0 and 1.1 parser for one TCP flow, both directions. Feed it the
/// reassembled stream in chunks split anywhere; what it reports does not depend on the split.
///
/// All state is inline: two line buffers of `lineCapacity` bytes, a queue of
/// `maxPipeline` + 1 transactions (the extra slot holds an overflowing request), and per
/// direction the first bytes of up to 3 compressed layers. `MemoryLayout<HTTPParser>.size` is
/// about 17.6 KB (the tests print and bound it), meant to live in the L7 stage's
/// preallocated pool. zlib state lives in an `InflaterPool` slot borrowed per compressed body.
public struct HTTPParser: ~Copyable {
    /// Requests that can wait for their responses.
    public static let maxPipeline = 8
    /// Longest start, header or chunk-size line kept; longer ones are cut and counted (the
    /// literal 2048 in `HTTPDirection.line` must match).
    public static let lineCapacity = 2048

    // `txs` and `dirs` start as copies of built-once templates (see `init`), not property
    // initializers: those build a template element and copy it into every slot, ~90 memcpy
    // calls per parser.
    @usableFromInline var txs: InlineArray<9, HTTPTransaction>
    @usableFromInline var head = 0
    @usableFromInline var queued = 0
    @usableFromInline var depth: Int
    @usableFromInline var nextIndex: UInt64 = 0
    /// [toServer, toClient]
    @usableFromInline var dirs: InlineArray<2, HTTPDirection>
    @usableFromInline var maxDecoded: Int
    @usableFromInline var maxLayers: Int
    /// A var so that `reset` can hand a reused parser another pool (or none).
    @usableFromInline var pool: InflaterPoolHandle?
    /// Stream offset of the first byte of the chunk being fed.
    @usableFromInline var feedBase: UInt64 = 0
    /// Stream offset just past the bytes consumed so far in the current step.
    @usableFromInline var here: UInt64 = 0
    /// The protocol the latest request asked to upgrade to, and where that request ended.
    @usableFromInline var askedUpgrade: HTTPUpgrade.Kind = .none
    @usableFromInline var askedUpgradeEnd: UInt64 = 0
    @usableFromInline var counters_ = HTTPCounters()
    /// What went wrong or was cut so far.
    public var counters: HTTPCounters { counters_ }
    /// Where HTTP/1 ended, after a 101 Switching Protocols or a CONNECT tunnel; `.none` before.
    /// Once set, `feed` consumes nothing more: the caller hands the rest of each stream
    /// (from these offsets) to the next parser.
    public var upgraded: HTTPUpgrade { upgraded_ }
    @usableFromInline var upgraded_ = HTTPUpgrade()
    /// A CONNECT was answered 2xx: the tunnel's first byte says whether plain HTTP/1 goes on
    /// inside it (a request line or status line) or something else (TLS) takes over.
    @usableFromInline var tunnelProbe = false

    /// A parser; `inflaters` is the pool compressed bodies borrow zlib state from (nil: bodies
    /// are passed on compressed, as raw).
    public init(config: HTTPConfig = HTTPConfig(), inflaters: InflaterPoolHandle? = nil) {
        txs = HTTPParser.initialTxs
        dirs = HTTPParser.initialDirs
        depth = min(max(config.pipelineDepth, 1), HTTPParser.maxPipeline)
        maxDecoded = max(config.maxDecompressedBody, 0)
        maxLayers = min(max(config.decompressionLayers, 0), 3)
        pool = inflaters
    }

    /// The transaction queue and directions `init` starts from (never changed, so sharing is safe).
    @usableFromInline static let initialTxs = InlineArray<9, HTTPTransaction>(repeating: HTTPTransaction())
    @usableFromInline nonisolated(unsafe) static let initialDirs = InlineArray<2, HTTPDirection>(repeating: HTTPDirection())

    /// Makes this parser as `init(config:inflaters:)` would, in place, for a new flow: inflater
    /// slots still borrowed go back to the old pool first (as `deinit` does). Cheap: only
    /// indices, counters and direction state are reset; the 9 transactions are not rebuilt
    /// (each is reset when taken by `newTx`; only their done flags are cleared here, so a
    /// stale overflow slot is never delivered). Use it rather than assigning a new parser,
    /// which builds ~19 KB and copies it over.
    @inlinable public mutating func reset(config: HTTPConfig = HTTPConfig(), inflaters: InflaterPoolHandle? = nil) {
        returnInflaters()
        depth = min(max(config.pipelineDepth, 1), HTTPParser.maxPipeline)
        maxDecoded = max(config.maxDecompressedBody, 0)
        maxLayers = min(max(config.decompressionLayers, 0), 3)
        pool = inflaters
        head = 0
        queued = 0
        nextIndex = 0
        for t in 0...HTTPParser.maxPipeline {
            txs[t].requestDone = false
            txs[t].responseDone = false
        }
        for d in 0..<2 { dirs[d].reset() }
        feedBase = 0
        here = 0
        askedUpgrade = .none
        askedUpgradeEnd = 0
        counters_ = HTTPCounters()
        upgraded_ = HTTPUpgrade()
        tunnelProbe = false
    }

    /// Ends and gives back every inflater slot a layer still holds.
    @inlinable mutating func returnInflaters() {
        guard let pool else { return }
        for d in 0..<2 {
            for k in 0..<3 where dirs[d].layers[k].slot >= 0 {
                pool.end(dirs[d].layers[k].slot)
                pool.release(dirs[d].layers[k].slot)
                dirs[d].layers[k].slot = -1
            }
        }
    }

    deinit {
        guard let pool else { return }
        for d in 0..<2 {
            for k in 0..<3 where dirs[d].layers[k].slot >= 0 {
                pool.end(dirs[d].layers[k].slot)
                pool.release(dirs[d].layers[k].slot)
            }
        }
    }

    /// Parses `bytes`, the next piece of one direction's stream. Returns how many bytes it
    /// consumed: all of them, except after an upgrade or tunnel (or while a CONNECT awaits
    /// its answer), where the rest belongs to whatever follows HTTP/1.
    @discardableResult
    @inlinable public mutating func feed<S: HTTPSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, toServer: Bool,
                                                                  sink: inout S) -> Int {
        let d = toServer ? 0 : 1
        if d == 1 && dirs[0].pending09 && dirs[0].state == .headers && dirs[0].line.count == 0 {
            // The server answers a request line without a protocol that no header followed:
            // HTTP/0.9 it was.
            finishHTTP09(&sink)
        }
        feedBase = dirs[d].offset
        var i = 0
        while i < bytes.count {
            let state = dirs[d].state
            if state == .stopped || state == .waiting { break }
            i = step(bytes, from: i, d, &sink)
        }
        dirs[d].offset = feedBase &+ UInt64(i)
        return i
    }

    /// Tells the parser `length` bytes of one direction are missing. Inside a body of known
    /// length the bytes are skipped and parsing stays in sync (the body is flagged `gap`);
    /// anywhere else the message the hole hit is cut and the direction hunts for the next
    /// request or status line (right after the hole, or at a line start), as Suricata resynchronises.
    @inlinable public mutating func gap<S: HTTPSink & ~Copyable>(toServer: Bool, length: Int, sink: inout S) {
        let d = toServer ? 0 : 1
        let n = UInt64(max(length, 0))
        dirs[d].offset &+= n
        let t = dirs[d].tx
        switch dirs[d].state {
        case .stopped, .waiting:
            return
        case .body where n <= dirs[d].remaining, .chunkData where n <= dirs[d].remaining, .untilClose:
            counters_.gapsSkipped &+= 1
            stopDecoding(d)
            if t >= 0 {
                txs[t].flags.insert(.gap)
                if d == 0 { txs[t].requestBodyLength &+= n } else { txs[t].responseBodyLength &+= n }
            }
            if dirs[d].state == .untilClose { return }
            dirs[d].remaining -= n
            if dirs[d].remaining == 0 {
                if dirs[d].state == .body { messageDone(d, &sink) } else { dirs[d].state = .chunkDataEnd }
            }
        default:
            counters_.directionsLost &+= 1
            if t >= 0 && dirs[d].state != .startLine {
                txs[t].flags.insert([.gap, .bodyTruncated])
                stopDecoding(d)
                if d == 0 { txs[t].requestDone = true } else { txs[t].responseDone = true }
                deliverReady(&sink)
            } else if d == 1 && t < 0 {
                // A hole where a status line belongs hid (at least) the oldest waiting
                // request's response: the next status line answers the request after it.
                for k in 0..<queued where !txs[(head + k) % depth].responseDone {
                    let w = (head + k) % depth
                    txs[w].flags.insert([.gap, .bodyTruncated])
                    txs[w].responseDone = true
                    deliverReady(&sink)
                    break
                }
            }
            stopDecoding(d)
            dirs[d].tx = -1
            dirs[d].newMessage()
            dirs[d].state = .hunting
            dirs[d].huntAtLineStart = true
        }
    }

    /// The flow ended: completes a response read until close, flags bodies cut short, and
    /// delivers every transaction still queued, including requests that never got a response.
    @inlinable public mutating func finish<S: HTTPSink & ~Copyable>(sink: inout S) {
        for d in 0..<2 {
            let t = dirs[d].tx
            switch dirs[d].state {
            case .headers, .trailers:
                if dirs[d].foldPending { dirs[d].foldPending = false; headerLine(d, &sink) }
                if t >= 0 {
                    txs[t].flags.insert(.bodyTruncated)
                    if d == 0 && dirs[d].state == .headers { sink.httpRequestHeaders(txs[t]) }
                    messageDone(d, &sink)
                }
            case .untilClose:
                messageDone(d, &sink)
            case .startLine where d == 1 && (dirs[1].line.count > 0 || t >= 0):
                // A response with no status line at all (HTTP/0.9 style): its bytes are body.
                if dirs[1].line.count > 0 {
                    let r = responseTarget()
                    dirs[1].tx = r
                    txs[r].flags.insert(.malformedResponse)
                    withLine(1, &sink) { p, l, s in p.body(l, 1, &s) }
                }
                messageDone(1, &sink)
            case .body, .chunkSize, .chunkData, .chunkDataEnd:
                if t >= 0 { txs[t].flags.insert(.bodyTruncated) }
                messageDone(d, &sink)
            default:
                break
            }
            stopDecoding(d)
            dirs[d].state = .stopped
        }
        while queued > 0 {
            let t = head
            if !txs[t].responseDone { txs[t].flags.insert(.noResponse) }
            deliver(t, &sink)
            head = (head + 1) % depth
            queued -= 1
        }
    }

    /// A request line without a protocol turned out to be HTTP/0.9: no headers, done.
    @inlinable mutating func finishHTTP09<S: HTTPSink & ~Copyable>(_ sink: inout S) {
        dirs[0].pending09 = false
        if dirs[0].tx >= 0 { sink.httpRequestHeaders(txs[dirs[0].tx]) }
        messageDone(0, &sink)
    }

    /// Bytes currently held in `InlineArray` storage for one parser (for pool sizing).
    public static var byteSize: Int { MemoryLayout<HTTPParser>.size }

    // MARK: in-place access

    /// Calls `body` with direction `d`'s line, read through the buffer's address:
    /// `dirs[d].line.withBytes` copies the whole 2 KB buffer to a temporary first.
    @inlinable mutating func withLineBytes<R>(_ d: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeMutablePointer(to: &dirs[d].line) { FixedBytes.withBytes(at: $0, body) }
    }

    // MARK: transactions

    /// A fresh transaction slot at the queue's tail, or the overflow slot when it is full.
    /// Calls `body` with the oldest transaction still waiting for its response (the request a
    /// policy verdict is made on), nil when none waits.
    @inlinable public func withPendingTransaction<R>(_ body: (borrowing HTTPTransaction) -> R) -> R? {
        guard queued > 0 else { return nil }
        return body(txs[head])
    }

    @inlinable mutating func newTx() -> Int {
        let t: Int
        if queued < depth {
            t = (head + queued) % depth
            queued += 1
        } else {
            counters_.pipelineOverflows &+= 1
            t = HTTPParser.maxPipeline
        }
        txs[t].reset(index: nextIndex)
        if t == HTTPParser.maxPipeline { txs[t].flags.insert(.pipelineOverflow) }
        nextIndex &+= 1
        return t
    }

    /// The transaction the next response answers: the oldest without one.
    @inlinable mutating func responseTarget() -> Int {
        for k in 0..<queued {
            let t = (head + k) % depth
            if !txs[t].responseDone { return t }
        }
        let t = newTx()
        txs[t].flags.insert(.noRequest)
        txs[t].requestDone = true
        return t
    }

    @inlinable mutating func deliver<S: HTTPSink & ~Copyable>(_ t: Int, _ sink: inout S) {
        counters_.transactions &+= 1
        sink.httpTransaction(txs[t])
    }

    /// Hands over finished transactions, in order.
    @inlinable mutating func deliverReady<S: HTTPSink & ~Copyable>(_ sink: inout S) {
        let spare = HTTPParser.maxPipeline
        if txs[spare].requestDone && txs[spare].responseDone && txs[spare].index != UInt64.max {
            deliver(spare, &sink)
            txs[spare].index = UInt64.max
        }
        while queued > 0 && txs[head].requestDone && txs[head].responseDone {
            deliver(head, &sink)
            head = (head + 1) % depth
            queued -= 1
        }
    }

    /// One message of direction `d` is complete.
    @inlinable mutating func messageDone<S: HTTPSink & ~Copyable>(_ d: Int, _ sink: inout S) {
        flushDecoding(d, &sink)
        stopDecoding(d)
        dirs[d].junkLines = 0
        let t = dirs[d].tx
        dirs[d].tx = -1
        dirs[d].newMessage()
        dirs[d].state = .startLine
        guard t >= 0 else { return }
        if d == 0 {
            txs[t].requestDone = true
            if askedUpgrade != .none { askedUpgradeEnd = here }
            // After CONNECT or an Upgrade request the client's next bytes may not be HTTP/1:
            // wait for the response to say.
            if txs[t].methodIs("CONNECT") || askedUpgrade != .none { dirs[0].state = .waiting }
            if t == HTTPParser.maxPipeline { txs[t].responseDone = true; txs[t].flags.insert(.noResponse) }
        } else {
            txs[t].responseDone = true
        }
        deliverReady(&sink)
    }
}
