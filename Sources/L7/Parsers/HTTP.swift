import HTTP
import Codecs
import L7Core
import Output
import Stream

/// An HTTP/1 parser with what it is reset with (the stage's limits and zlib pool). An
/// upgrade ends it: h2c hands the flow to the HTTP/2 parser its 101 started (see
/// `L7Stage.httpTransaction`); a tunnel or another protocol leaves nothing to read as HTTP.
@usableFromInline
struct HTTPFlowParser: ~Copyable {
    @usableFromInline var parser: HTTPParser
    @usableFromInline let config: HTTPConfig
    @usableFromInline let inflaters: InflaterPoolHandle

    @usableFromInline init(config: HTTPConfig, inflaters: InflaterPoolHandle) {
        parser = HTTPParser(config: config, inflaters: inflaters)
        self.config = config
        self.inflaters = inflaters
    }
}

extension HTTPFlowParser: StreamParser {
    @inlinable mutating func reset(for app: AppProto) { parser.reset(config: config, inflaters: inflaters) }

    @inlinable
    mutating func feed(_ bytes: UnsafeRawBufferPointer, direction: Direction, sink: inout L7Stage) -> ParserStatus {
        let used = parser.feed(bytes, toServer: direction == .toServer, sink: &sink)
        switch parser.upgraded.kind {
        case .none: return .more
        case .h2c: return .handOff(to: .http2, consumed: used)
        default: return .done
        }
    }

    /// Inside a body of known length the parser steps over the hole and stays in sync.
    @inlinable
    mutating func gap(direction: Direction, length: Int, sink: inout L7Stage) -> ParserStatus {
        parser.gap(toServer: direction == .toServer, length: length, sink: &sink)
        return .more
    }

    /// Requests without responses are logged as the flow ends.
    @inlinable mutating func finish(sink: inout L7Stage) { parser.finish(sink: &sink) }

    @inlinable mutating func release(errors: inout ReasonCounts) {
        errors.add(parser.counters)
        // Resetting the parser gives its inflaters back now.
        parser.reset(config: config, inflaters: nil)
    }

    /// The pending request, if there is one.
    @inlinable mutating func writeRecord(into out: inout JSONBuffer) -> Bool {
        var written = false
        parser.withPendingTransaction { tx in HTTPEve.write(tx, into: &out); written = true }
        return written
    }
}
