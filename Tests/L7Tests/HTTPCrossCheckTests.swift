import Foundation
import SluiceTestSupport
import XCTest

/// HTTP/1, HTTP/2 and gRPC records of the recorded curl, nghttp, hypercorn/nghttpd and grpcio
/// captures, against tshark and against what the recording's clients sent and received.
final class HTTPCrossCheckTests: XCTestCase {
    /// A host as the request named it, without port or IPv6 brackets (Sluice's `hostname`).
    static func bareHost(_ h: String) -> String {
        // An IPv6 literal keeps its brackets, as Suricata (and Sluice) log it.
        if h.hasPrefix("["), let end = h.firstIndex(of: "]") { return String(h[...end]) }
        if let colon = h.lastIndex(of: ":"), h.filter({ $0 == ":" }).count == 1 { return String(h[..<colon]) }
        return h
    }

    /// tshark rows with comma-joined values (several messages in one frame) split into one row each.
    static func unjoin(_ rows: [[String]]) -> [[String]] {
        rows.flatMap { row -> [[String]] in
            let columns = row.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let n = columns.map(\.count).max() ?? 0
            return (0..<n).map { i in columns.map { i < $0.count ? $0[i] : "" } }
        }
    }

    /// The `http` objects of requests (HTTP/2's stream-0 records, which carry the connection's
    /// SETTINGS and GOAWAY, are no request).
    func httpRecords(_ events: [[String: Any]], version2: Bool) -> [[String: Any]] {
        events.filter { $0["event_type"] as? String == "http" }.compactMap { $0["http"] as? [String: Any] }
            .filter { ($0["version"] as? String == "2") == version2 }
            .filter { ($0["http2"] as? [String: Any])?["stream_id"] as? Int != 0 }
    }

    /// Stream 0, as Suricata logs it: one record per HTTP/2 connection with both sides'
    /// SETTINGS, and the client's GOAWAY error code when it closed with one.
    func testHTTP2ConnectionRecords() throws {
        let (events, _) = try L7Harness.replay("l7-http2.pcap")
        let h2 = events.filter { $0["event_type"] as? String == "http" && $0["app_proto"] as? String == "http2" }
        let zero = h2.compactMap { ($0["http"] as? [String: Any])?["http2"] as? [String: Any] }.filter { $0["stream_id"] as? Int == 0 }
        let connections = Set(h2.compactMap { $0["flow_id"] as? Int })
        XCTAssertEqual(zero.count, connections.count)
        for z in zero {
            let request = z["request"] as? [String: Any], response = z["response"] as? [String: Any]
            XCTAssertFalse((request?["settings"] as? [[String: Any]] ?? []).isEmpty, "\(z)")
            XCTAssertFalse((response?["settings"] as? [[String: Any]] ?? []).isEmpty, "\(z)")
            for s in (request?["settings"] as? [[String: Any]] ?? []) {
                XCTAssertTrue((s["settings_id"] as? String)?.hasPrefix("SETTINGS") == true, "\(s)")
            }
        }
        XCTAssertTrue(zero.contains { ($0["request"] as? [String: Any])?["error_code"] as? String == "NOERROR" }, "\(zero)")
    }

