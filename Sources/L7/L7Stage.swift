import Codecs
import Datastore
import DNS
import Engine
import HTTP
import HTTP2
import Flow
import L7Core
import Output
import Sensors
import Stream
import TLS

/// Limits of the L7 stage for one worker.
public struct L7Config: Sendable {
    /// TLS handshakes inspected at once (each holds two parsers of about 40 KB).
    public var tlsHandshakes = 1024
    /// DNS-over-TCP flows framed at once (each holds two 64 KB message buffers).
    public var dnsTCPFlows = 64
    /// HTTP/1 flows parsed at once (each parser about 18 KB).
    public var httpFlows = 1024
    /// HTTP/2 flows parsed at once (each parser about 31 KB).
    public var http2Flows = 256
    /// Datastore flows whose commands are extracted at once (each parser under 256 bytes).
    public var datastoreFlows = 4096
    /// zlib inflaters for compressed HTTP bodies, borrowed per body (about 57 KB each).
    public var inflaters = 64
    /// HTTP/1 parser limits.
    public var http = HTTPConfig()
    /// Name-to-address pairs remembered from DNS answers (about 160 bytes each).
    public var nameCache = 16384
    /// Write a record (event_type = the protocol) for every datastore command.
    public var datastoreEvents = true

    /// The defaults.
    public init() {}
}

/// The application layer as a worker's inspection stage: detects each flow's protocol from
/// its content, runs the protocol's parser on the reassembled streams (TCP) or payloads (UDP),
/// and writes Suricata-style `dns` and `tls` EVE records. Parsers come from fixed pools,
/// borrowed by a flow while it needs one; nothing is allocated per packet.
public struct L7Stage: InspectionStage, ~Copyable {
    @usableFromInline var flows: UnsafeMutablePointer<FlowEntry>?
    @usableFromInline var state: UnsafeMutablePointer<L7Flow>?
    @usableFromInline var capacity = 0
    /// TLS handshake parsers, a client and a server one per slot.
    @usableFromInline var tlsPool: SlotPool<TLSHandshakeParser>
    /// DNS-over-TCP message framing, one per direction per slot, over `dnsBuffers`.
    @usableFromInline var dnsPool: SlotPool<DNSTCPReassembly>
    @usableFromInline let dnsBuffers: UnsafeMutableRawPointer
    /// HTTP/1 parsers, one per slot.
    @usableFromInline var httpPool: SlotPool<HTTPParser>
    /// HTTP/2 parsers, one per slot.
    @usableFromInline var h2Pool: SlotPool<HTTP2Parser>
    /// Datastore command parsers, one per slot.
    @usableFromInline var dsPool: SlotPool<DatastoreParser>
    /// zlib state that HTTP parsers borrow per compressed body; outlives `httpPool`'s parsers.
    @usableFromInline let inflaters: InflaterPool
    @usableFromInline let httpConfig: HTTPConfig
    @usableFromInline let datastoreEvents: Bool
    /// The flow whose parser is calling back into the stage (parsers report to the stage as
    /// their sink, and the records they trigger belong to this flow).
    @usableFromInline var current: UInt32 = 0
    /// Names the DNS answers resolved, by address: what FQDN groups match against.
    public var names: NameCache
    /// EVE output for application records; nil writes none.
    public var eve: JSONBuffer?
    /// What the stage saw.
    public var counters = L7Counters()
    /// DLP and WAF sensors run on what the parsers decode; a runtime without sensors when
    /// none are loaded.
    public var sensors: SensorEngine
    /// With capture-on-alert on, alert records name the file the flow's packets go to.
    public var alertCapture: AlertCapturePath?

    /// A stage with `config`'s pools, writing EVE records to `eveFD` (-1 for none).
    public init(config: L7Config = L7Config(), eveFD: Int32 = -1, sensors: consuming SensorEngine = SensorEngine()) {
        self.sensors = sensors
        let dns = max(1, config.dnsTCPFlows)
        tlsPool = SlotPool(slots: config.tlsHandshakes, perSlot: 2) { _ in TLSHandshakeParser() }
        let buffers = UnsafeMutableRawPointer.allocate(byteCount: 2 * dns * 65536, alignment: 64)
        dnsBuffers = buffers
        dnsPool = SlotPool(slots: dns, perSlot: 2) { i in
            DNSTCPReassembly(storage: UnsafeMutableRawBufferPointer(start: buffers + i * 65536, count: 65536))
        }
        let zlib = InflaterPool(slots: config.inflaters)
        let handle = zlib.handle
        let http = config.http
        httpPool = SlotPool(slots: config.httpFlows) { _ in HTTPParser(config: http, inflaters: handle) }
        h2Pool = SlotPool(slots: config.http2Flows) { _ in HTTP2Parser() }
        dsPool = SlotPool(slots: config.datastoreFlows) { _ in DatastoreParser(app: .unknown) }
        inflaters = zlib
        httpConfig = http
        datastoreEvents = config.datastoreEvents
        names = NameCache(capacity: config.nameCache)
        eve = eveFD >= 0 ? JSONBuffer(fd: eveFD) : nil
    }

