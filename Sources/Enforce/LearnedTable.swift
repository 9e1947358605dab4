import Codecs
import Flow
import L7Core

/// Distinct connection shapes in a fixed open-addressed table: what discover mode learned, kept
/// without allocating on the packet path. A shape that finds the table full is counted in
/// `overflow`, never an unbounded allocation.
public struct LearnedTable: ~Copyable {
    @usableFromInline let table: UnsafeMutablePointer<LearnedFlow?>
    @usableFromInline let mask: Int
    @usableFromInline var stored = 0
    @usableFromInline var overflowed: UInt64 = 0
    /// Distinct shapes recorded.
    public var count: Int { stored }
    /// Shapes that found the table full (not learned).
    public var overflow: UInt64 { overflowed }

    /// A table of up to `capacity` shapes (rounded up to a power of two, at least 64).
    public init(capacity: Int) {
        var n = 64
        while n < capacity && n < 1 << 24 { n <<= 1 }
        mask = n - 1
        table = .allocate(capacity: n)
        table.initialize(repeating: nil, count: n)
    }

    deinit { table.deallocate() }

    /// Records `shape` once.
    @inlinable
    public mutating func insert(_ shape: LearnedFlow) {
        var i = shape.hashValue & mask
        for _ in 0...mask {
            if table[i] == nil { table[i] = shape; stored += 1; return }
            if table[i] == shape { return }
            i = (i + 1) & mask
        }
        overflowed &+= 1
    }

    /// Calls `body` with each shape, in no particular order.
    public func forEach(_ body: (LearnedFlow) -> Void) {
        for i in 0...mask { if let s = table[i] { body(s) } }
    }

    /// The shapes, in no particular order (allocates; for the CLI and the API).
    public var all: [LearnedFlow] { (0...mask).compactMap { table[$0] } }
}

extension LearnedFlow {
    /// The shape of flow `e` speaking `app`: ICMP and other portless protocols without a port.
    @inlinable
    public init(_ e: FlowEntry, app: AppProto) {
        let portless = e.proto != IPProto.tcp && e.proto != IPProto.udp
        self.init(client: e.client, server: e.server, proto: e.proto, port: portless ? 0 : e.serverPort, app: app)
    }
}
