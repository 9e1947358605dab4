import SluiceTestSupport
import Stream

/// TCP flag bits as the reassembler reads them (Stream does not depend on Codecs).
enum Flags {
    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let ack: UInt8 = 0x10
}

/// One thing the sink was told.
enum StreamEvent: Equatable {
    case data([UInt8])
    case gap(UInt32)
}

/// Collects what the reassembler delivers, per flow and direction.
struct TestSink: StreamSink {
    struct Key: Hashable { var flow: UInt32; var direction: Direction }
    var events: [Key: [StreamEvent]] = [:]

    mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count > 0, "empty deliveries are noise")
        events[Key(flow: flow, direction: direction), default: []].append(.data(Array(bytes)))
    }

    mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {
        events[Key(flow: flow, direction: direction), default: []].append(.gap(length))
    }

    func events(_ flow: UInt32 = 1, _ d: Direction = .toServer) -> [StreamEvent] {
        events[Key(flow: flow, direction: d)] ?? []
    }

    /// The delivered bytes joined, gaps left out.
    func bytes(_ flow: UInt32 = 1, _ d: Direction = .toServer) -> [UInt8] {
        events(flow, d).flatMap { if case .data(let b) = $0 { return b } else { return [] } }
    }

    /// The gaps' lengths in order.
    func gaps(_ flow: UInt32 = 1, _ d: Direction = .toServer) -> [UInt32] {
        events(flow, d).compactMap { if case .gap(let n) = $0 { return n } else { return nil } }
    }

    /// The stream as a byte per position, nil where a gap was reported.
    func stream(_ flow: UInt32 = 1, _ d: Direction = .toServer) -> [UInt8?] {
        events(flow, d).flatMap { e -> [UInt8?] in
            switch e {
            case .data(let b): return b.map { Optional($0) }
            case .gap(let n): return [UInt8?](repeating: nil, count: Int(n))
            }
        }
    }
}

extension StreamReassembler {
    /// Feeds `payload` at `seq` as one segment of flow 1 (ACK set unless `flags` says otherwise).
    mutating func feed(_ st: inout StreamDirectionState, seq: UInt32, flags: UInt8 = Flags.ack, _ payload: [UInt8] = [],
                       sink: inout TestSink, flow: UInt32 = 1, direction: Direction = .toServer) {
        payload.withUnsafeBytes { raw in
            segment(&st, flow: flow, direction: direction, seq: seq, flags: flags, payload: raw, sink: &sink)
        }
    }

    /// Feeds bytes `range` of `stream`, whose first byte has sequence number `start`.
    mutating func feed(_ st: inout StreamDirectionState, _ stream: [UInt8], _ range: Range<Int>, start: UInt32,
                       flags: UInt8 = Flags.ack, sink: inout TestSink, flow: UInt32 = 1, direction: Direction = .toServer) {
        feed(&st, seq: start &+ UInt32(range.lowerBound), flags: flags, Array(stream[range]), sink: &sink,
             flow: flow, direction: direction)
    }

    mutating func ack(_ st: inout StreamDirectionState, _ ack: UInt32, sink: inout TestSink, flow: UInt32 = 1,
                      direction: Direction = .toServer) {
        acknowledged(&st, flow: flow, direction: direction, ack: ack, sink: &sink)
    }

    mutating func flush(_ st: inout StreamDirectionState, sink: inout TestSink, flow: UInt32 = 1, direction: Direction = .toServer) {
        flush(&st, flow: flow, direction: direction, sink: &sink)
    }
}

extension StreamConfig {
    static func with(_ change: (inout StreamConfig) -> Void) -> StreamConfig {
        var c = StreamConfig()
        c.poolBytes = 1 << 20
        change(&c)
        return c
    }
}


/// Random bytes from a seed.
func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix(state: seed)
    return (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
}