    deinit {
        state?.deallocate()
        tlsPool.deallocate(); dnsPool.deallocate()
        // Parsers first: they give their inflater slots back to `inflaters`.
        httpPool.deallocate(); h2Pool.deallocate(); dsPool.deallocate()
        dnsBuffers.deallocate()
    }

    public mutating func attach(flows: UnsafeMutablePointer<FlowEntry>, capacity: Int) {
        self.flows = flows
        self.capacity = capacity
        state = .allocate(capacity: capacity)
        for i in 0..<capacity { (state! + i).initialize(to: L7Flow()) }
        sensors.attach(capacity: capacity)
    }

    public mutating func finish() { eve?.flush() }

    // MARK: - Per-flow state

    /// The flow's L7 state, reset when the flow table gave its slot to a new flow.
    @inlinable
    mutating func slot(_ flow: UInt32) -> UnsafeMutablePointer<L7Flow> {
        let s = state! + Int(flow)
        let id = flows![Int(flow)].flowID
        if s.pointee.flowID != id {
            releaseParsers(s)
            s.pointee = L7Flow()
            s.pointee.flowID = id
        }
        return s
    }

    @inlinable
    mutating func decide(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32, _ app: AppProto) {
        s.pointee.app = app
        flows![Int(flow)].appProto = app.rawValue
        counters.flowsByApp.bump(Int(app.rawValue))
        let isTCP = flows![Int(flow)].proto == IPProto.tcp
        if app == .tls {
            guard let i = tlsPool.borrow() else { return }
            tlsPool.slot(i).pointee.reset()
            (tlsPool.slot(i) + 1).pointee.reset()
            s.pointee.tlsSlot = i
        } else if app == .dns && isTCP {
            guard let i = dnsPool.borrow() else { return }
            dnsPool.slot(i).pointee.reset()
            (dnsPool.slot(i) + 1).pointee.reset()
            s.pointee.dnsSlot = i
        } else if app == .http {
            guard let i = httpPool.borrow() else { return }
            httpPool.slot(i).pointee.reset(config: httpConfig, inflaters: inflaters.handle)
            s.pointee.httpSlot = i
        } else if app == .http2 {
            startHTTP2(s)
        } else if app.isDatastore && isTCP {
            guard let i = dsPool.borrow() else { return }
            dsPool.slot(i).pointee = DatastoreParser(app: app)
            s.pointee.dsSlot = i
        }
    }

    @inlinable
    mutating func releaseParsers(_ s: UnsafeMutablePointer<L7Flow>) {
        if s.pointee.tlsSlot >= 0 {
            tlsPool.giveBack(s.pointee.tlsSlot)
            s.pointee.tlsSlot = -1
        }
        if s.pointee.dnsSlot >= 0 {
            dnsPool.giveBack(s.pointee.dnsSlot)
            s.pointee.dnsSlot = -1
        }
        if s.pointee.httpSlot >= 0 {
            counters.parseErrors.add(httpPool.slot(s.pointee.httpSlot).pointee.counters)
            // Resetting the parser gives its inflaters back now.
            httpPool.slot(s.pointee.httpSlot).pointee.reset(config: httpConfig, inflaters: nil)
            httpPool.giveBack(s.pointee.httpSlot)
            s.pointee.httpSlot = -1
        }
        if s.pointee.h2Slot >= 0 {
            counters.parseErrors.add(h2Pool.slot(s.pointee.h2Slot).pointee.counters)
            h2Pool.giveBack(s.pointee.h2Slot)
            s.pointee.h2Slot = -1
        }
        if s.pointee.dsSlot >= 0 {
            counters.parseErrors.add(dsPool.slot(s.pointee.dsSlot).pointee.counters)
            dsPool.giveBack(s.pointee.dsSlot)
            s.pointee.dsSlot = -1
        }
    }

    // MARK: - InspectionStage

