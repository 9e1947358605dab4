import Codecs
import L7Core
import Output
import Stream

/// The one shape of every parser the L7 stage runs on a flow's reassembled streams: the stage
/// borrows one from its pool (`ParserPools`), readies it with `reset(for:)`, feeds it each
/// chunk of either direction, tells it about holes and the flow's end, and gives it back.
/// What a parser learns goes to the stage, its sink, through the protocol's own callbacks
/// (`HTTPSink`, `SSHSink`, ...), which the parser module declares and the stage conforms to;
/// the sink is the stage itself rather than an associated type, since the stage is
/// `~Copyable` and associated types cannot be.
///
/// Conformances live in `Parsers/`, one file per protocol, with the stage's side of that
/// protocol (its sink conformance): the parser modules keep their own APIs (generic over
/// their sink protocols), and the conformance maps this shape onto them. Calls are specialised per parser through `PoolVisitor` (`L7Stage.withPool`): no
/// existential, no allocation, no reference counting.
@usableFromInline
protocol StreamParser: ~Copyable {
    /// Makes a pooled parser ready for a new flow detected as `app`, in place: parsers are
    /// kilobytes, so they are reset where they lie rather than rebuilt and copied.
    mutating func reset(for app: AppProto)
    /// The next in-order bytes of one direction (borrowed: valid only during the call).
    mutating func feed(_ bytes: UnsafeRawBufferPointer, direction: Direction, sink: inout L7Stage) -> ParserStatus
    /// `length` bytes of one direction were lost.
    mutating func gap(direction: Direction, length: Int, sink: inout L7Stage) -> ParserStatus
    /// The flow ended: report what is still pending.
    mutating func finish(sink: inout L7Stage)
    /// The parser goes back to its pool: add up what it distrusted (`L7ParseError`) and let go
    /// of anything it borrows (HTTP inflaters).
    mutating func release(errors: inout ReasonCounts)
    /// Writes the flow's application record as far as the parser knows it (inside a `policy`
    /// record); false when it has nothing of its own to say.
    mutating func writeRecord(into out: inout JSONBuffer) -> Bool
}

extension StreamParser where Self: ~Copyable {
    /// Parsers that count nothing and borrow nothing have nothing to give back.
    @inlinable mutating func release(errors: inout ReasonCounts) {}
    /// Most parsers leave the policy record to what the stage kept (the named host, the last command).
    @inlinable mutating func writeRecord(into out: inout JSONBuffer) -> Bool { false }
}

/// What a parser asks of the stage after a call.
@usableFromInline
enum ParserStatus {
    /// Keep feeding it.
    case more
    /// It can learn nothing more from this flow (a handshake went encrypted, a gap it cannot
    /// step over, a tunnel): give its slot back; the flow is not parsed further.
    case done
    /// Another protocol took over after `consumed` bytes of this chunk (HTTP/1 → HTTP/2 after
    /// `Upgrade: h2c`): the flow's `next` parser, started by the sink, becomes its parser and
    /// the flow's app becomes `app`.
    case handOff(to: AppProto, consumed: Int)
}
