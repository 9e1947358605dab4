import Datastore
import Foundation
import L7Core
import SluiceTestSupport
import XCTest

/// Real client/server sessions recorded by `Tests/Captures/record-real.sh` (redis-cli against
/// redis-server, psql against postgres, ...): each capture's streams, as Sluice reassembles them,
/// must be detected from their first bytes and yield the commands the recorder sent, listed in
/// the companion `.expected` file (`app COMMAND [argument or error...]` per line).
final class RealCaptureTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures/real")

    struct Session {
        var detected: [AppProto] = []
        var commands: [Collected.Command] = []
        var replies: [String] = []
        /// Per connection: each command with the status of the reply that answered it, where
        /// the protocol answers every command in order (Redis).
        var expected: [[String]] = []
    }

    /// Detects and parses every connection of `name`, or skips when the capture is absent.
    func run(_ name: String) throws -> Session {
        let path = Self.directory.appendingPathComponent("\(name).pcap").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(name).pcap not recorded") }
        let streams = PcapStreams(path: path)
        XCTAssertNil(streams.error)
        var session = Session()
        for c in streams.connections {
            let first = (c.toServer.first ?? []) + (c.toServer.count > 1 ? c.toServer[1] : [])
            var app = AppProto.unknown
            if case .match(let a) = probe(first, toServer: true) { app = a }
            else if let s = c.toClient.first, case .match(let a) = probe(s, toServer: false) { app = a }
            session.detected.append(app)
            guard app != .unknown else { continue }
            // Replay the two directions in capture order is not recorded per chunk; feeding each
            // direction whole is enough since the parser keeps them apart.
            var parser = DatastoreParser(app: app)
            var sink = Collected()
            for chunk in c.toServer { chunk.withUnsafeBytes { parser.feed($0, toServer: true, sink: &sink) } }
            for chunk in c.toClient { chunk.withUnsafeBytes { parser.feed($0, toServer: false, sink: &sink) } }
            session.commands += sink.commands
            session.replies += sink.replies
        }
        return session
    }

    func expected(_ name: String) throws -> [[String]] {
        let text = try String(contentsOf: Self.directory.appendingPathComponent("\(name).expected"), encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    func testRedis() throws {
        let s = try run("l7-redis")
        XCTAssert(!s.detected.isEmpty && s.detected.allSatisfy { $0 == .redis }, "\(s.detected)")
        // Every command gets one reply, in order; an error reply's first word follows its command.
        XCTAssertEqual(s.commands.count, s.replies.count)
        let got = zip(s.commands, s.replies).map { c, r in
            r.hasPrefix("error: ") ? "redis \(c.command) \(r.dropFirst(7).split(separator: " ")[0])" : "redis \(c.command)"
        }
        XCTAssertEqual(got, try expected("l7-redis").map { $0.joined(separator: " ") })
        XCTAssertEqual(s.commands.map(\.detail).filter { !$0.isEmpty }.prefix(3), ["greeting", "greeting", "counter"])
    }

    func testPostgreSQL() throws {
        let s = try run("l7-pgsql")
        XCTAssert(!s.detected.isEmpty && s.detected.allSatisfy { $0 == .pgsql }, "\(s.detected)")
        // A statement verb is a simple query unless Executes follow it before the next verb
        // (extended protocol: Parse once, then Bind/Execute per run).
        let messages: Set<String> = ["SSLRequest", "StartupMessage", "PasswordMessage", "Bind", "Describe", "Execute",
                                     "Sync", "Terminate", "Close", "Flush"]
        var got: [String] = []
        var current: String?
        var executes = 0
        func flush() {
            guard let verb = current else { return }
            got += executes == 0 ? ["pgsql \(verb) simple"] : Array(repeating: "pgsql \(verb) extended", count: executes)
        }
        for c in s.commands {
            if c.command == "Execute" { executes += 1 }
            if !messages.contains(c.command) { flush(); current = c.command; executes = 0 }
        }
        flush()
        let want = try expected("l7-pgsql")
        XCTAssertEqual(got, want.map { $0.prefix(3).joined(separator: " ") })
        XCTAssertEqual(s.replies, want.filter { $0.count > 3 }.map { "error: \($0[3])" })
        XCTAssertEqual(s.commands.filter { $0.command == "StartupMessage" }.map(\.detail), ["sluice", "sluice", "sluice"])
    }

    func testMemcached() throws {
        let s = try run("l7-memcached")
        XCTAssertEqual(s.detected, [.memcached])
        // The detail is the first key.
        XCTAssertEqual(s.commands.map { "memcached \($0.command)" + ($0.detail.isEmpty ? "" : " \($0.detail)") },
                       try expected("l7-memcached").map { $0.prefix(3).joined(separator: " ") })
    }

    func testMQTT() throws {
        let s = try run("l7-mqtt")
        XCTAssert(!s.detected.isEmpty && s.detected.allSatisfy { $0 == .mqtt }, "\(s.detected)")
        // The recorder lists what each client asked for; acknowledgements are not requests.
        // DISCONNECT carries no client id on the wire, so only its name is compared.
        let acks: Set<String> = ["PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "PINGREQ"]
        let got = s.commands.filter { !acks.contains($0.command) }
            .map { $0.command == "DISCONNECT" ? "mqtt DISCONNECT" : "mqtt \($0.command) \($0.detail)" }
        let want = try expected("l7-mqtt").map { $0[1] == "DISCONNECT" ? "mqtt DISCONNECT" : $0.joined(separator: " ") }
        XCTAssertEqual(got.sorted(), want.sorted())
    }

    /// The real streams give the same commands and replies however they are cut: whole, at
    /// random points, or one byte at a time.
    func testRealStreamsCutAnywhere() throws {
        var rng = SplitMix(state: 7)
        var checked = 0
        for name in ["l7-redis", "l7-pgsql", "l7-memcached", "l7-mqtt"] {
            let path = Self.directory.appendingPathComponent("\(name).pcap").path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            for c in PcapStreams(path: path).connections {
                guard case .match(let app) = probe(c.toServer.first ?? [], toServer: true) else { continue }
                let turns = [Turn.c(Array(c.toServer.joined())), Turn.s(Array(c.toClient.joined()))]
                let whole = parse(app, turns)
                XCTAssertFalse(whole.commands.isEmpty, "\(name) \(c.key)")
                let cuts = turns.map { t in (0..<20).map { _ in Int.random(in: 0...t.bytes.count, using: &rng) }.sorted() }
                XCTAssertEqual(parse(app, turns) { k, _ in cuts[k] }, whole, "\(name) \(c.key) random cuts")
                XCTAssertEqual(parse(app, turns) { _, n in Array(0..<n) }, whole, "\(name) \(c.key) byte at a time")
                checked += 1
            }
        }
        if checked == 0 { throw XCTSkip("no datastore captures recorded") }
    }

    /// Captures of other protocols must not be claimed by any datastore probe.
    func testOtherCapturesAreNotClaimed() throws {
        for name in ["l7-http1", "l7-http2", "l7-grpc", "l7-dns-tls", "mixed"] {
            let path = Self.directory.appendingPathComponent("\(name).pcap").path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let streams = PcapStreams(path: path)
            for c in streams.connections {
                for (dir, chunks) in [(true, c.toServer), (false, c.toClient)] {
                    let prefix = Array(chunks.joined().prefix(4096))
                    guard !prefix.isEmpty else { continue }
                    XCTAssertNotEqual(probe(prefix, toServer: dir).isMatch, true, "\(name) \(c.key) claimed as \(probe(prefix, toServer: dir))")
                }
            }
        }
    }
}

extension DatastoreVerdict {
    var isMatch: Bool { if case .match = self { return true } else { return false } }
}
