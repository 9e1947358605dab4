import Flow
import L7Core
import Output
import Stream

// What the stage does with a flow's parser, whatever the protocol: each operation is a
// `PoolVisitor` that `withPool` (ParserPools.swift) runs on the right pool.

extension L7Stage {
    /// Borrows a parser of `kind` ready for `app`; nil (counted by the pool) when all are lent.
    @inlinable
    mutating func borrowParser(_ kind: ParserKind, for app: AppProto) -> ParserSlot? {
        let i = withPool(kind, BorrowParser(app: app))
        return i >= 0 ? ParserSlot(kind: kind, index: i) : nil
    }

    /// Gives the flow's parser back (its parse errors counted), and the one waiting to take
    /// over from it.
    @inlinable
    mutating func releaseParsers(_ s: UnsafeMutablePointer<L7Flow>) {
        releaseParser(&s.pointee.parser)
        releaseParser(&s.pointee.next)
    }

    @inlinable
    mutating func releaseParser(_ slot: inout ParserSlot) {
        guard slot.isActive else { return }
        withPool(slot.kind, ReleaseParser(index: slot.index))
        slot = ParserSlot()
    }

    /// Feeds the flow's parser, and acts on what it answers.
    @inlinable
    mutating func parse(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32, _ d: Direction, _ bytes: UnsafeRawBufferPointer) {
        let slot = s.pointee.parser
        guard slot.isActive else { return }
        current = flow
        switch withPool(slot.kind, FeedParser(index: slot.index, bytes: bytes, direction: d)) {
        case .more:
            return
        case .done:
            releaseParser(&s.pointee.parser)
        case .handOff(let app, let used):
            releaseParser(&s.pointee.parser)
            guard s.pointee.next.isActive else { return }
            s.pointee.parser = s.pointee.next
            s.pointee.next = ParserSlot()
            s.pointee.app = app
            flows![Int(flow)].appProto = app.rawValue
            // The one hand-off there is: HTTP/1 upgraded to HTTP/2 (h2c).
            counters.h2cUpgrades &+= 1
            if used < bytes.count { parse(s, flow, d, UnsafeRawBufferPointer(rebasing: bytes[used...])) }
        }
    }

    /// Tells the flow's parsers about a hole in one direction.
    @inlinable
    mutating func gapParsers(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32, _ d: Direction, _ length: UInt32) {
        current = flow
        let parser = s.pointee.parser
        if parser.isActive, case .done = withPool(parser.kind, GapParser(index: parser.index, direction: d, length: Int(length))) {
            releaseParser(&s.pointee.parser)
        }
        // Read after: the gap may have delivered a 101 that started the HTTP/2 parser.
        let next = s.pointee.next
        if next.isActive { _ = withPool(next.kind, GapParser(index: next.index, direction: d, length: Int(length))) }
    }

    /// The flow ended: its parsers report what they still hold.
    @inlinable
    mutating func finishParsers(_ s: UnsafeMutablePointer<L7Flow>, _ flow: UInt32) {
        current = flow
        if s.pointee.parser.isActive { withPool(s.pointee.parser.kind, FinishParser(index: s.pointee.parser.index)) }
        if s.pointee.next.isActive { withPool(s.pointee.next.kind, FinishParser(index: s.pointee.next.index)) }
    }

    /// Has the flow's parser write its part of a `policy` record; false when it wrote nothing.
    @inlinable
    mutating func writeParserRecord(_ s: UnsafeMutablePointer<L7Flow>) -> Bool {
        guard s.pointee.parser.isActive else { return false }
        return withPool(s.pointee.parser.kind, WriteParserRecord(index: s.pointee.parser.index))
    }
}

// MARK: - The operations

/// Takes a free parser and readies it for `app`; -1 when the pool is empty.
@usableFromInline
struct BorrowParser: PoolVisitor {
    @usableFromInline let app: AppProto
    @inlinable init(app: AppProto) { self.app = app }
    @inlinable
    func visit<P: StreamParser & ~Copyable>(_ pool: SlotPool<P>, stage: inout L7Stage) -> Int32 {
        guard let i = pool.borrow() else { return -1 }
        pool.slot(i).pointee.reset(for: app)
        return i
    }
}

/// Counts the parser's parse errors, lets go of what it borrowed, gives its slot back.
@usableFromInline
struct ReleaseParser: PoolVisitor {
    @usableFromInline let index: Int32
    @inlinable init(index: Int32) { self.index = index }
    @inlinable
    func visit<P: StreamParser & ~Copyable>(_ pool: SlotPool<P>, stage: inout L7Stage) {
        pool.slot(index).pointee.release(errors: &stage.counters.parseErrors)
        pool.giveBack(index)
    }
}

/// Feeds one chunk of one direction.
@usableFromInline
struct FeedParser: PoolVisitor {
    @usableFromInline let index: Int32
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline let direction: Direction
    @inlinable init(index: Int32, bytes: UnsafeRawBufferPointer, direction: Direction) {
        self.index = index; self.bytes = bytes; self.direction = direction
    }
    @inlinable
    func visit<P: StreamParser & ~Copyable>(_ pool: SlotPool<P>, stage: inout L7Stage) -> ParserStatus {
        pool.slot(index).pointee.feed(bytes, direction: direction, sink: &stage)
    }
}

/// Reports a hole in one direction.
@usableFromInline
struct GapParser: PoolVisitor {
    @usableFromInline let index: Int32
    @usableFromInline let direction: Direction
    @usableFromInline let length: Int
    @inlinable init(index: Int32, direction: Direction, length: Int) {
        self.index = index; self.direction = direction; self.length = length
    }
    @inlinable
    func visit<P: StreamParser & ~Copyable>(_ pool: SlotPool<P>, stage: inout L7Stage) -> ParserStatus {
        pool.slot(index).pointee.gap(direction: direction, length: length, sink: &stage)
    }
}

/// The flow ended.
@usableFromInline
struct FinishParser: PoolVisitor {
    @usableFromInline let index: Int32
    @inlinable init(index: Int32) { self.index = index }
    @inlinable
    func visit<P: StreamParser & ~Copyable>(_ pool: SlotPool<P>, stage: inout L7Stage) {
        pool.slot(index).pointee.finish(sink: &stage)
    }
}

/// Writes the parser's part of a `policy` record (EVE on).
@usableFromInline
struct WriteParserRecord: PoolVisitor {
    @usableFromInline let index: Int32
    @inlinable init(index: Int32) { self.index = index }
    @inlinable
    func visit<P: StreamParser & ~Copyable>(_ pool: SlotPool<P>, stage: inout L7Stage) -> Bool {
        guard stage.eve != nil else { return false }
        return pool.slot(index).pointee.writeRecord(into: &stage.eve!)
    }
}
