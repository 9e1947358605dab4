import Codecs
import Flow
import Threats

/// The threat stage's own readers of untrusted bytes: the DNS name walk (pointers, labels,
/// records), the TLS record walk (record headers across chunks, heartbeats, ClientHello
/// cipher lists), HTTP request headers (Content-Length digits), SSH versions and MySQL
/// errors, on one flow; then the pending hits are read and cleared as a stage would.
///
/// Input: records of a control byte and a length-prefixed chunk. Bit 0 picks the direction
/// (0: client to server); bits 1-3 what the chunk is: 0 a DNS message, 1 TLS stream bytes,
/// 2 an HTTP request header line `name: value`, 3 the end of the request's headers, 4 an SSH
/// protocol version, 5 a MySQL error detail, 6 a stream gap.
enum ThreatsFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var config = ThreatConfig()
        config.dnsTunnelPerMinute = 1
        var engine = ThreatEngine(config: config)
        engine.attach(capacity: 1)
        let entry = UnsafeMutablePointer<FlowEntry>.allocate(capacity: 1)
        defer { entry.deallocate() }
        entry.initialize(to: FlowEntry())
        entry.pointee.flowID = 1
        entry.pointee.proto = IPProto.tcp
        var now: UInt64 = 1_000_000_000
        while !input.isAtEnd {
            let control = input.byte()
            guard let chunk = input.record() else { break }
            let toServer = control & 1 == 0
            now &+= 100_000_000
            entry.pointee.lastSeen = now
            switch control >> 1 & 7 {
            case 0: engine.dnsMessage(chunk, flow: 0, entry: entry, toServer: toServer, now: now)
            case 1: engine.tlsStream(chunk, flow: 0, entry: entry, toServer: toServer, now: now)
            case 2:
                let colon = chunk.firstIndex(of: UInt8(ascii: ":")) ?? chunk.count
                let name = UnsafeRawBufferPointer(rebasing: chunk[0..<colon])
                let value = UnsafeRawBufferPointer(rebasing: chunk[min(colon + 1, chunk.count)...])
                engine.httpRequestStarted(flow: 0, entry: entry, now: now)
                engine.httpRequestHeader(name: name, value: value, flow: 0, entry: entry, now: now)
            case 3: engine.httpRequestHeadersDone(flow: 0, entry: entry, now: now)
            case 4: engine.sshVersion(chunk, server: !toServer, flow: 0, entry: entry, now: now)
            case 5: engine.mysqlError(chunk, flow: 0, entry: entry, now: now)
            default: engine.streamGap(flow: 0, entry: entry, toServer: toServer)
            }
            var ids: UInt64 = 0
            for i in 0..<engine.pendingCount { ids &+= UInt64(engine.hit(i).id.rawValue) }
            engine.clearPending()
            _ = ids
        }
        engine.flowEnded(flow: 0, entry: entry, now: now)
        engine.clearPending()
    }
}
