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
import Threats
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
    /// SSH handshakes read at once, up to NEWKEYS (each parser about 35 KB).
    public var sshFlows = 128
    /// zlib inflaters for compressed HTTP bodies, borrowed per body (about 57 KB each).
    public var inflaters = 64
    /// HTTP/1 parser limits.
    public var http = HTTPConfig()
    /// Name-to-address pairs remembered from DNS answers (about 160 bytes each).
    public var nameCache = 16384
    /// Write a record (event_type = the protocol) for every datastore command.
    public var datastoreEvents = true
    /// Threat detection thresholds and actions (`threats:`).
    public var threats = ThreatConfig()
    /// Workers sharing the traffic: each compares its counts against this share of the
    /// node-wide rate thresholds.
    public var workers = 1
    /// Unrecognised UDP datagrams a flow may carry before detection gives up (`failed`), once
    /// both directions sent one: a stray datagram before the first DNS query is no reason to
    /// stop looking. 0 gives up at the first unrecognised datagram each way.
    public var detectionDatagrams = 3

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
    /// Every protocol's parser pool; a flow holds one parser at a time (`L7Flow.parser`).
    @usableFromInline let parsers: ParserPools
    /// zlib state that HTTP parsers borrow per compressed body; outlives the HTTP parsers.
    @usableFromInline let inflaters: InflaterPool
    @usableFromInline let datastoreEvents: Bool
    @usableFromInline let detectionDatagrams: Int
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
    /// Network threat detection (floods, handshake anomalies, protocol attacks).
    public var threats: ThreatEngine
    /// The latest packet time the threat stage saw (packets without a flow carry none).
    @usableFromInline var threatClock: UInt64 = 0

    /// A stage with `config`'s pools, writing EVE records to `eveFD` (-1 for none).
    public init(config: L7Config = L7Config(), eveFD: Int32 = -1, sensors: consuming SensorEngine = SensorEngine()) {
        self.sensors = sensors
        threats = ThreatEngine(config: config.threats, workers: config.workers)
        let zlib = InflaterPool(slots: config.inflaters)
        parsers = ParserPools(config: config, inflaters: zlib.handle)
        inflaters = zlib
        datastoreEvents = config.datastoreEvents
        detectionDatagrams = min(max(config.detectionDatagrams, 0), 255)
        names = NameCache(capacity: config.nameCache)
        eve = eveFD >= 0 ? JSONBuffer(fd: eveFD) : nil
    }

    deinit {
        state?.deallocate()
        // Parsers first: HTTP parsers give their inflater slots back to `inflaters`.
        parsers.deallocate()
    }

    public mutating func attach(flows: UnsafeMutablePointer<FlowEntry>, capacity: Int) {
        self.flows = flows
        self.capacity = capacity
        state = .allocate(capacity: capacity)
        for i in 0..<capacity { (state! + i).initialize(to: L7Flow()) }
        sensors.attach(capacity: capacity)
        threats.attach(capacity: capacity)
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
        guard let kind = ParserKind(app: app, tcp: flows![Int(flow)].proto == IPProto.tcp),
              let parser = borrowParser(kind, for: app) else { return }
        s.pointee.parser = parser
    }

    // MARK: - InspectionStage

    public mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                                direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict {
        if threats.isEnabled {
            if threatPacket(p, flow: flow, direction: direction, entry: entry) {
                threats.counters.drops &+= 1
                return .drop
            }
            if threats.pendingCount > 0 && settleThreats() { return .drop }
        }
        guard let flow else { return .pass }
        if sensors.isEnabled && sensors.isBlocked(flow: flow, flowID: flowID(flow)) {
            counters.sensorDrops &+= 1
            return .drop
        }
        guard p.ipProto == IPProto.udp, p.payloadLength > 0 else { return .pass }
        let start = Int(p.payloadOffset)
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + Int(p.payloadLength))])
        let s = slot(flow)
        var direction = direction
        if s.pointee.app == .unknown {
            switch AppDetector.probeDatagram(payload, toServer: direction == .toServer) {
            case .match(let app):
                if direction == .toServer && flows![Int(flow)].pktsToClient == 0
                    && AppDetector.sentByServer(app, payload, tcp: false) {
                    // The first datagram was an answer: its sender is the server.
                    flows![Int(flow)].swapEndpoints()
                    flows![Int(flow)].swapStreams()
                    s.pointee.swapDirections()
                    direction = .toClient
                    counters.flowsReversed &+= 1
                }
                decide(s, flow, app)
            case .noMatch, .needMore:
                if direction == .toServer { s.pointee.noMatchToServer = true } else { s.pointee.noMatchToClient = true }
                if s.pointee.unmatchedDatagrams < UInt8.max { s.pointee.unmatchedDatagrams += 1 }
                if s.pointee.noMatchToServer && s.pointee.noMatchToClient
                    && Int(s.pointee.unmatchedDatagrams) > detectionDatagrams {
                    decide(s, flow, .failed)
                }
            }
        }
        if s.pointee.app == .dns {
            dnsMessage(s, flow, payload)
            if threats.pendingCount > 0 && settleThreats() { return .drop }
        } else if threats.isEnabled, case let (sp, dp) = (p.srcPort, p.dstPort), sp == 53 || dp == 53 {
            // A message crafted to break resolvers (pointer loops, oversized labels) fails
            // detection as DNS; on the DNS port the threat checks still walk it.
            threats.dnsMessage(payload, flow: flow, entry: flows! + Int(flow), toServer: payload.count > 2 && payload[2] & 0x80 == 0,
                               now: flows![Int(flow)].lastSeen)
            if threats.pendingCount > 0 && settleThreats() { return .drop }
        }
        if sensors.isEnabled {
            sensors.scanDatagram(flow: flow, flowID: flowID(flow), bytes: payload, toServer: direction == .toServer)
            reportAlerts(flow)
            if sensors.isBlocked(flow: flow, flowID: flowID(flow)) { counters.sensorDrops &+= 1; return .drop }
        }
        return .pass
    }

    public mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
        let s = slot(flow)
        // The endpoints were swapped during this packet; the reassembler still names the old sides.
        let direction = flows![Int(flow)].streamSwapPending ? direction.reversed : direction
        if threats.isEnabled && (s.pointee.app == .unknown || s.pointee.app == .tls) {
            threats.tlsStream(bytes, flow: flow, entry: flows! + Int(flow), toServer: direction == .toServer,
                              now: flows![Int(flow)].lastSeen)
        }
        defer { if threats.pendingCount > 0 { _ = settleThreats() } }
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
        let direction = flows![Int(flow)].streamSwapPending ? direction.reversed : direction
        if threats.isEnabled { threats.streamGap(flow: flow, entry: flows! + Int(flow), toServer: direction == .toServer) }
        if s.pointee.app == .unknown { decide(s, flow, .failed) }
        // HTTP and datastore parsers can skip a hole inside a body they know the length of,
        // and HTTP and DNS find the next message after one they cannot step over; the TLS
        // parser cannot find its place again: it logs what was learned and is done.
        gapParsers(s, flow, direction, length)
    }

    public mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason) {
        let s = slot(flow)
        // A datagram flow still within its detection allowance ends `failed`, as it would
        // have after one unrecognised datagram each way.
        if s.pointee.app == .unknown && s.pointee.noMatchToServer && s.pointee.noMatchToClient { decide(s, flow, .failed) }
        // Handshakes, requests without responses and streams still open are logged as the flow ends.
        finishParsers(s, flow)
        releaseParsers(s)
        s.pointee.flowID = 0
        if threats.isEnabled {
            threats.flowEnded(flow: flow, entry: entry, now: max(threatClock, entry.pointee.lastSeen))
            if threats.pendingCount > 0 { _ = settleThreats() }
        }
        if sensors.isEnabled {
            sensors.flowEnded(flow: flow, flowID: entry.pointee.flowID)
            reportAlerts(flow)
        }
    }

    // MARK: - Detection on streams

    @inlinable
    mutating func detectStream(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32, _ d: Direction,
                               _ bytes: UnsafeRawBufferPointer) {
        var d = d
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
            if d == .toServer && s.pointee.seenToClient == 0 && reverseMidstream(flow, app, usedPrefix ? nil : bytes, s) {
                s.pointee.swapDirections()
                d = .toClient
            }
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
            // MQTT keep-alives alone (a PINGREQ, its PINGRESP) are recognised as a pair.
            let pair = s.pointee.prefixToServer.withBytes { ts in
                s.pointee.prefixToClient.withBytes { DatastoreProbes.mqttPingPair(toServer: ts, toClient: $0) }
            }
            if pair {
                decide(s, flow, .mqtt)
                Self.withPrefix(s, .toServer) { parse(s, flow, .toServer, $0) }
                Self.withPrefix(s, .toClient) { parse(s, flow, .toClient, $0) }
            }
        }
        if s.pointee.app == .unknown
            && (s.pointee.seenToServer > AppDetector.limit || s.pointee.seenToClient > AppDetector.limit) {
            decide(s, flow, .failed)
        }
    }

    /// Whether a TCP flow picked up midstream (no SYN seen either way) whose first data, which
    /// made it `app`, came from the server: then its endpoints are swapped now and its streams
    /// once the reassembler is done with this packet (`FlowEntry.streamSwapPending`).
    @inlinable
    mutating func reverseMidstream(_ flow: UInt32, _ app: AppProto, _ bytes: UnsafeRawBufferPointer?,
                                   _ s: UnsafeMutablePointer<L7Flow>) -> Bool {
        let e = flows! + Int(flow)
        guard (e.pointee.tcpFlagsToServer | e.pointee.tcpFlagsToClient) & TCPFlag.syn == 0 else { return false }
        let sent = bytes.map { AppDetector.sentByServer(app, $0, tcp: true) }
            ?? s.pointee.prefixToServer.withBytes { AppDetector.sentByServer(app, $0, tcp: true) }
        guard sent else { return false }
        e.pointee.swapEndpoints()
        e.pointee.streamSwapPending = true
        counters.flowsReversed &+= 1
        return true
    }

    @inlinable
    static func withPrefix(_ s: UnsafeMutablePointer<L7Flow>, _ d: Direction, _ body: (UnsafeRawBufferPointer) -> Void) {
        if d == .toServer { s.pointee.prefixToServer.withBytes(body) } else { s.pointee.prefixToClient.withBytes(body) }
    }

    // MARK: - DNS

    @inlinable
    mutating func dnsMessage(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32, _ bytes: UnsafeRawBufferPointer) {
        if threats.isEnabled {
            threats.dnsMessage(bytes, flow: flow, entry: flows! + Int(flow), toServer: bytes.count > 2 && bytes[2] & 0x80 == 0,
                               now: flows![Int(flow)].lastSeen)
        }
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
        if ParserKind.allCases.contains(where: { parsers.exhausted($0) > 0 }) {
            out += "\n  parser pools exhausted:"
            for kind in ParserKind.allCases { out += " \(kind.name) \(parsers.exhausted(kind))" }
        }
        return out + "\n" + parseErrorLine()
    }
}
