// Parser throughput per protocol: each parser alone, fed the reassembled streams of a recorded
// capture of real clients (Tests/Captures/real/l7-*.pcap) in the chunks TCP delivered them,
// one fresh parser per recorded connection, repeated until about 64 MB went through.
import CAllocCounter
import Codecs
import Datastore
import DNS
import Engine
import Flow
import HTTP
import HTTP2
import L7Core
import PacketIO
import Stream
import TLS

/// A recorded connection: its stream chunks in delivery order (setup only, allocates freely).
struct RecordedFlow {
    var chunks: [(toServer: Bool, bytes: [UInt8])] = []
    var bytes: Int { chunks.reduce(0) { $0 + $1.bytes.count } }
}

/// Collects every TCP connection's stream chunks and every UDP payload of a capture.
struct StreamCollector: InspectionStage {
    var open: [UInt32: RecordedFlow] = [:]
    var flows: [RecordedFlow] = []
    var datagrams: [[UInt8]] = []

    mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                         direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict {
        if p.ipProto == IPProto.udp, p.payloadLength > 0 {
            let start = Int(p.payloadOffset)
            datagrams.append(Array(bytes[start..<(start + Int(p.payloadLength))]))
        }
        return .pass
    }
    mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
        open[flow, default: RecordedFlow()].chunks.append((direction == .toServer, Array(bytes)))
    }
    mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {}
    mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason) {
        if let f = open.removeValue(forKey: flow), !f.chunks.isEmpty { flows.append(f) }
    }
}

/// Counts what parsers report, so none of their work is optimised away.
struct CountingSink: HTTPSink, HTTP2Sink, DatastoreSink {
    var events: UInt64 = 0
    var bodyBytes: UInt64 = 0
    mutating func httpTransaction(_ tx: borrowing HTTPTransaction) { events &+= 1 }
    mutating func httpRequestHeaders(_ tx: borrowing HTTPTransaction) {}
    mutating func httpBody(_ bytes: UnsafeRawBufferPointer, toServer: Bool, raw: Bool, tx: borrowing HTTPTransaction) {
        bodyBytes &+= UInt64(bytes.count)
    }
    mutating func http2Stream(_ s: borrowing HTTP2StreamInfo) { events &+= 1 }
    mutating func http2RequestHeaders(_ s: borrowing HTTP2StreamInfo) {}
    mutating func http2Data(_ bytes: UnsafeRawBufferPointer, toServer: Bool, stream: borrowing HTTP2StreamInfo) {
        bodyBytes &+= UInt64(bytes.count)
    }
    mutating func datastoreCommand(_ app: AppProto, command: UnsafeRawBufferPointer, detail: UnsafeRawBufferPointer) {
        events &+= 1
    }
}

/// The flows and datagrams of `path`, through the real pipeline.
func record(_ path: String) throws -> StreamCollector {
    var source = try PcapFile(path: path)
    var worker = Worker(config: EngineConfig(), stage: StreamCollector(), eveFD: -1)
    _ = try Replay.run(&source, through: &worker)
    worker.shutdown()
    return worker.stage
}

/// Feeds every flow to a fresh parser made by `run` until `target` bytes went through; prints
/// throughput per core and allocations per chunk (a chunk is what one TCP segment delivered).
func measure(_ name: String, flows: [RecordedFlow], target: Int = 64 << 20,
             _ run: (RecordedFlow, inout CountingSink) -> Void) {
    guard !flows.isEmpty else { print("parser \(name): no flows in the capture"); return }
    let perRound = flows.reduce(0) { $0 + $1.bytes }
    let chunksPerRound = flows.reduce(0) { $0 + $1.chunks.count }
    let rounds = max(1, target / max(perRound, 1))
    var sink = CountingSink()
    for f in flows { run(f, &sink) }  // warm-up: first use of a path may allocate runtime metadata
    let allocs0 = sluice_alloc_count()
    let t0 = now()
    for _ in 0..<rounds { for f in flows { run(f, &sink) } }
    let seconds = now() - t0
    let allocs = sluice_alloc_count() - allocs0
    let bytes = Double(perRound * rounds), chunks = Double(chunksPerRound * rounds)
    print("parser \(name): flows_per_round=\(flows.count) rounds=\(rounds) bytes=\(Int(bytes)) seconds=\(fixed(seconds, 3))"
          + " gbps=\(fixed(bytes * 8 / seconds / 1e9, 2)) mchunks_per_s=\(fixed(chunks / seconds / 1e6, 2))"
          + " events=\(sink.events) allocs=\(allocs) allocs_per_chunk=\(fixed(Double(allocs) / chunks, 6))")
}

