import CHyperscan

/// A fixed set of streams opened up front and reused, so that giving a new flow a stream
/// costs no allocation: `hs_open_stream` mallocs, `hs_reset_stream` does not.
///
/// One pool per worker and database (not thread-safe). Its capacity is the per-worker bound
/// on stream state: `capacity * database.streamSize` bytes. When it is empty, ``acquire()``
/// returns nil and the caller counts the flow as uninspected rather than allocating.
public final class HyperscanStreamPool {
    /// The database every pooled stream belongs to.
    public let database: HyperscanDatabase
    /// How many streams the pool opened.
    public let capacity: Int
    /// Streams not handed out; capacity is reserved so `release` never grows the array.
    private var free: [OpaquePointer]
    /// Every stream the pool opened, so `deinit` can close those still handed out too.
    private let all: [OpaquePointer]

    /// Opens `capacity` streams on `database` now.
    public init(database: HyperscanDatabase, capacity: Int) throws {
        guard database.mode == .stream else { throw HyperscanError.modeMismatch(expected: .stream) }
        var opened: [OpaquePointer] = []
        opened.reserveCapacity(capacity)
        for _ in 0..<capacity {
            var stream: OpaquePointer?
            let code = hs_open_stream(database.raw, 0, &stream)
            if code != HS_SUCCESS {
                for s in opened { _ = hs_close_stream(s, nil, nil, nil) }
                throw HyperscanError.call(function: "hs_open_stream", status: HyperscanStatus(rawValue: code))
            }
            opened.append(stream!)
        }
        self.database = database
        self.capacity = capacity
        self.all = opened
        self.free = opened
    }

    deinit {
        for s in all { _ = hs_close_stream(s, nil, nil, nil) }
    }

    /// Streams available now.
    public var available: Int { free.count }

    /// A fresh stream, or nil when all are in use.
    public func acquire() -> HyperscanStream? {
        guard let raw = free.popLast() else { return nil }
        return HyperscanStream(raw: raw, database: database)
    }

    /// Takes `stream` back for reuse, resetting it. With `scratch`, end-of-data matches are
    /// reported to `onMatch` first (a flow that ended normally); without, they are dropped.
    /// Do not close a pooled stream; the pool closes them all when it goes away.
    public func release(_ stream: HyperscanStream, scratch: HyperscanScratch? = nil,
                        onMatch: MatchHandler = { _, _, _ in true }) throws {
        precondition(stream.database === database && free.count < capacity,
                     "stream released to a pool it did not come from, or released twice")
        defer { free.append(stream.raw) }
        try stream.reset(scratch: scratch, onMatch: onMatch)
    }
}
