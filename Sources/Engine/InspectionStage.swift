import Codecs
import Flow
import Stream

/// What the engine does with a packet.
public enum Verdict: UInt8, Sendable {
    /// Forward it (inline) or let it be (tap).
    case pass = 0
    /// Drop it.
    case drop
}

/// The stages after flow tracking (L7 parsing, detection, policy) as one generic parameter of
/// the worker. Calls are specialised per concrete stage: no existential, no dynamic dispatch.
public protocol InspectionStage: StreamSink, ~Copyable {
    /// Every packet, after decoding and flow tracking. `bytes` is the buffer `p`'s offsets refer
    /// to: the captured frame, or the datagram the defragmenter rebuilt. `flow` is nil for
    /// packets that belong to no flow: malformed frames, non-IP frames and fragments still
    /// waiting for the rest.
    mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                         direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict
    /// A flow is about to be removed; its streams were flushed just before.
    mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason)
    /// The worker's flow entries, indexed by the `flow` numbers later calls pass; valid for the
    /// worker's life. Stages that keep per-flow state size it from `capacity`.
    mutating func attach(flows: UnsafeMutablePointer<FlowEntry>, capacity: Int)
    /// The worker is stopping: write out anything buffered.
    mutating func finish()
    /// Whether the worker writes the ending flow's `flow` record (called after `flowEnded`):
    /// a stage that rate-limits its own records of a flood says no for the flows it already
    /// counted in an aggregate, so a flood's flows cost no record each.
    func wantsFlowRecord(flow: UInt32, entry: UnsafePointer<FlowEntry>) -> Bool
    /// An IP fragment as it arrived, before the defragmenter's result is acted on:
    /// `overlapped` when it overlapped bytes already held for its datagram. `now` is the
    /// worker's clock.
    mutating func fragment(_ p: borrowing DecodedPacket, overlapped: Bool, now: UInt64)
}

extension InspectionStage where Self: ~Copyable {
    /// Stages without per-flow state need not know the table.
    public mutating func attach(flows: UnsafeMutablePointer<FlowEntry>, capacity: Int) {}
    /// Stages with nothing buffered have nothing to do.
    public mutating func finish() {}
    /// Stages without threat checks ignore fragments until they are whole.
    @inlinable public mutating func fragment(_ p: borrowing DecodedPacket, overlapped: Bool, now: UInt64) {}
    /// Every flow gets its record.
    @inlinable public func wantsFlowRecord(flow: UInt32, entry: UnsafePointer<FlowEntry>) -> Bool { true }
}

/// The stage used until L7 and policy exist: passes everything and counts what it was given,
/// so replays report how many packets reached the policy as malformed.
public struct CountingStage: InspectionStage {
    /// Packets handed over, by `DecodedPacket.Kind`.
    public var packetsByKind = ReasonCounts()
    /// Stream bytes delivered, per direction.
    public var streamBytes: (toServer: UInt64, toClient: UInt64) = (0, 0)
    /// Gaps reported and their total length.
    public var gaps: UInt64 = 0
    public var gapBytes: UInt64 = 0

    /// Counts nothing yet.
    public init() {}

    @inlinable public mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                                           direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict {
        packetsByKind.bump(Int(p.kind.rawValue))
        return .pass
    }

    @inlinable public mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason) {}

    @inlinable public mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
        if direction == .toServer { streamBytes.toServer &+= UInt64(bytes.count) } else { streamBytes.toClient &+= UInt64(bytes.count) }
    }

    @inlinable public mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {
        gaps &+= 1
        gapBytes &+= UInt64(length)
    }
}
