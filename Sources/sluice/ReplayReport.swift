import Codecs
import Engine
import Enforce
import Foundation
import L7
import L7Core
import Sensors

/// `sluice replay --json`: the summary as one JSON object, the same numbers as the text
/// summary, for scripts and CI (keys are snake_case; counts are integers).
struct ReplayReport: Encodable {
    struct Decoded: Encodable {
        var ipv4, ipv6, tcp, udp, icmp, otherIP, nonIP, vlan, fragments: UInt64
    }
    struct Flows: Encodable {
        var created, tcp, udp, icmp, other: UInt64
        var peakActive: Int
        var timedOut, evicted, reused, endOfInput: UInt64
    }
    struct TCPStreams: Encodable {
        var segments, outOfOrder, retransmissions, overlaps, gaps, gapBytes: UInt64
    }
    struct Talker: Encodable {
        var address: String
        var bytes, flows: UInt64
    }
    struct AppRecords: Encodable {
        var http, dns, tls, http2Streams: UInt64
    }
    struct SensorSummary: Encodable {
        var sets: [String]
        var rules: Int
        var alerts, blockedFlows, scans, bytesScanned, matches, validationRejected: UInt64
        var depthExceeded, scannersExhausted, matchesDropped, scanErrors: UInt64
    }
    struct PolicySummary: Encodable {
        var allowed, violations, denied, learned, exempt, droppedPackets, resets: UInt64
    }
    struct Difference: Encodable {
        var proto: UInt8
        var client: String
        var clientPort: UInt16?
        var server: String
        var serverPort: UInt16?
        var new, old: String
    }
    struct Against: Encodable {
        var policy: String
        /// Flows decided differently, those not listed included.
        var count: UInt64
        /// The first ones found.
        var flows: [Difference]
    }

    var source: String
    var packets: Int
    var bytes: UInt64
    var captureSpanSeconds: Double
    var processedSeconds: Double
    var decoded: Decoded
    var flows: Flows
    var tcpStreams: TCPStreams
    var topTalkers: [Talker]
    /// `malformed/REASON`, `defrag/...`, `stream/...`: only those that happened.
    var anomalies: [String: UInt64]
    /// Flows by application protocol.
    var applications: [String: UInt64]
    var appRecords: AppRecords
    var commands: [String: UInt64]
    /// Absent when no sensors were loaded.
    var sensors: SensorSummary?
    /// Absent without `--policy`.
    var policy: PolicySummary?
    /// Absent without `--against`.
    var against: Against?
    /// CPU seconds each worker thread used, worker 0 first (without `--policy`).
    var workerCPUSeconds: [Double]?

    init(_ s: EngineStats, source: String, packets: Int, wallSeconds: Double, l7: borrowing L7Stage) {
        self.source = source
        self.packets = packets
        bytes = s.decode.bytes
        captureSpanSeconds = s.lastPacket >= s.firstPacket ? Double(s.lastPacket - s.firstPacket) / 1e9 : 0
        processedSeconds = wallSeconds
        let d = s.decode
        decoded = Decoded(ipv4: d.ipv4, ipv6: d.ipv6, tcp: d.tcp, udp: d.udp, icmp: d.icmp, otherIP: d.otherIP,
                          nonIP: d.nonIP, vlan: d.vlanTagged, fragments: d.fragments)
        let f = s.flows
        flows = Flows(created: f.created, tcp: f.tcp, udp: f.udp, icmp: f.icmp, other: f.other, peakActive: f.peakActive,
                      timedOut: f.timedOut, evicted: f.evicted, reused: f.reused, endOfInput: f.shutdown)
        let st = s.stream
        tcpStreams = TCPStreams(segments: st.segments, outOfOrder: st.outOfOrder, retransmissions: st.retransmissions,
                                overlaps: st.overlaps, gaps: st.gaps, gapBytes: st.gapBytes)
        topTalkers = s.topTalkers.map { Talker(address: $0.address.description, bytes: $0.bytes, flows: $0.flows) }
        anomalies = Dictionary(Summary.anomalies(s), uniquingKeysWith: +)
        let c = l7.counters
        var apps: [String: UInt64] = [:]
        var commands: [String: UInt64] = [:]
        for app in AppProto.allCases {
            if c.flowsByApp[Int(app.rawValue)] > 0 { apps["\(app.name)"] = c.flowsByApp[Int(app.rawValue)] }
            if c.commandsByApp[Int(app.rawValue)] > 0 { commands["\(app.name)"] = c.commandsByApp[Int(app.rawValue)] }
        }
        applications = apps
        self.commands = commands
        appRecords = AppRecords(http: c.httpTransactions, dns: c.dnsEvents, tls: c.tlsEvents, http2Streams: c.http2Streams)
        if let set = l7.sensors.set {
            let n = l7.sensors.counters
            sensors = SensorSummary(sets: set.sensors.map(\.name), rules: set.rules.count, alerts: n.alerts,
                                    blockedFlows: n.blockedFlows, scans: n.scans, bytesScanned: n.bytesScanned,
                                    matches: n.matches, validationRejected: n.validationRejected,
                                    depthExceeded: n.depthExceeded, scannersExhausted: n.scannersExhausted,
                                    matchesDropped: n.matchesDropped, scanErrors: n.scanErrors)
        }
    }

    /// Adds the policy stage's verdicts and, with `--against`, the flows decided differently.
    mutating func add(_ c: PolicyCounters, differences d: borrowing PolicyDifferences, against: String?) {
        policy = PolicySummary(allowed: c.allowed, violations: c.violations, denied: c.denied, learned: c.learned,
                               exempt: c.exempt, droppedPackets: c.droppedPackets, resets: c.resets)
        guard let against else { return }
        let all = d.all
        let (count, overflow) = UInt64(all.count).addingReportingOverflow(d.overflow)
        self.against = Against(policy: against, count: overflow ? .max : count, flows: all.prefix(100).map { e in
            let ports = e.proto == 6 || e.proto == 17
            return Difference(proto: e.proto, client: e.client.description, clientPort: ports ? e.clientPort : nil,
                              server: e.server.description, serverPort: ports ? e.serverPort : nil,
                              new: "\(e.new)", old: "\(e.old)")
        })
    }

    /// The report as one line of JSON (keys sorted, so runs compare line by line).
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every field is a number, string or container of them: encoding cannot fail.
        guard let data = try? encoder.encode(self) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
