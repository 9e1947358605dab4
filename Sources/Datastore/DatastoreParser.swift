import L7Core

/// Extracts client commands (and cheap reply statuses) from one flow of a datastore protocol.
///
/// One value covers both directions of a flow and stays a fixed size (`MemoryLayout` reports
/// under 256 bytes): chunks may split messages at any byte, message headers and the first bytes
/// of each command are gathered into a small per-direction buffer, and bodies are skipped by
/// counting. A direction whose framing breaks (a gap inside a message, impossible lengths) stops
/// being parsed rather than reporting garbage; bounded work per byte either way.
public struct DatastoreParser {
    @usableFromInline var client = Direction()
    @usableFromInline var server = Direction()
    /// The protocol this flow was detected as.
    public let app: AppProto
    @usableFromInline var flags: Flags = []
    @usableFromInline var counted = DatastoreCounters()
    /// Directions given up and why, and gaps stepped over, on this flow so far.
    @inlinable public var counters: DatastoreCounters { counted }

    /// Facts one direction learns that change how the other is read.
    @usableFromInline struct Flags: OptionSet, Sendable {
        @usableFromInline var rawValue: UInt8
        @inlinable init(rawValue: UInt8) { self.rawValue = rawValue }
        /// TLS (or GSSAPI) took over the connection: nothing more is readable.
        @usableFromInline static let encrypted = Flags(rawValue: 1)
        /// The client's first message went by (MySQL login, ZooKeeper connect).
        @usableFromInline static let clientStarted = Flags(rawValue: 2)
        /// The server's first message went by (ZooKeeper ConnectResponse).
        @usableFromInline static let serverStarted = Flags(rawValue: 4)
        /// PostgreSQL: the client asked for SSL/GSS; the server answers with one bare byte.
        @usableFromInline static let awaitingSSLAnswer = Flags(rawValue: 8)
        /// MQTT 5: packets carry property lists.
        @usableFromInline static let mqtt5 = Flags(rawValue: 16)
    }

    /// A parser for a flow already detected as `app`.
    @inlinable public init(app: AppProto) { self.app = app }

    /// Whether the parser has given up on the flow (encryption took over, or both directions lost
    /// their framing).
    @inlinable public var stopped: Bool {
        flags.contains(.encrypted) || (client.phase == .dead && server.phase == .dead)
    }

