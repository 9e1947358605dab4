import Codecs
import Engine
import Flow
import L7
import L7Core
import Stream

/// One distinct connection shape discover mode saw: who talked to whom, on which
/// protocol/port, speaking which application.
public struct LearnedFlow: Sendable, Hashable {
    /// The side that opened the flow.
    public var client: IPAddress
    /// The side that answered.
    public var server: IPAddress
    /// IP protocol.
    public var proto: UInt8
    /// Server port (0 for portless protocols).
    public var port: UInt16
    /// The detected application (`unknown`/`failed` when there was none).
    public var app: AppProto

    /// A shape from its parts.
    @inlinable
    public init(client: IPAddress, server: IPAddress, proto: UInt8, port: UInt16, app: AppProto) {
        self.client = client; self.server = server; self.proto = proto; self.port = port; self.app = app
    }
}

/// Discover mode's learner: the L7 stage, and at each flow's end its shape (client, server,
/// protocol, port, app) recorded once in a fixed table, so `sluice policy learn` can write a
/// policy allowing exactly what was seen. Link plumbing (neighbour discovery, multicast,
/// broadcast) is not learned, as the policy stage does not govern it.
public struct LearningStage: InspectionStage, ~Copyable {
    /// The application layer.
    public var l7: L7Stage
    /// The shapes seen.
    public var table: LearnedTable
    /// Per flow-table slot: the id of the flow if it was seen as link plumbing.
    @usableFromInline var plumbing: UnsafeMutablePointer<UInt64>?
    /// Distinct shapes recorded.
    public var count: Int { table.count }
    /// Shapes that found the table full (not learned).
    public var overflow: UInt64 { table.overflow }

    /// A learner over `l7` keeping up to `capacity` shapes (rounded up to a power of two).
    public init(l7: consuming L7Stage, capacity: Int = 65536) {
        self.l7 = l7
        table = LearnedTable(capacity: capacity)
    }

    deinit { plumbing?.deallocate() }

    /// The shapes seen, in no particular order (allocates; for the CLI).
    public var learned: [LearnedFlow] { table.all }

    public mutating func attach(flows: UnsafeMutablePointer<FlowEntry>, capacity: Int) {
        l7.attach(flows: flows, capacity: capacity)
        plumbing = .allocate(capacity: capacity)
        plumbing!.initialize(repeating: 0, count: capacity)
    }

    public mutating func finish() { l7.finish() }

    public mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                                direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict {
        if let flow, let entry, PolicyStage.isLinkPlumbing(server: entry.pointee.server, proto: p.ipProto, icmpType: p.icmpType) {
            plumbing![Int(flow)] = entry.pointee.flowID
        }
        return l7.packet(p, bytes: bytes, flow: flow, direction: direction, entry: entry)
    }

    public mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
        l7.streamData(flow: flow, direction: direction, bytes: bytes)
    }

    public mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {
        l7.streamGap(flow: flow, direction: direction, length: length)
    }

    public mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason) {
        let e = entry.pointee
        let app = l7.app(of: flow)
        l7.flowEnded(flow: flow, entry: entry, reason: reason)
        if plumbing![Int(flow)] == e.flowID { return }
        table.insert(LearnedFlow(e, app: app))
    }
}
