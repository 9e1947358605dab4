import HTTP
import L7Core
import SluiceTestSupport
import XCTest

/// A transaction as the sink saw it, with its bodies, as plain values to compare.
struct TxRecord: Equatable {
    var index: UInt64
    var method, uri, normalizedURI, requestProtocol, host, userAgent, referer: String
    var requestContentType, responseContentType, responseProtocol: String
    var status: UInt16
    var responseBodyLength, requestBodyLength: UInt64
    var flags: UInt32
    var hasRequest: Bool
    var requestBody: [UInt8] = []
    var responseBody: [UInt8] = []
    var responseRaw = true
    var uriTruncated = false

    func has(_ f: HTTPFlags) -> Bool { HTTPFlags(rawValue: flags).contains(f) }
    var responseText: String { String(decoding: responseBody, as: UTF8.self) }
    var requestText: String { String(decoding: requestBody, as: UTF8.self) }
}

/// A sink that records everything.
struct Recorder: HTTPSink {
    var txs: [TxRecord] = []
    var requestHeaderEvents: [String] = []
    var headers: [String] = []
    var pending: [UInt64: (req: [UInt8], res: [UInt8], raw: Bool)] = [:]

    mutating func httpTransaction(_ tx: borrowing HTTPTransaction) {
        var r = TxRecord(index: tx.index, method: tx.method.string, uri: tx.uri.string, normalizedURI: tx.normalizedURI.string,
                         requestProtocol: tx.requestProtocol.string, host: tx.host.string, userAgent: tx.userAgent.string,
                         referer: tx.referer.string, requestContentType: tx.requestContentType.string,
                         responseContentType: tx.responseContentType.string, responseProtocol: tx.responseProtocol.string,
                         status: tx.status, responseBodyLength: tx.responseBodyLength,
                         requestBodyLength: tx.requestBodyLength, flags: tx.flags.rawValue, hasRequest: tx.hasRequest)
        r.uriTruncated = tx.uri.truncated
        if let b = pending.removeValue(forKey: tx.index) {
            r.requestBody = b.req
            r.responseBody = b.res
            r.responseRaw = b.raw
        }
        txs.append(r)
    }

    mutating func httpRequestHeaders(_ tx: borrowing HTTPTransaction) {
        requestHeaderEvents.append("\(tx.index) \(tx.method.string) \(tx.uri.string)")
    }

    mutating func httpBody(_ bytes: UnsafeRawBufferPointer, toServer: Bool, raw: Bool, tx: borrowing HTTPTransaction) {
        var b = pending[tx.index] ?? ([], [], true)
        if toServer { b.req += bytes } else { b.res += bytes; if !raw { b.raw = false } }
        pending[tx.index] = b
    }

    mutating func httpHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, toServer: Bool,
                             tx: borrowing HTTPTransaction) {
        headers.append((toServer ? ">" : "<") + String(decoding: name, as: UTF8.self) + ": " + String(decoding: value, as: UTF8.self))
    }
}

/// Everything a run produced.
struct RunResult: Equatable {
    var txs: [TxRecord]
    var requestHeaderEvents: [String]
    var headers: [String]
    var upgrade: HTTPUpgrade
    var consumed: [Int]
    var longLines, overflows, badChunks, cut, inflateErrors, malformedRequests, malformedResponses, gapsSkipped, lost: UInt64

    func tx(_ i: Int) -> TxRecord { txs[i] }
}

/// One piece of a conversation: which way, what bytes (or a gap of that many bytes).
struct Segment {
    var toServer: Bool
    var bytes: [UInt8]
    var gap = 0
    static func c(_ s: String) -> Segment { Segment(toServer: true, bytes: Array(s.utf8)) }
    static func s(_ s: String) -> Segment { Segment(toServer: false, bytes: Array(s.utf8)) }
    static func c(_ b: [UInt8]) -> Segment { Segment(toServer: true, bytes: b) }
    static func s(_ b: [UInt8]) -> Segment { Segment(toServer: false, bytes: b) }
    static func gap(toServer: Bool, _ n: Int) -> Segment { Segment(toServer: toServer, bytes: [], gap: n) }
    /// The first `n`/`d` of the segment.
    func prefix(fraction n: Int, of d: Int) -> Segment {
        Segment(toServer: toServer, bytes: Array(bytes.prefix(bytes.count * n / d)), gap: gap * n / d)
    }
}