    /// Feeds the next in-order bytes of one direction, reporting each complete command or
    /// reply header to `sink` as soon as it is seen.
    @inlinable public mutating func feed<S: DatastoreSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, toServer: Bool, sink: inout S) {
        guard !flags.contains(.encrypted), bytes.count > 0 else { return }
        // Work on a copy so that protocol code can read and set `flags` while the state is held.
        var d = toServer ? client : server
        run(&d, bytes, toServer: toServer, sink: &sink)
        if toServer { client = d } else { server = d }
    }

    /// Tells the parser that `length` bytes of one direction were lost. A hole inside a body
    /// that is being skipped anyway costs nothing; anywhere else framing is lost for good.
    @inlinable public mutating func gap(toServer: Bool, length: Int) {
        guard length > 0 else { return }
        var d = toServer ? client : server
        if d.phase == .skip && length < d.skip {
            d.skip -= length
            counted.gapsSkipped &+= 1
        } else if d.phase == .skip && length == d.skip {
            d.skip = 0
            d.phase = .start
            counted.gapsSkipped &+= 1
        } else if d.phase == .bulk && length <= d.skip - 2 {   // not `length + 2`: a wire-sized length may be near Int.max
            d.skip -= length          // inside a RESP bulk payload: its CRLF still frames it
            counted.gapsSkipped &+= 1
        } else if d.phase != .dead {
            lose(&d, .gap)
        }
        if toServer { client = d } else { server = d }
    }

    @inlinable mutating func run<S: DatastoreSink & ~Copyable>(_ d: inout Direction, _ chunk: UnsafeRawBufferPointer,
                                                               toServer: Bool, sink: inout S) {
        var pos = 0
        let n = chunk.count
        while pos < n {
            if flags.contains(.encrypted) { return }
            switch d.phase {
            case .dead:
                return
            case .skip:
                let k = min(d.skip, n - pos)
                d.skip -= k
                pos += k
                if d.skip == 0 { d.phase = .start }
            case .start:
                d.have = 0
                switch app {
                case .redis: d.phase = .line; d.kind = 0
                case .memcached:
                    if chunk[pos] == 0x80 || chunk[pos] == 0x81 { d.phase = .frame } else { d.phase = .line; d.kind = 0; d.element = 0 }
                default: d.phase = .frame
                }
                d.number = 0
                if d.phase == .line { memcachedOrRedisStart(&d, toServer: toServer) }
            case .frame:
                frameStep(&d, chunk, &pos, toServer: toServer, sink: &sink)
            case .line, .bulk:
                if app == .redis {
                    redisStep(&d, chunk, &pos, toServer: toServer, sink: &sink)
                } else {
                    memcachedTextStep(&d, chunk, &pos, toServer: toServer, sink: &sink)
                }
            }
        }
    }

    /// Gives up on direction `d` for good, counting why.
    @inlinable mutating func lose(_ d: inout Direction, _ why: DatastoreCounters.Loss) {
        d.phase = .dead
        counted.count(why)
    }

    @inlinable mutating func memcachedOrRedisStart(_ d: inout Direction, toServer: Bool) {
        if app == .redis { redisMessageStart(&d) } else { d.count = 0; d.mark = 0; d.kind = 0; d.element = 0 }
    }

    /// How far a length-framed message's header says it goes.
    @usableFromInline enum Measure {
        /// Gather this many bytes (more than held) before measuring again.
        case need(Int)
        /// The message is this many bytes long, header included.
        case frame(Int)
        /// Not this protocol's framing.
        case bad
        /// The `count` message bytes after the first `at` hold nothing extraction needs but push
        /// what does past the buffer (MQTT 5 CONNECT properties before the client id): drop
        /// them, held or still to come, after `elided` has rewritten the held header to match.
        case elide(at: Int, count: Int)
    }

    /// Gathers one length-framed message's header and command prefix, reports it, and arranges
    /// for the rest to be skipped. When the message's interesting prefix lies in this chunk it is
    /// read in place; only a prefix split across chunks is copied into the direction's buffer.
    @inlinable mutating func frameStep<S: DatastoreSink & ~Copyable>(_ d: inout Direction, _ chunk: UnsafeRawBufferPointer,
                                                                     _ pos: inout Int, toServer: Bool, sink: inout S) {
        let rest = Bytes.slice(chunk, pos, chunk.count)
        if d.have == 0 && d.number == 0 {
            switch measure(rest, toServer: toServer) {
            case .frame(let total) where rest.count >= min(total, Direction.capacity):
                // Show the protocol exactly the prefix the buffered path would hold, so that
                // what is reported never depends on where chunks were cut.
                let take = min(total, rest.count)
                pos += take
                finish(&d, Bytes.slice(rest, 0, min(take, Direction.capacity)), consumed: take, total: total,
                       toServer: toServer, sink: &sink)
                return
            case .bad:
                lose(&d, .badFraming)
                return
            default:
                break
            }
        }
        var used = 0
        while true {
            // Bytes still owed to an elision: dropped, not gathered (`number` is free in frames).
            if d.number > 0 {
                let k = min(d.number, rest.count - used)
                d.number -= k
                used += k
                if d.number > 0 { pos += used; return }   // chunk exhausted
            }
            let m = d.withGathered { measure($0, toServer: toServer) }
            let target: Int
            switch m {
            case .bad: lose(&d, .badFraming); return
            case .elide(let at, let count):
                guard at >= 0, at <= Int(d.have), count > 0 else { lose(&d, .badFraming); return }
                elided(&d, count: count)
                let held = min(Int(d.have) - at, count)
                withUnsafeMutableBytes(of: &d.buf) { b in
                    var i = at
                    while i + held < Int(d.have) { b[i] = b[i + held]; i += 1 }
                }
                d.have -= UInt8(held)
                d.number = count - held
                continue
            case .need(let k):
                guard k > Int(d.have), k <= Direction.capacity else { lose(&d, .badFraming); return }
                target = k
            case .frame(let total):
                guard total >= Int(d.have) else { lose(&d, .badFraming); return }
                target = min(total, Direction.capacity)
            }
            let before = Int(d.have)
            d.gather(Bytes.slice(rest, used, rest.count), upTo: target)
            used += Int(d.have) - before
            if Int(d.have) < target { pos += used; return }   // chunk exhausted
            if case .frame(let total) = m {
                pos += used
                var held = d.buf
                let n = Int(d.have)
                withUnsafeBytes(of: &held) {
                    finish(&d, UnsafeRawBufferPointer(rebasing: $0[0..<n]), consumed: n, total: total, toServer: toServer, sink: &sink)
                }
                return
            }
        }
    }

    /// Reports a message from its first bytes `b` (at most `Direction.capacity`), `consumed` bytes
    /// of it being already read, and sets up skipping the rest.
    @inlinable mutating func finish<S: DatastoreSink & ~Copyable>(_ d: inout Direction, _ b: UnsafeRawBufferPointer, consumed: Int,
                                                                  total: Int, toServer: Bool, sink: inout S) {
        d.have = 0
        d.skip = total - consumed
        d.phase = d.skip > 0 ? .skip : .start
        emit(b, total: total, toServer: toServer, sink: &sink)
    }

    @inlinable mutating func measure(_ b: UnsafeRawBufferPointer, toServer: Bool) -> Measure {
        switch app {
        case .mysql: return mysqlMeasure(b)
        case .pgsql: return pgsqlMeasure(b, toServer: toServer)
        case .mongodb: return mongoMeasure(b)
        case .kafka: return kafkaMeasure(b)
        case .cassandra: return cqlMeasure(b)
        case .zookeeper: return zookeeperMeasure(b)
        case .amqp: return amqpMeasure(b)
        case .mqtt: return mqttMeasure(b)
        case .memcached: return memcachedBinaryMeasure(b)
        default: return .bad
        }
    }

    /// Rewrites the held header of `d` for `count` bytes about to be dropped (`Measure.elide`).
    @inlinable mutating func elided(_ d: inout Direction, count: Int) {
        switch app {
        case .mqtt: Self.mqttElided(&d, count: count)
        default: break
        }
    }

    @inlinable mutating func emit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        switch app {
        case .mysql: mysqlEmit(b, total: total, toServer: toServer, sink: &sink)
        case .pgsql: pgsqlEmit(b, total: total, toServer: toServer, sink: &sink)
        case .mongodb: mongoEmit(b, total: total, toServer: toServer, sink: &sink)
        case .kafka: kafkaEmit(b, total: total, toServer: toServer, sink: &sink)
        case .cassandra: cqlEmit(b, total: total, toServer: toServer, sink: &sink)
        case .zookeeper: zookeeperEmit(b, total: total, toServer: toServer, sink: &sink)
        case .amqp: amqpEmit(b, total: total, toServer: toServer, sink: &sink)
        case .mqtt: mqttEmit(b, total: total, toServer: toServer, sink: &sink)
        case .memcached: memcachedBinaryEmit(b, total: total, toServer: toServer, sink: &sink)
        default: break
        }
    }

    @inlinable func command<S: DatastoreSink & ~Copyable>(_ name: StaticString, _ detail: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0), sink: inout S) {
        sink.datastoreCommand(app, command: Bytes.text(name), detail: Bytes.slice(detail, 0, DatastoreParser.detailCap))
    }

    @inlinable func reply<S: DatastoreSink & ~Copyable>(error: Bool, _ detail: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0), sink: inout S) {
        sink.datastoreReply(app, error: error, detail: Bytes.slice(detail, 0, DatastoreParser.detailCap))
    }

    /// Longest detail reported: enough for a key, topic or statement head, and the same whether
    /// a message came whole or in pieces.
    @inlinable public static var detailCap: Int { 64 }
}
