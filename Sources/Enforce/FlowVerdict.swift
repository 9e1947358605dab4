/// The policy's verdict cached on a flow, so each flow is classified once (and again only
/// while its app is still unknown).
@usableFromInline
struct FlowVerdict {
    /// The flow this verdict belongs to; another id means the table reused the slot.
    @usableFromInline var flowID: UInt64 = 0
    /// Whether the verdict below is final (false while the flow waits for its app).
    @usableFromInline var decided = false
    /// `Decision.Effect` raw value.
    @usableFromInline var effect: UInt8 = 0
    /// The policy generation the verdict was made under; a newer policy re-decides the flow.
    @usableFromInline var generation: UInt32 = 0
    /// The effect under the policy being compared against (`--against`), when there is one.
    @usableFromInline var againstEffect: UInt8 = 0
    /// The sensor runtime generation the flow's sensor mask was set under.
    @usableFromInline var sensorsBound: UInt32 = .max
    /// Whether the record limiter suppressed this flow's policy record (its flow record is
    /// then left out too: the aggregate counts the flow).
    @usableFromInline var recordSuppressed = false
    /// Discover mode decided the flow and its shape waits to be learned (once its app is
    /// known, or at its end).
    @usableFromInline var learnPending = false
    /// The flow's shape was learned.
    @usableFromInline var learnRecorded = false
    @inlinable init() {}
}
