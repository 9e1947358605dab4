import Datastore
import L7Core

/// Both directions of one datastore or broker flow through `DatastoreParser`: the first byte
/// picks the protocol (as detection would have), the rest is `DirectionalStep`s. Covers
/// length framing (MySQL, PostgreSQL, MongoDB, Kafka, Cassandra, ZooKeeper, AMQP, MQTT and
/// binary memcached), RESP and memcached text lines, skipping of bodies, and gaps.
enum DatastoreFuzz {
    static let apps: [AppProto] = [.mysql, .pgsql, .redis, .mongodb, .kafka, .cassandra, .zookeeper, .memcached, .amqp, .mqtt]

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let app = apps[Int(input.byte()) % apps.count]
        var p = DatastoreParser(app: app)
        var sink = DatastoreFuzzSink()
        while let step = DirectionalStep.next(&input) {
            if let gap = step.gap { p.gap(toServer: step.toServer, length: gap); continue }
            step.forEachChunk { p.feed($0, toServer: step.toServer, sink: &sink) }
        }
        _ = sink.sum
    }
}

/// Reads what the parser lends and checks the bound every caller relies on: a reported
/// command name and detail are short (the L7 stage copies them into fixed fields).
struct DatastoreFuzzSink: DatastoreSink {
    /// The most bytes a message's gathered prefix holds (`Direction.capacity` in the module),
    /// and so the most any command name or detail can be.
    static let maxReported = 80
    var sum: UInt8 = 0

    mutating func datastoreCommand(_ app: AppProto, command: UnsafeRawBufferPointer, detail: UnsafeRawBufferPointer) {
        precondition(command.count <= DatastoreFuzzSink.maxReported && detail.count <= DatastoreFuzzSink.maxReported,
                     "command \(command.count) / detail \(detail.count) bytes")
        sum &+= touch(command) &+ touch(detail)
    }

    mutating func datastoreReply(_ app: AppProto, error: Bool, detail: UnsafeRawBufferPointer) {
        precondition(detail.count <= DatastoreFuzzSink.maxReported, "reply detail \(detail.count) bytes")
        sum &+= touch(detail)
    }
}