    public mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                                direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict {
        guard let flow else { return .pass }
        if sensors.isEnabled && sensors.isBlocked(flow: flow, flowID: flowID(flow)) {
            counters.sensorDrops &+= 1
            return .drop
        }
        guard p.ipProto == IPProto.udp, p.payloadLength > 0 else { return .pass }
        let start = Int(p.payloadOffset)
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + Int(p.payloadLength))])
        let s = slot(flow)
        if s.pointee.app == .unknown {
            switch AppDetector.probeDatagram(payload, toServer: direction == .toServer) {
            case .match(let app): decide(s, flow, app)
            case .noMatch, .needMore:
                if direction == .toServer { s.pointee.noMatchToServer = true } else { s.pointee.noMatchToClient = true }
                if s.pointee.noMatchToServer && s.pointee.noMatchToClient { decide(s, flow, .failed) }
            }
        }
        if s.pointee.app == .dns { dnsMessage(s, flow, payload) }
        if sensors.isEnabled {
            sensors.scanDatagram(flow: flow, flowID: flowID(flow), bytes: payload, toServer: direction == .toServer)
            reportAlerts(flow)
            if sensors.isBlocked(flow: flow, flowID: flowID(flow)) { counters.sensorDrops &+= 1; return .drop }
        }
        return .pass
    }

    public mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
        let s = slot(flow)
        // Raw-stream sensors see every byte, decoded or not; ciphertext is skipped, since no
        // pattern can match it.
        if sensors.isEnabled && s.pointee.app != .tls && s.pointee.app != .ssh {
            sensors.scanStream(flow: flow, flowID: flowID(flow), bytes: bytes, toServer: direction == .toServer)
            reportAlerts(flow)
        }
        if s.pointee.app == .unknown {
            detectStream(s, flow, direction, bytes)
            return
        }
        parse(s, flow, direction, bytes)
    }

    public mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {
        let s = slot(flow)
        if s.pointee.app == .unknown { decide(s, flow, .failed) }
        // HTTP and datastore parsers can skip a hole inside a body they know the length of;
        // the TLS and DNS parsers cannot find their place again: log what was learned.
        current = flow
        let toServer = direction == .toServer
        if s.pointee.httpSlot >= 0 {
            let p = httpPool.slot(s.pointee.httpSlot)
            p.pointee.gap(toServer: toServer, length: Int(length), sink: &self)
        }
        if s.pointee.h2Slot >= 0 { h2Pool.slot(s.pointee.h2Slot).pointee.gap(toServer: toServer, length: Int(length)) }
        if s.pointee.dsSlot >= 0 { dsPool.slot(s.pointee.dsSlot).pointee.gap(toServer: toServer, length: Int(length)) }
        if s.pointee.tlsSlot >= 0 {
            logTLS(s, flow)
            tlsPool.giveBack(s.pointee.tlsSlot)
            s.pointee.tlsSlot = -1
        }
        if s.pointee.dnsSlot >= 0 {
            dnsPool.giveBack(s.pointee.dnsSlot)
            s.pointee.dnsSlot = -1
        }
    }

    public mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason) {
        let s = slot(flow)
        if s.pointee.tlsSlot >= 0 { logTLS(s, flow) }
        current = flow
        // Requests without responses and streams still open are logged as the flow ends.
        if s.pointee.httpSlot >= 0 {
            let p = httpPool.slot(s.pointee.httpSlot)
            p.pointee.finish(sink: &self)
        }
        if s.pointee.h2Slot >= 0 {
            let p = h2Pool.slot(s.pointee.h2Slot)
            p.pointee.finish(sink: &self)
        }
        releaseParsers(s)
        s.pointee.flowID = 0
        if sensors.isEnabled {
            sensors.flowEnded(flow: flow, flowID: entry.pointee.flowID)
            reportAlerts(flow)
        }
    }

    // MARK: - Detection on streams

    @inlinable
    mutating func detectStream(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32, _ d: Direction,
                               _ bytes: UnsafeRawBufferPointer) {
        let prefixEmpty = d == .toServer ? s.pointee.prefixToServer.count == 0 : s.pointee.prefixToClient.count == 0
        var verdict: AppDetector.Verdict
        var usedPrefix = false
        var appended = 0
        if prefixEmpty && bytes.count >= 64 {
            verdict = AppDetector.probeStream(bytes, toServer: d == .toServer)
        } else {
            usedPrefix = true
            if d == .toServer {
                let before = s.pointee.prefixToServer.count
                s.pointee.prefixToServer.append(bytes)
                appended = s.pointee.prefixToServer.count - before
                verdict = s.pointee.prefixToServer.withBytes { AppDetector.probeStream($0, toServer: true) }
            } else {
                let before = s.pointee.prefixToClient.count
                s.pointee.prefixToClient.append(bytes)
                appended = s.pointee.prefixToClient.count - before
                verdict = s.pointee.prefixToClient.withBytes { AppDetector.probeStream($0, toServer: false) }
            }
        }
        if d == .toServer { s.pointee.seenToServer += bytes.count } else { s.pointee.seenToClient += bytes.count }
        switch verdict {
        case .match(let app):
            decide(s, flow, app)
            // Replay what detection held back, then the rest of this chunk.
            let other = d.reversed
            if usedPrefix {
                Self.withPrefix(s, d) { parse(s, flow, d, $0) }
                if appended < bytes.count { parse(s, flow, d, UnsafeRawBufferPointer(rebasing: bytes[appended...])) }
            } else {
                parse(s, flow, d, bytes)
            }
            Self.withPrefix(s, other) { if $0.count > 0 { parse(s, flow, other, $0) } }
        case .noMatch:
            if d == .toServer { s.pointee.noMatchToServer = true } else { s.pointee.noMatchToClient = true }
            if s.pointee.noMatchToServer && s.pointee.noMatchToClient { decide(s, flow, .failed) }
        case .needMore:
            break
        }
        if s.pointee.app == .unknown
            && (s.pointee.seenToServer > AppDetector.limit || s.pointee.seenToClient > AppDetector.limit) {
            decide(s, flow, .failed)
        }
    }

    @inlinable
    static func withPrefix(_ s: UnsafeMutablePointer<L7Flow>, _ d: Direction, _ body: (UnsafeRawBufferPointer) -> Void) {
        if d == .toServer { s.pointee.prefixToServer.withBytes(body) } else { s.pointee.prefixToClient.withBytes(body) }
    }

    // MARK: - Parsing

    @inlinable
    mutating func parse(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32, _ d: Direction, _ bytes: UnsafeRawBufferPointer) {
        switch s.pointee.app {
        case .tls:
            guard s.pointee.tlsSlot >= 0 else { return }
            let pair = tlsPool.slot(s.pointee.tlsSlot)
            (d == .toServer ? pair : pair + 1).pointee.feed(bytes)
            if d == .toServer && s.pointee.namedHost.count == 0 && pair.pointee.info.clientHelloSeen {
                let sni = UnsafeMutablePointer(mutating: pair).pointer(to: \.info.sni)!
                FixedBytes.withBytes(at: sni) { s.pointee.namedHost.set($0) }
            }
            // Read through the pointer: a parser is tens of kilobytes and must not be copied.
            let server = pair + 1
            if server.pointee.encrypted || server.pointee.failed
                || (pair.pointee.failed && server.pointee.info.serverHelloSeen) {
                logTLS(s, flow)
                releaseParsers(s)
            }
        case .http:
            parseHTTP(s, flow, d, bytes)
        case .http2:
            guard s.pointee.h2Slot >= 0 else { return }
            current = flow
            let p = h2Pool.slot(s.pointee.h2Slot)
            p.pointee.feed(bytes, toServer: d == .toServer, sink: &self)
        case .dns:
            guard s.pointee.dnsSlot >= 0 else { return }
            let framing = dnsPool.slot(s.pointee.dnsSlot) + (d == .toServer ? 0 : 1)
            framing.pointee.feed(bytes) { (message: UnsafeRawBufferPointer) throws(Never) in
                dnsMessage(s, flow, message)
            }
        default:
            guard s.pointee.dsSlot >= 0 else { return }
            current = flow
            let p = dsPool.slot(s.pointee.dsSlot)
            p.pointee.feed(bytes, toServer: d == .toServer, sink: &self)
        }
    }

    @inlinable
    mutating func dnsMessage(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32, _ bytes: UnsafeRawBufferPointer) {
        guard let m = try? DNSMessage(parsing: bytes) else { counters.dnsMalformed &+= 1; return }
        let tx = s.pointee.dnsTx
        s.pointee.dnsTx &+= 1
        if m.header.qr && m.header.rcode == 0 { learnNames(m, now: flows![Int(flow)].lastSeen) }
        // Counted whether or not EVE is written, like the HTTP and TLS records.
        guard eve != nil else { counters.dnsEvents &+= UInt64(DNSEve.eventCount(m)); return }
        let e = UnsafePointer(flows! + Int(flow))
        if m.header.qr {
            dnsEvent(e) { DNSEve.writeAnswer(m, into: &$0) }
            return
        }
        // One walk over the questions: `DNSEve.write(index:)` starts from the first question
        // each time, quadratic in a request that claims thousands of them.
        var questions = m.questions
        while let q = questions.next() {
            dnsEvent(e) { DNSEve.writeQuery(m, question: q, txID: tx, into: &$0) }
        }
    }

    /// Writes one `dns` EVE record around what `body` writes.
    @inlinable
    mutating func dnsEvent(_ e: UnsafePointer<FlowEntry>, _ body: (inout JSONBuffer) -> Void) {
        eve!.reserve(16384)
        FlowRecord.header(e, timestamp: e.pointee.lastSeen, eventType: "dns", into: &eve!)
        body(&eve!)
        eve!.endObject()
        eve!.endLine()
        counters.dnsEvents &+= 1
    }

    /// Remembers the addresses an answer gave for the name the client asked (the question) and
    /// for each record's own name (the end of a CNAME chain).
    @inlinable
    mutating func learnNames(_ m: DNSMessage, now: UInt64) {
        guard let q = m.firstQuestion else { return }
        var asked = FixedBytes<256>()
        guard (try? DNSName.decode(m.bytes, at: q.nameOffset, into: &asked)) != nil else { return }
        var owner = FixedBytes<256>()
        var answers = m.answers
        while let r = answers.next() {
            let address: IPAddress
            if r.type == 1 && r.rdataLength == 4 {
                address = IPAddress(v4At: m.bytes.baseAddress!, r.rdataOffset)
            } else if r.type == 28 && r.rdataLength == 16 {
                address = IPAddress(v6At: m.bytes.baseAddress!, r.rdataOffset)
            } else {
                continue
            }
            asked.withBytes { names.insert(address: address, name: $0, ttl: r.ttl, now: now) }
            if (try? DNSName.decode(m.bytes, at: r.nameOffset, into: &owner)) != nil {
                owner.withBytes { names.insert(address: address, name: $0, ttl: r.ttl, now: now) }
            }
        }
    }

    @inlinable
    mutating func logTLS(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32) {
        guard !s.pointee.tlsLogged, s.pointee.tlsSlot >= 0 else { return }
        let pair = tlsPool.slot(s.pointee.tlsSlot)
        guard pair.pointee.info.clientHelloSeen || (pair + 1).pointee.info.serverHelloSeen else { return }
        s.pointee.tlsLogged = true
        counters.tlsEvents &+= 1
        guard eve != nil else { return }
        let e = UnsafePointer(flows! + Int(flow))
        eve!.reserve(16384)
        FlowRecord.header(e, timestamp: e.pointee.lastSeen, eventType: "tls", into: &eve!)
        TLSEve.write(client: pair, server: pair + 1, into: &eve!)
        eve!.endObject()
        eve!.endLine()
    }
}