    func testHTTP1RequestsMatchTsharkAndStatusesMatchClients() throws {
        for capture in ["mixed.pcap", "l7-http1.pcap"] {
            let (events, _) = try L7Harness.replay(capture)
            let http = httpRecords(events, version2: false)
            let ours = http.map { "\($0["http_method"] as? String ?? "") \($0["url"] as? String ?? "") \($0["hostname"] as? String ?? "")" }
            let reference = Self.unjoin(try L7Harness.tshark(["-r", L7Harness.path(capture), "-Y", "http.request", "-T", "fields",
                                                              "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.host"]))
                .map { "\($0[0]) \($0[1]) \(Self.bareHost($0[2]))" }
            XCTAssertFalse(reference.isEmpty, capture)
            XCTAssertEqual(ours.sorted(), reference.sorted(), capture)
        }
        // Statuses: tshark loses one of three pipelined responses after a HEAD (it reads the
        // next response as the HEAD's body), so the clients' own record is the reference.
        let (events, _) = try L7Harness.replay("l7-http1.pcap")
        let ours = httpRecords(events, version2: false).map {
            "http \($0["http_method"] as? String ?? "") \($0["url"] as? String ?? "") \($0["status"] as? Int ?? 0)"
        }
        XCTAssertEqual(ours.sorted(), try L7Harness.expected("l7-http1.expected").sorted())
        // Body lengths as sent: the gzip responses are counted compressed, as Suricata does.
        for r in httpRecords(events, version2: false) where r["http_method"] as? String == "HEAD" {
            XCTAssertEqual(r["length"] as? Int, 0, "\(r)")
        }
    }

    func testHTTP2StreamsMatchTsharkAndClients() throws {
        let capture = "l7-http2.pcap"
        let (events, counters) = try L7Harness.replay(capture)
        let h2 = httpRecords(events, version2: true)
        // tshark finds prior knowledge and the h2c upgrade itself; nghttpd's port needs a hint.
        let rows = Self.unjoin(try L7Harness.tshark(["-r", L7Harness.path(capture), "-d", "tcp.port==8081,http2",
                                                     "-Y", "http2.type == 1", "-T", "fields",
                                                     "-e", "http2.headers.method", "-e", "http2.headers.path",
                                                     "-e", "http2.headers.authority", "-e", "http2.headers.status"]))
        var requests = rows.filter { !$0[0].isEmpty }.map { "\($0[0]) \($0[1]) \($0[2])" }
        // The upgraded request went as HTTP/1 and is stream 1 of the HTTP/2 connection.
        for row in try L7Harness.tshark(["-r", L7Harness.path(capture), "-Y", "http.request && http.upgrade", "-T", "fields",
                                         "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.host"]) {
            requests.append("\(row[0]) \(row[1]) \(Self.bareHost(row[2]))")
        }
        let statuses = rows.compactMap { Int($0[3]) }
        let ours = h2.map { "\($0["http_method"] as? String ?? "") \($0["url"] as? String ?? "") \($0["hostname"] as? String ?? "")" }
        XCTAssertEqual(ours.sorted(), requests.sorted())
        XCTAssertEqual(h2.compactMap { $0["status"] as? Int }.sorted(), statuses.sorted())
        XCTAssertEqual(counters.h2cUpgrades, 1)
        // Against the clients: method, path and status of every exchange.
        let expected = try L7Harness.expected("l7-http2.expected").map {
            $0.replacingOccurrences(of: "http2-upgrade ", with: "http2 ")
        }
        XCTAssertEqual(h2.map { "http2 \($0["http_method"] as? String ?? "") \($0["url"] as? String ?? "") \($0["status"] as? Int ?? 0)" }.sorted(),
                       expected.sorted())
    }

    func testGRPCServiceMethodAndStatus() throws {
        let (events, _) = try L7Harness.replay("l7-grpc.pcap")
        let grpc = events.filter { $0["event_type"] as? String == "http" }.compactMap { eveVendorObject($0, "grpc") }
        let ours = grpc.map { "grpc \($0["service"] as? String ?? "")/\($0["method"] as? String ?? "") \($0["status"] as? Int ?? -1)" }
        XCTAssertEqual(ours.sorted(), try L7Harness.expected("l7-grpc.expected").sorted())
        let paths = try L7Harness.tshark(["-r", L7Harness.path("l7-grpc.pcap"), "-d", "tcp.port==50051,http2",
                                          "-Y", "http2.headers.path", "-T", "fields", "-e", "http2.headers.path"]).map { $0[0] }
        XCTAssertEqual(httpRecords(events, version2: true).compactMap { $0["url"] as? String }.sorted(), paths.sorted())
    }
}