/// Runs every parser on its capture under `dir` (Tests/Captures/real).
func runParserBench(_ dir: String) throws {
    let http1 = try record(dir + "/l7-http1.pcap")
    let pool = InflaterPool(slots: 16)
    let handle = pool.handle
    // One parser reset per connection, as the L7 stage's pool does.
    var parser = HTTPParser(config: HTTPConfig(), inflaters: handle)
    measure("http1", flows: http1.flows) { f, sink in
        parser.reset(config: HTTPConfig(), inflaters: handle)
        for c in f.chunks { c.bytes.withUnsafeBytes { _ = parser.feed($0, toServer: c.toServer, sink: &sink) } }
        parser.finish(sink: &sink)
    }
    // HTTP/2 prior-knowledge connections (the h2c upgrade one starts as HTTP/1).
    for (name, file) in [("http2", "l7-http2.pcap"), ("grpc", "l7-grpc.pcap")] {
        let flows = try record(dir + "/" + file).flows.filter {
            // The client's first chunk is the preface (a gRPC server may speak first).
            $0.chunks.first { $0.toServer }?.bytes.starts(with: Array("PRI ".utf8)) == true
        }
        let parser = UnsafeMutablePointer<HTTP2Parser>.allocate(capacity: 1)
        parser.initialize(to: HTTP2Parser())
        measure(name, flows: flows) { f, sink in
            parser.pointee = HTTP2Parser()
            for c in f.chunks { c.bytes.withUnsafeBytes { parser.pointee.feed($0, toServer: c.toServer, sink: &sink) } }
            parser.pointee.finish(sink: &sink)
        }
        parser.deallocate()
    }
    for (app, file) in [(AppProto.redis, "l7-redis.pcap"), (.pgsql, "l7-pgsql.pcap"), (.memcached, "l7-memcached.pcap"),
                        (.mqtt, "l7-mqtt.pcap")] {
        measure("\(app.name)", flows: try record(dir + "/" + file).flows) { f, sink in
            var p = DatastoreParser(app: app)
            for c in f.chunks { c.bytes.withUnsafeBytes { p.feed($0, toServer: c.toServer, sink: &sink) } }
        }
    }
    let dnsTLS = try record(dir + "/l7-dns-tls.pcap")
    let tlsFlows = dnsTLS.flows.filter { $0.chunks.first?.bytes.first == 0x16 }
    let tls = UnsafeMutablePointer<TLSHandshakeParser>.allocate(capacity: 2)
    tls.initialize(to: TLSHandshakeParser())
    (tls + 1).initialize(to: TLSHandshakeParser())
    measure("tls", flows: tlsFlows) { f, sink in
        tls.pointee.reset(); (tls + 1).pointee.reset()
        for c in f.chunks { c.bytes.withUnsafeBytes { (c.toServer ? tls : tls + 1).pointee.feed($0) } }
        if tls.pointee.info.clientHelloSeen { sink.events &+= 1 }
    }
    tls.deallocate()
    // DNS: each UDP payload is one message; a "flow" here is one datagram.
    let dns = dnsTLS.datagrams.filter { $0.count >= 12 }.map { RecordedFlow(chunks: [(true, $0)]) }
    measure("dns", flows: dns) { f, sink in
        f.chunks[0].bytes.withUnsafeBytes { b in
            if let m = try? DNSMessage(parsing: b) { sink.events &+= UInt64(m.header.answerCount) }
        }
    }
}