enum Harness {
    /// Runs the segments through a fresh parser, each segment cut into pieces by `cuts`
    /// (segment index and bytes → piece lengths), then finishes the flow.
    /// With `reuse`, the parser is first dirtied with other flows (`dirtyFlows`, and the
    /// previous corpus run here), each left unfinished and followed by `reset`, so the run
    /// shows what a parser reused from the L7 stage's pool gives.
    static func run(_ segments: [Segment], config: HTTPConfig = HTTPConfig(), reuse: Bool = false,
                    cuts: (Int, Int) -> [Int] = { _, n in [n] }) -> RunResult {
        let pool = InflaterPool(slots: 6)
        var rec = Recorder()
        var consumed: [Int] = []
        var result: RunResult
        do {
            var p = HTTPParser(config: config, inflaters: pool.handle)
            if reuse {
                for flow in dirtyFlows() + [previous.map { $0.prefix(fraction: 2, of: 3) }] {
                    var junk = Recorder()
                    for seg in flow {
                        if seg.gap > 0 { p.gap(toServer: seg.toServer, length: seg.gap, sink: &junk); continue }
                        seg.bytes.withUnsafeBytes { _ = p.feed($0, toServer: seg.toServer, sink: &junk) }
                    }
                    // Inflaters still borrowed by the unfinished flow go back on reset.
                    p.reset(config: config, inflaters: pool.handle)
                    XCTAssertEqual(pool.handle.available, pool.handle.capacity, "reset kept inflater slots")
                }
            } else {
                previous = segments
            }
            for (k, seg) in segments.enumerated() {
                if seg.gap > 0 { p.gap(toServer: seg.toServer, length: seg.gap, sink: &rec); continue }
                var at = 0
                var used = 0
                for len in cuts(k, seg.bytes.count) where len > 0 {
                    let end = min(at + len, seg.bytes.count)
                    used += seg.bytes[at..<end].withUnsafeBytes { p.feed($0, toServer: seg.toServer, sink: &rec) }
                    at = end
                }
                if at < seg.bytes.count {
                    used += seg.bytes[at...].withUnsafeBytes { p.feed($0, toServer: seg.toServer, sink: &rec) }
                }
                consumed.append(used)
            }
            p.finish(sink: &rec)
            let c = p.counters
            result = RunResult(txs: rec.txs, requestHeaderEvents: rec.requestHeaderEvents, headers: rec.headers,
                               upgrade: p.upgraded, consumed: consumed, longLines: c.longLines, overflows: c.pipelineOverflows,
                               badChunks: c.badChunks, cut: c.decompressionCut, inflateErrors: c.inflateErrors,
                               malformedRequests: c.malformedRequests, malformedResponses: c.malformedResponses,
                               gapsSkipped: c.gapsSkipped, lost: c.directionsLost)
        }
        // Every inflater went back to the pool once the parser was gone.
        XCTAssertEqual(pool.handle.available, pool.handle.capacity, "inflater slots leaked")
        return result
    }

    /// The corpus of the latest fresh run, used to dirty a reused parser.
    nonisolated(unsafe) static var previous: [Segment] = []

    /// Flows that leave a parser in the middle of things: compressed bodies holding inflaters
    /// (two layers), pipelined requests waiting, a chunked request mid-chunk, a line cut for
    /// length mid-line, an overflowing pipeline, an h2c upgrade, a gap that loses a direction.
    static func dirtyFlows() -> [[Segment]] {
        var text: [UInt8] = []
        var x: UInt32 = 7
        for _ in 0..<4000 { x = x &* 1_103_515_245 &+ 12345; text.append(UInt8(ascii: "a") + UInt8((x >> 16) % 26)) }
        let gz = HTTPParserTests.compress(text, windowBits: 31)
        let twice = HTTPParserTests.compress(gz, windowBits: 15)
        let pipelined = (0..<12).map { "GET /p\($0) HTTP/1.1\r\nHost: h\r\n\r\n" }.joined()
        return [
            [.c("GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
                 + "FFF\r\n"),
             .c(Array(gz.prefix(200))),
             .s(Array("HTTP/1.1 200 OK\r\nContent-Encoding: gzip, deflate\r\nContent-Length: \(twice.count)\r\n\r\n".utf8)
                + twice.prefix(twice.count / 2))],
            [.c(pipelined), .s("HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "v", count: 3000))],
            [.c("GET /up HTTP/1.1\r\nHost: u\r\nUpgrade: h2c\r\n\r\n"), .s("HTTP/1.1 101 Switching\r\nUpgrade: h2c\r\n\r\nPRI")],
            [.c("GET /g HTTP/1.1\r\nHost: g\r\n"), .gap(toServer: true, 10), .s("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc")],
        ]
    }

    /// Runs `segments` whole, then split at every byte, at every single cut point (segments up
    /// to `everyCutLimit` bytes) and at random points; asserts every run gives the same result
    /// and returns it.
    @discardableResult
    static func check(_ segments: [Segment], config: HTTPConfig = HTTPConfig(), everyCutLimit: Int = 3000,
                      randomRuns: Int = 20, file: StaticString = #filePath, line: UInt = #line) -> RunResult {
        let whole = run(segments, config: config)
        XCTAssertEqual(run(segments, config: config, reuse: true), whole, "reused parser differs", file: file, line: line)
        let bytewise = run(segments, config: config) { _, n in Array(repeating: 1, count: n) }
        XCTAssertEqual(bytewise, whole, "byte-at-a-time differs", file: file, line: line)
        for (k, seg) in segments.enumerated() where seg.bytes.count <= everyCutLimit && seg.bytes.count > 1 {
            for cut in 1..<seg.bytes.count {
                let r = run(segments, config: config) { i, n in i == k ? [cut, n - cut] : [n] }
                if r != whole {
                    XCTFail("split of segment \(k) at \(cut) differs", file: file, line: line)
                    break
                }
            }
        }
        var rng = SplitMix(state: 0x5EED)
        for _ in 0..<randomRuns {
            let r = run(segments, config: config) { _, n in
                var out: [Int] = []
                var left = n
                while left > 0 { let l = Int.random(in: 1...max(1, min(left, 97)), using: &rng); out.append(l); left -= l }
                return out
            }
            if r != whole { XCTFail("random split differs", file: file, line: line); break }
        }
        return whole
    }
}
