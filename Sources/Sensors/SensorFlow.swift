/// One direction's scanning state on a flow.
@usableFromInline
struct SensorDirection {
    /// Raw-stream scanner lent to this direction, -1 when none.
    @usableFromInline var rawSlot: Int32 = -1
    /// Raw bytes this direction sent (scanned or not).
    @usableFromInline var rawSeen: UInt64 = 0
    /// The direction reached the stream depth, or could not get a scanner.
    @usableFromInline var rawDone = false
    /// Body scanner lent to the current body, -1 when none.
    @usableFromInline var bodySlot: Int32 = -1
    /// The transaction (HTTP/1 index, HTTP/2 stream id) whose body `bodySlot` scans.
    @usableFromInline var bodyUnit: UInt64 = .max
    /// Bytes of the current body seen.
    @usableFromInline var bodySeen: UInt64 = 0
    /// The current body reached the depth, or could not get a scanner.
    @usableFromInline var bodyDone = false
    /// Percent-decoding state of a form body.
    @usableFromInline var form = FormDecoder()
    @inlinable init() {}
}

/// Patterns of a multi-pattern rule seen so far in one streamed unit.
@usableFromInline
struct PendingRule {
    @usableFromInline var rule: UInt32 = .max
    @usableFromInline var unit: UInt64 = 0
    @usableFromInline var mask: UInt8 = 0
    @usableFromInline var family: UInt8 = 0
    @inlinable init() {}
}

/// A rule that already fired on a unit of the flow, so it is reported once per unit.
@usableFromInline
struct FiredRule {
    @usableFromInline var rule: UInt32 = .max
    @usableFromInline var unit: UInt64 = 0
    @inlinable init() {}
}

/// What the sensors keep per flow.
@usableFromInline
struct SensorFlow {
    @usableFromInline var flowID: UInt64 = 0
    /// Sensors that apply to the flow (bit = sensor index in the set).
    @usableFromInline var mask: UInt64 = 0
    /// A `block` rule fired: the flow's packets are dropped from now on.
    @usableFromInline var blocked = false
    /// The policy's workload indexes of the flow's server and client (-1: not a workload);
    /// with the engine's ``SensorBindings`` they say what a fired rule does on this flow.
    @usableFromInline var serverWorkload: Int32 = -1
    @usableFromInline var clientWorkload: Int32 = -1
    @usableFromInline var toServer = SensorDirection()
    @usableFromInline var toClient = SensorDirection()
    @usableFromInline var pending = InlineArray<4, PendingRule>(repeating: PendingRule())
    @usableFromInline var pendingNext: UInt8 = 0
    @usableFromInline var fired = InlineArray<8, FiredRule>(repeating: FiredRule())
    @usableFromInline var firedNext: UInt8 = 0
    @inlinable init() {}
}

/// One alert the engine found, for the caller to write out (the caller knows the flow's
/// records; the engine knows rules and bytes).
public struct FiredAlert: Sendable {
    /// The flow (slot in the worker's flow table) it fired on.
    public var flow: UInt32 = 0
    /// Rule number in the set (``SensorSet/rules``).
    public var rule: Int32 = 0
    /// Where it matched.
    public var context: SensorContext = .packet
    /// The direction of the matched bytes.
    public var toServer = true
    /// Start offset of the match in its unit (URL, header line, body, stream), or nil when
    /// Hyperscan did not track it.
    public var matchStart: UInt64? = nil
    /// End offset of the match in its unit.
    public var matchEnd: UInt64 = 0
    /// Offset of the excerpt's first byte in the unit.
    public var excerptOffset: UInt64 = 0
    /// The matched bytes with some context, as scanned (after normalization).
    public var excerpt = ExcerptBytes()
    /// The rule blocks the flow.
    public var blocks = false
    /// The rule would have blocked the flow, were its workload in protect mode (monitor or
    /// discover mode: it is reported as `allowed` with `would_block`).
    public var wouldBlock = false
    /// This alert is the one that blocked the flow (its resets are sent now).
    public var firstBlock = false
    /// An empty alert.
    @inlinable public init() {}
}

/// Up to 128 bytes of an excerpt, inline.
public struct ExcerptBytes: Sendable {
    @usableFromInline var storage = InlineArray<128, UInt8>(repeating: 0)
    @usableFromInline var held = 0
    /// Bytes held.
    @inlinable public var count: Int { held }
    /// Empty.
    @inlinable public init() {}

    /// Replaces the contents with `bytes` (cut to 128).
    @inlinable public mutating func set(_ bytes: UnsafeRawBufferPointer) {
        held = min(bytes.count, 128)
        for i in 0..<held { storage[i] = bytes[i] }
    }

    /// Calls `body` with the bytes.
    @inlinable public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<held])) }
    }
}
