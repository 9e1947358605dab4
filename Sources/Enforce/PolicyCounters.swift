/// What the policy stage decided, per worker.
public struct PolicyCounters: Sendable {
    /// Verdicts (a flow counts again when a new policy changes its verdict).
    /// Flows a rule or the default allowed.
    public var allowed: UInt64 = 0
    /// Flows discover mode learned.
    public var learned: UInt64 = 0
    /// Flows monitor mode let through but reported.
    public var violations: UInt64 = 0
    /// Flows protect mode blocked.
    public var denied: UInt64 = 0
    /// Flows decided without their app because detection took longer than the byte budget.
    public var decidedWithoutApp: UInt64 = 0
    /// Flows the policy does not govern: neighbour discovery and traffic to multicast or
    /// broadcast addresses (link plumbing, not workload traffic).
    public var exempt: UInt64 = 0
    /// Packets dropped because their flow was denied.
    public var droppedPackets: UInt64 = 0
    /// Policies put in force after the first (`PolicyStage.apply`).
    public var policiesApplied: UInt64 = 0
    /// TCP resets the stage asked for (one toward each end of a denied TCP flow; in replay
    /// they are recorded, inline they are sent).
    public var resets: UInt64 = 0

    /// All zero.
    /// Flows on an interface whose workload the policy does not define (or seen before any
    /// policy was loaded): they got the policy's `unknown` action.
    public var unknownWorkload: UInt64 = 0

    public init() {}
}
