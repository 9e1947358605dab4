import Codecs
import L7Core

/// What the L7 stage saw, per worker.
public struct L7Counters: Sendable {
    /// Flows by detected protocol (indexed by `AppProto.rawValue`).
    public var flowsByApp = ReasonCounts()
    /// EVE records written, by kind.
    public var dnsEvents: UInt64 = 0
    public var tlsEvents: UInt64 = 0
    public var sshEvents: UInt64 = 0
    /// HTTP transactions completed (HTTP/1 transactions and HTTP/2 streams), each one `http` record.
    public var httpTransactions: UInt64 = 0
    /// HTTP/2 streams among them.
    public var http2Streams: UInt64 = 0
    /// HTTP/1 flows that switched to HTTP/2 with `Upgrade: h2c`.
    public var h2cUpgrades: UInt64 = 0
    /// Flows whose first packet or data was a response, so their endpoints were swapped.
    public var flowsReversed: UInt64 = 0
    /// Body bytes handed on for inspection (after de-chunking and decompression).
    public var httpBodyBytes: UInt64 = 0
    /// Datastore client commands, by protocol (indexed by `AppProto.rawValue`).
    public var commandsByApp = ReasonCounts()
    /// Datastore replies that reported an error.
    public var datastoreErrors: UInt64 = 0
    /// DNS payloads on DNS flows that did not parse.
    public var dnsMalformed: UInt64 = 0
    /// Packets dropped because a sensor `block` rule fired on their flow.
    public var sensorDrops: UInt64 = 0
    /// TCP resets a sensor block sends (two per blocked TCP flow: one toward each end).
    public var sensorResets: UInt64 = 0
    /// What the HTTP, HTTP/2 and datastore parsers distrusted or gave up on, by
    /// `L7ParseError.rawValue`, added when each flow's parser is released.
    public var parseErrors = ReasonCounts()

    /// All zero.
    public init() {}
}
