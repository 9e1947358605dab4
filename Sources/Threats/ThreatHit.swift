import Codecs

/// One detection waiting for the stage to act on it: who, what, and whether it gets an
/// alert record (the first of its flow, or of its key in the window).
public struct ThreatHit: Sendable {
    /// What was detected.
    public var id: ThreatID
    /// The packet's or flow's endpoints (for a flow: client and server).
    public var src: IPAddress
    public var dst: IPAddress
    public var srcPort: UInt16
    public var dstPort: UInt16
    public var proto: UInt8
    /// The flow slot, `ThreatHit.noFlow` for packets without a flow.
    public var flow: UInt32
    /// The flow's id (0 without a flow).
    public var flowID: UInt64
    /// Packet time of the detection.
    public var timestamp: UInt64
    /// Whether an alert record is due.
    public var report: Bool
    /// Whether blocking it means blocking its flow (else only the packet is dropped).
    public var blocksFlow: Bool
    /// Whether the packet went to the server.
    public var toServer: Bool
    /// What was measured (a rate, a length, a version) and the threshold it crossed.
    public var value: UInt64
    public var threshold: UInt64

    /// No flow.
    public static let noFlow = UInt32.max

    /// A hit with every field given.
    @inlinable
    public init(id: ThreatID, src: IPAddress, dst: IPAddress, srcPort: UInt16, dstPort: UInt16, proto: UInt8, flow: UInt32,
                flowID: UInt64, timestamp: UInt64, report: Bool, blocksFlow: Bool, toServer: Bool, value: UInt64,
                threshold: UInt64) {
        self.id = id; self.src = src; self.dst = dst; self.srcPort = srcPort; self.dstPort = dstPort; self.proto = proto
        self.flow = flow; self.flowID = flowID; self.timestamp = timestamp; self.report = report
        self.blocksFlow = blocksFlow; self.toServer = toServer; self.value = value; self.threshold = threshold
    }
}

/// Per-flow state of the threat stage, reset when the flow slot holds a new flow.
@usableFromInline
struct ThreatFlow {
    @usableFromInline var flowID: UInt64 = 0
    /// Threats already reported on this flow.
    @usableFromInline var fired: ThreatMask = 0
    /// Threats that block this flow (set by the stage's verdict); its packets are dropped.
    @usableFromInline var blocked = false
    /// The flow counts toward its client's open sessions.
    @usableFromInline var sessionCounted = false
    /// The client sent payload.
    @usableFromInline var clientData = false
    /// An HTTP request's headers are being received since `headersSince`.
    @usableFromInline var headersPending = false
    @usableFromInline var slowCounted = false
    /// HTTP request headers seen so far in this request: Content-Length, Transfer-Encoding.
    @usableFromInline var contentLengthSeen = false
    @usableFromInline var transferEncodingSeen = false
    /// The client's SYN window scale (0xff: not seen, so windows cannot be judged).
    @usableFromInline var clientScale: UInt8 = 0xff
    @usableFromInline var contentLength: UInt64 = 0
    @usableFromInline var headersSince: UInt64 = 0
    @usableFromInline var tlsClient = TLSRecordWatch()
    @usableFromInline var tlsServer = TLSRecordWatch()
    @usableFromInline init() {}
}