extension L7Stage {
    /// Lines for the replay summary: flows by application protocol and records written.
    public func summaryLines() -> String {
        var apps: [String] = []
        for app in AppProto.allCases where counters.flowsByApp[Int(app.rawValue)] > 0 {
            apps.append("\(app.name) \(counters.flowsByApp[Int(app.rawValue)])")
        }
        var out = "  applications " + (apps.isEmpty ? "none detected" : apps.joined(separator: "  ")) + "\n"
        out += "  app records  http \(counters.httpTransactions)  dns \(counters.dnsEvents)  tls \(counters.tlsEvents)"
        if counters.http2Streams > 0 { out += "  (http2 streams \(counters.http2Streams))" }
        var commands: [String] = []
        for app in AppProto.allCases where counters.commandsByApp[Int(app.rawValue)] > 0 {
            commands.append("\(app.name) \(counters.commandsByApp[Int(app.rawValue)])")
        }
        if !commands.isEmpty { out += "\n  commands     " + commands.joined(separator: "  ") }
        if counters.dnsMalformed > 0 { out += "  (dns malformed \(counters.dnsMalformed))" }
        let exhausted = tlsPool.exhausted + dnsPool.exhausted + httpPool.exhausted + h2Pool.exhausted + dsPool.exhausted
        if exhausted > 0 {
            out += "\n  parser pools exhausted: tls \(tlsPool.exhausted) dns \(dnsPool.exhausted) http \(httpPool.exhausted)"
                + " http2 \(h2Pool.exhausted) datastore \(dsPool.exhausted)"
        }
        return out + "\n" + parseErrorLine()
    }
}
