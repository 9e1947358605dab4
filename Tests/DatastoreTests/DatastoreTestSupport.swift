import Datastore
import L7Core
import XCTest

/// What a parser reported, as text, for assertions.
struct Collected: DatastoreSink, Equatable {
    struct Command: Equatable, CustomStringConvertible {
        var app: AppProto, command: String, detail: String
        /// Raw lengths (the strings may hold replacement characters for non-UTF-8 bytes).
        var commandLength = 0, detailLength = 0
        var description: String { detail.isEmpty ? command : "\(command) \(detail)" }
    }
    var commands: [Command] = []
    /// Replies as "ok" or "error: detail".
    var replies: [String] = []

    mutating func datastoreCommand(_ app: AppProto, command: UnsafeRawBufferPointer, detail: UnsafeRawBufferPointer) {
        commands.append(Command(app: app, command: String(decoding: command, as: UTF8.self),
                                detail: String(decoding: detail, as: UTF8.self), commandLength: command.count,
                                detailLength: detail.count))
    }

    mutating func datastoreReply(_ app: AppProto, error: Bool, detail: UnsafeRawBufferPointer) {
        replies.append(error ? "error: " + String(decoding: detail, as: UTF8.self) : "ok")
    }

    /// Commands as "NAME detail" lines.
    var lines: [String] { commands.map(\.description) }
}

/// One direction's bytes in a conversation.
struct Turn {
    var toServer: Bool
    var bytes: [UInt8]
    static func c(_ b: [UInt8]) -> Turn { Turn(toServer: true, bytes: b) }
    static func s(_ b: [UInt8]) -> Turn { Turn(toServer: false, bytes: b) }
}

/// Byte builders, so messages in tests read like the specs' field lists.
extension Array where Element == UInt8 {
    init(_ s: String) { self = Array(s.utf8) }
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    static func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
    static func le24(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff)] }
    static func cstr(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }
    static func zeros(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n) }
}

/// Runs a conversation through a fresh parser, each turn fed whole.
func parse(_ app: AppProto, _ turns: [Turn]) -> Collected {
    var p = DatastoreParser(app: app)
    var sink = Collected()
    for t in turns { t.bytes.withUnsafeBytes { p.feed($0, toServer: t.toServer, sink: &sink) } }
    return sink
}

/// Runs a conversation with every turn cut into `pieces` the way `cut` says.
func parse(_ app: AppProto, _ turns: [Turn], cut: (_ turn: Int, _ count: Int) -> [Int]) -> Collected {
    var p = DatastoreParser(app: app)
    var sink = Collected()
    for (ti, t) in turns.enumerated() {
        var start = 0
        for end in cut(ti, t.bytes.count) + [t.bytes.count] where end >= start {
            t.bytes[start..<end].withUnsafeBytes { p.feed($0, toServer: t.toServer, sink: &sink) }
            start = end
        }
    }
    return sink
}

/// Asserts that the conversation gives the same result fed whole, split at every single byte
/// boundary of every turn, and one byte at a time; returns the whole-fed result.
@discardableResult
func assertSplitInvariant(_ app: AppProto, _ turns: [Turn], file: StaticString = #filePath, line: UInt = #line) -> Collected {
    let whole = parse(app, turns)
    for (ti, t) in turns.enumerated() {
        for i in 0...t.bytes.count {
            let split = parse(app, turns) { k, _ in k == ti ? [i] : [] }
            XCTAssertEqual(split, whole, "turn \(ti) split at \(i)", file: file, line: line)
            if split != whole { return whole }
        }
    }
    XCTAssertEqual(parse(app, turns) { _, n in Array(0..<n) }, whole, "byte at a time", file: file, line: line)
    return whole
}

func probe(_ bytes: [UInt8], toServer: Bool) -> DatastoreVerdict {
    bytes.withUnsafeBytes { DatastoreProbes.probeStream($0, toServer: toServer) }
}

/// The verdict the whole-stream probe gives for every prefix of `bytes`: never a wrong match,
/// and the full message matches `app`.
func assertProbe(_ app: AppProto, _ bytes: [UInt8], toServer: Bool, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(probe(bytes, toServer: toServer), .match(app), file: file, line: line)
    for n in 0..<bytes.count {
        let v = probe(Array(bytes[0..<n]), toServer: toServer)
        XCTAssert(v == .needMore || v == .match(app), "prefix \(n): \(v)", file: file, line: line)
    }
}

/// Concatenates byte fields; a variadic call keeps long messages cheap to type-check.
func bytes(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }
func be16(_ v: Int) -> [UInt8] { [UInt8].be16(v) }
func be32(_ v: Int) -> [UInt8] { [UInt8].be32(v) }
func le32(_ v: Int) -> [UInt8] { [UInt8].le32(v) }
func le24(_ v: Int) -> [UInt8] { [UInt8].le24(v) }
func cstr(_ s: String) -> [UInt8] { [UInt8].cstr(s) }
func zeros(_ n: Int) -> [UInt8] { [UInt8].zeros(n) }
