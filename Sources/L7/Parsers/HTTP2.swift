import HTTP2
import Codecs
import L7Core
import Stream

/// An HTTP/2 connection (prior knowledge, or after an h2c upgrade). A gap stops the direction
/// it hit (HPACK state is lost); open streams are reported as the flow ends.
@usableFromInline
struct HTTP2FlowParser {
    @usableFromInline var parser = HTTP2Parser()
    @usableFromInline init() {}
}

extension HTTP2FlowParser: StreamParser {
    @inlinable mutating func reset(for app: AppProto) { parser = HTTP2Parser() }

    @inlinable
    mutating func feed(_ bytes: UnsafeRawBufferPointer, direction: Direction, sink: inout L7Stage) -> ParserStatus {
        parser.feed(bytes, toServer: direction == .toServer, sink: &sink)
        return .more
    }

    @inlinable
    mutating func gap(direction: Direction, length: Int, sink: inout L7Stage) -> ParserStatus {
        parser.gap(toServer: direction == .toServer, length: length)
        return .more
    }

    @inlinable mutating func finish(sink: inout L7Stage) { parser.finish(sink: &sink) }

    @inlinable mutating func release(errors: inout ReasonCounts) { errors.add(parser.counters) }
}
