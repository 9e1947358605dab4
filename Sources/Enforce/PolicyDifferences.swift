import Codecs
import Flow
import Policy

/// Flows two policies decide differently (`sluice replay --policy NEW --against OLD`), kept
/// in a table allocated once; flows past its capacity are counted, not kept.
public struct PolicyDifferences: ~Copyable {
    /// One flow and its effect under each policy.
    public struct Entry: Sendable {
        /// The flow's opener and answerer, protocol and server port.
        public var client: IPAddress, server: IPAddress, proto: UInt8, clientPort: UInt16, serverPort: UInt16
        /// The effect under the new policy and under the old one.
        public var new: Decision.Effect, old: Decision.Effect
    }

    @usableFromInline let entries: UnsafeMutablePointer<Entry>
    @usableFromInline let capacity: Int
    /// Entries kept.
    public private(set) var count = 0
    /// Differences past the capacity.
    public private(set) var overflow: UInt64 = 0

    /// A table of `capacity` entries.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        entries = .allocate(capacity: self.capacity)
    }

    deinit { entries.deallocate() }

    /// Keeps one difference.
    @usableFromInline
    mutating func add(_ e: FlowEntry, new: Decision.Effect, old: Decision.Effect) {
        guard count < capacity else { overflow &+= 1; return }
        (entries + count).initialize(to: Entry(client: e.client, server: e.server, proto: e.proto, clientPort: e.clientPort,
                                               serverPort: e.serverPort, new: new, old: old))
        count += 1
    }

    /// The differences kept (allocates; for reports).
    public var all: [Entry] { (0..<count).map { entries[$0] } }
}
