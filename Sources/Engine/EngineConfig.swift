import Defrag
import Flow
import Stream

/// Everything one worker needs to know to build its pipeline.
public struct EngineConfig: Sendable {
    /// Flow table size and timeouts.
    public var flow = FlowConfig()
    /// TCP reassembly limits.
    public var stream = StreamConfig()
    /// IP fragment reassembly limits.
    public var defrag = DefragConfig()
    /// Whether TCP payloads are reassembled into streams (off: flows are still tracked).
    public var reassemble = true
    /// How often idle flows are looked for, in nanoseconds of packet time.
    public var expiryIntervalNanos: UInt64 = 1_000_000_000
    /// Up to how many distinct addresses the summary's top-talker table follows.
    public var talkerCapacity = 4096

    /// The defaults.
    public init() {}
}
