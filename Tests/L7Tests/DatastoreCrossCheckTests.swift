import Engine
import Foundation
import L7
import L7Core
import PacketIO
import SluiceTestSupport
import XCTest

/// Datastore and broker commands from the recorded redis-cli, psql/psycopg, memcached and
/// mosquitto captures, against what the clients sent and (for PostgreSQL) tshark.
final class DatastoreCrossCheckTests: XCTestCase {
    func commands(_ capture: String, _ app: String) throws -> [(command: String, detail: String)] {
        let (events, counters) = try L7Harness.replay(capture)
        let records = events.filter { $0["event_type"] as? String == app }.compactMap { Self.command($0, app) }
        XCTAssertEqual(UInt64(records.count), counters.commandsByApp.total, capture)
        return records
    }

    /// The command and detail a record shows: Sluice's own object (an item of
    /// metadata.flowvars) for Redis and memcached, Suricata's `pgsql` and `mqtt` objects for those.
    static func command(_ e: [String: Any], _ app: String) -> (command: String, detail: String)? {
        if let v = eveVendorObject(e, app) { return (v["command"] as? String ?? "", v["detail"] as? String ?? "") }
        if app == "pgsql", let r = (e["pgsql"] as? [String: Any])?["request"] as? [String: Any] {
            if let q = r["simple_query"] as? String { return (String(q.prefix { $0.isLetter }).uppercased(), q) }
            if let u = (r["startup_parameters"] as? [String: Any])?["user"] as? String { return ("StartupMessage", u) }
            return (r["message"] as? String ?? "", "")
        }
        if app == "mqtt", let m = e["mqtt"] as? [String: Any], let (type, value) = m.first, let body = value as? [String: Any] {
            let topics = body["topics"] as? [Any]
            let detail = body["client_id"] as? String ?? body["topic"] as? String
                ?? (topics?.first as? [String: Any])?["topic"] as? String ?? topics?.first as? String ?? ""
            return (type.uppercased(), detail)
        }
        return nil
    }

    func testRedisCommandsInOrder() throws {
        let ours = try commands("l7-redis.pcap", "redis").map(\.command)
        let sent = try L7Harness.expected("l7-redis.expected").map { $0.split(separator: " ")[1] }.map(String.init)
        XCTAssertEqual(ours, sent)
    }

    func testPostgreSQLQueriesMatchTshark() throws {
        let ours = try commands("l7-pgsql.pcap", "pgsql")
        // Every simple query and every Parse tshark shows, in order, with its first keyword.
        let queries = try L7Harness.tshark(["-r", L7Harness.path("l7-pgsql.pcap"), "-Y", "pgsql.query", "-T", "fields",
                                            "-e", "pgsql.query"]).flatMap { $0 }.filter { !$0.isEmpty }
        let sql = ours.filter { $0.command.first?.isUppercase == true && $0.command.allSatisfy(\.isLetter)
            && $0.command.uppercased() == $0.command && !$0.detail.isEmpty }
        XCTAssertEqual(sql.map(\.detail), queries.map { String($0.utf8.prefix(64))! })
        XCTAssertEqual(sql.map(\.command), queries.map { String($0.prefix { $0.isLetter }).uppercased() })
        // The keywords the clients' statements start with, each once per statement sent.
        let sent = Set(try L7Harness.expected("l7-pgsql.expected").map { String($0.split(separator: " ")[1]) })
        XCTAssertEqual(Set(sql.map(\.command)), sent)
    }

    func testMemcachedCommandsAndKeys() throws {
        let ours = try commands("l7-memcached.pcap", "memcached").map { $0.detail.isEmpty ? $0.command : "\($0.command) \($0.detail)" }
        // The client's `gets greeting counter` names two keys; the record keeps the first.
        let sent = try L7Harness.expected("l7-memcached.expected").map {
            $0.split(separator: " ").dropFirst().prefix(2).joined(separator: " ")
        }
        XCTAssertEqual(ours, sent)
    }

    func testMQTTPacketsAndTopics() throws {
        let ours = try commands("l7-mqtt.pcap", "mqtt")
        let sent = try L7Harness.expected("l7-mqtt.expected").map { $0.split(separator: " ").map(String.init) }
        // CONNECT carries the client id, SUBSCRIBE and PUBLISH the topic: all of them, as sent.
        let named = Set(["CONNECT", "SUBSCRIBE", "PUBLISH"])
        XCTAssertEqual(Set(ours.filter { named.contains($0.command) }.map { "\($0.command) \($0.detail)" }),
                       Set(sent.filter { named.contains($0[1]) }.map { "\($0[1]) \($0[2])" }))
        XCTAssertEqual(ours.filter { $0.command == "DISCONNECT" }.count, sent.filter { $0[1] == "DISCONNECT" }.count)
    }
}

/// The context later stages read from the L7 stage: a flow's app and its last datastore command.
final class L7ContextTests: XCTestCase {
    func testLastCommandPerFlow() throws {
        var source = try PcapFile(path: L7Harness.path("l7-redis.pcap"))
        var config = EngineConfig()
        config.flow.capacity = 256
        var worker = Worker(config: config, stage: L7Stage(eveFD: -1), eveFD: -1)
        _ = try Replay.run(&source, through: &worker)
        // The flows are still in the table (closed, not yet expired): ask about each.
        var last: [String] = []
        for flow in 0..<UInt32(256) where worker.stage.app(of: flow) == .redis {
            last.append(worker.stage.withLastCommand(of: flow) { String(decoding: $0, as: UTF8.self) })
        }
        // One connection per redis-cli command, then the pipelined batch ending in QUIT.
        XCTAssertEqual(last.count, 16)
        XCTAssertTrue(last.contains("QUIT"), "\(last)")
        XCTAssertTrue(last.contains("HGETALL"), "\(last)")
        XCTAssertFalse(last.contains(""), "\(last)")
        worker.shutdown()
    }
}
