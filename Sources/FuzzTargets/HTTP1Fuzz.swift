import HTTP
import HTTP2
import L7Core
import Output

/// Both directions of one HTTP/1 flow through `HTTPParser`, as the L7 stage drives it:
/// requests and responses, pipelining, chunked and gzip/deflate bodies, gaps, and after a
/// `101` to `h2c` the rest of the flow through `HTTP2Parser` (`startAfterUpgrade`).
///
/// Input: one configuration byte (bits 0-2: pipeline depth - 1; bits 3-4: decompression
/// layers; bit 5: a 64-byte decompression cap; bit 6: no inflater pool), then
/// `DirectionalStep`s. After the flow ends every inflater slot must be back in the pool: a
/// slot kept by a finished parser would starve every later compressed body of the worker.
enum HTTP1Fuzz {
    /// Shared by every run, as the L7 stage shares one per worker.
    nonisolated(unsafe) static let pool = InflaterPool(slots: 4)

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let c = input.byte()
        var config = HTTPConfig()
        config.pipelineDepth = Int(c & 7) + 1
        config.decompressionLayers = Int((c >> 3) & 3)
        if c & 0x20 != 0 { config.maxDecompressedBody = 64 }
        let handle: InflaterPoolHandle? = c & 0x40 != 0 ? nil : pool.handle
        var sink = HTTP1FuzzSink()
        var h2Sink = HTTP2FuzzSink()
        do {
            var parser = HTTPParser(config: config, inflaters: handle)
            var h2: HTTP2Parser? = nil
            var http1 = true
            while let step = DirectionalStep.next(&input) {
                if let gap = step.gap {
                    if http1 { parser.gap(toServer: step.toServer, length: gap, sink: &sink) }
                    else { h2?.gap(toServer: step.toServer, length: gap) }
                    continue
                }
                step.forEachChunk { chunk in
                    guard http1 else { h2?.feed(chunk, toServer: step.toServer, sink: &h2Sink); return }
                    let used = parser.feed(chunk, toServer: step.toServer, sink: &sink)
                    precondition(used >= 0 && used <= chunk.count, "feed consumed \(used) of \(chunk.count)")
                    let kind = parser.upgraded.kind
                    guard kind != .none else { return }
                    http1 = false
                    guard kind == .h2c else { return }
                    var p = HTTP2Parser()
                    sink.upgradeRequest.withBytes { m, u, h, a in
                        p.startAfterUpgrade(method: m, path: u, authority: h, userAgent: a)
                    }
                    if used < chunk.count {
                        p.feed(UnsafeRawBufferPointer(rebasing: chunk[used...]), toServer: step.toServer, sink: &h2Sink)
                    }
                    h2 = p
                }
            }
            if http1 { parser.finish(sink: &sink) } else { h2?.finish(sink: &h2Sink) }
            // A parser reused from the stage's pool: whatever it held goes back on reset.
            parser.reset(config: config, inflaters: handle)
        }
        precondition(pool.handle.available == pool.handle.capacity, "inflater slots leaked")
        _ = sink.sum &+ h2Sink.sum
    }
}

/// Records what the L7 stage would write: an EVE record per transaction, and the request
/// that asked for an upgrade (HTTP/2 stream 1 after `h2c`).
struct HTTP1FuzzSink: HTTPSink, ~Copyable {
    var eve = JSONBuffer(fd: -1, capacity: 16384)
    var sum: UInt8 = 0
    var upgradeRequest = UpgradeRequest()

    /// The fields of the request a 101 answered.
    struct UpgradeRequest {
        var method = FixedBytes<24>(), uri = FixedBytes<384>(), host = FixedBytes<96>(), agent = FixedBytes<160>()
        func withBytes(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer,
                                UnsafeRawBufferPointer) -> Void) {
            method.withBytes { m in uri.withBytes { u in host.withBytes { h in agent.withBytes { a in body(m, u, h, a) } } } }
        }
    }

    mutating func httpTransaction(_ tx: borrowing HTTPTransaction) {
        eve.reserve(4096)
        eve.beginObject()
        HTTPEve.write(tx, into: &eve)
        eve.endObject()
        eve.endLine()
        // (Two tests, not `&&`: its autoclosure cannot capture a borrowed parameter.)
        let upgraded = tx.flags.contains(.upgrade)
        if tx.status == 101, upgraded {
            upgradeRequest.method = tx.method
            upgradeRequest.uri = tx.uri
            upgradeRequest.host = tx.host
            upgradeRequest.agent = tx.userAgent
        }
        sum &+= tx.normalizedURI.withBytes { touch($0) }
    }

    mutating func httpRequestHeaders(_ tx: borrowing HTTPTransaction) {
        sum &+= tx.uri.withBytes { touch($0) }
    }

    mutating func httpRequestTarget(_ uri: UnsafeRawBufferPointer, tx: borrowing HTTPTransaction) {
        sum &+= touch(uri)
    }

    mutating func httpBody(_ bytes: UnsafeRawBufferPointer, toServer: Bool, raw: Bool, tx: borrowing HTTPTransaction) {
        sum &+= touch(bytes)
    }

    mutating func httpHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, toServer: Bool,
                             tx: borrowing HTTPTransaction) {
        sum &+= touch(name) &+ touch(value)
    }
}
