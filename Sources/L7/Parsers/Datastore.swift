import Datastore
import Codecs
import L7Core
import Stream

// Datastores, brokers and coordination services: one command parser for all, reset for the
// flow's app.
extension DatastoreParser: StreamParser {
    @inlinable mutating func reset(for app: AppProto) { self = DatastoreParser(app: app) }

    @inlinable
    mutating func feed(_ bytes: UnsafeRawBufferPointer, direction: Direction, sink: inout L7Stage) -> ParserStatus {
        feed(bytes, toServer: direction == .toServer, sink: &sink)
        return .more
    }

    @inlinable
    mutating func gap(direction: Direction, length: Int, sink: inout L7Stage) -> ParserStatus {
        gap(toServer: direction == .toServer, length: length)
        return .more
    }

    @inlinable mutating func finish(sink: inout L7Stage) {}

    @inlinable mutating func release(errors: inout ReasonCounts) { errors.add(counters) }
}
