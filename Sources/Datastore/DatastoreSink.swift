import L7Core

/// Receives what `DatastoreParser` finds. Buffers are borrowed for the call only; a generic
/// parameter (not an existential) so calls inline into the stage.
public protocol DatastoreSink: ~Copyable {
    /// One client request: `command` is its name (`GET`, `SELECT`, `COM_PING`, `basic.publish`,
    /// ...), `detail` its most telling argument (key, topic, collection, up to 64 bytes of SQL),
    /// possibly empty.
    mutating func datastoreCommand(_ app: AppProto, command: UnsafeRawBufferPointer, detail: UnsafeRawBufferPointer)

    /// One server reply whose status is cheap to see: `error` for Redis `-ERR`, a PostgreSQL
    /// ErrorResponse, a MySQL ERR packet, a CQL ERROR, a non-zero ZooKeeper or memcached status...
    /// `detail` is the error text when it is at hand. Defaults to ignoring replies.
    mutating func datastoreReply(_ app: AppProto, error: Bool, detail: UnsafeRawBufferPointer)
}

extension DatastoreSink where Self: ~Copyable {
    /// Ignores replies, for sinks that only want commands.
    @inlinable public mutating func datastoreReply(_ app: AppProto, error: Bool, detail: UnsafeRawBufferPointer) {}
}
