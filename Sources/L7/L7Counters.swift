import Codecs
import L7Core

/// What the L7 stage saw, per worker.
public struct L7Counters: Sendable {
    /// Flows by detected protocol (indexed by `AppProto.rawValue`).
    public var flowsByApp = ReasonCounts()
    /// EVE records written, by kind.
    public var dnsEvents: UInt64 = 0
    public var tlsEvents: UInt64 = 0
    /// DNS payloads on DNS flows that did not parse.
    public var dnsMalformed: UInt64 = 0

    /// All zero.
    public init() {}
}
