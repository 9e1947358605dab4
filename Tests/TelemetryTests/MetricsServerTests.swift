import Foundation
import Telemetry
import XCTest

final class MetricsServerTests: XCTestCase {
    /// Real curl against the server: /metrics is the rendered board with the 0.0.4 content
    /// type, other paths are 404, other methods 405; after stop nothing listens.
    func testServesMetricsToCurl() throws {
        guard let curl = findExecutable(["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"]) else {
            throw XCTSkip("curl is not installed")
        }
        let board = MetricsBoard(workers: 2)
        let ws = Fixture.workers()
        board.slots[0].publish(ws[0])
        board.slots[1].publish(ws[1])
        let labels = Fixture.labels
        let server = MetricsServer(host: "127.0.0.1", port: 0) { PrometheusText.render(workers: board.read(), labels: labels) }
        let port = try server.start()
        XCTAssertGreaterThan(port, 0)
        XCTAssertEqual(server.port, port)
        XCTAssertThrowsError(try server.start())
        let base = "http://127.0.0.1:\(port)"

        let body = try exec(curl, ["-s", base + "/metrics"])
        XCTAssertEqual(body.status, 0, body.err)
        XCTAssertEqual(body.out, PrometheusText.render(workers: board.read(), labels: labels))
        XCTAssertTrue(body.out.contains("sluice_flows_created_total 42\n"))

        let head = try exec(curl, ["-s", "-D", "-", "-o", "/dev/null", base + "/metrics?x=1"])
        XCTAssertTrue(head.out.hasPrefix("HTTP/1.1 200 OK"), head.out)
        XCTAssertTrue(head.out.lowercased().contains("content-type: text/plain; version=0.0.4"), head.out)

        let missing = try exec(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/"])
        XCTAssertEqual(missing.out, "404")
        let other = try exec(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/metricsx"])
        XCTAssertEqual(other.out, "404")
        let post = try exec(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", base + "/metrics"])
        XCTAssertEqual(post.out, "405")

        // Several requests on one connection (keep-alive), and a new publication shows up.
        var m = ws[0]
        m.flowsCreated = 1000
        board.slots[0].publish(m)
        let two = try exec(curl, ["-s", base + "/metrics", base + "/metrics"])
        XCTAssertEqual(two.out.components(separatedBy: "sluice_flows_created_total 1012\n").count, 3)

        try server.stop()
        XCTAssertNil(server.port)
        let after = try exec(curl, ["-s", "-o", "/dev/null", base + "/metrics"])
        XCTAssertEqual(after.status, 7, "curl: connection refused after stop")
        try server.stop()
    }

    func testBindErrorThrows() throws {
        let a = MetricsServer(host: "127.0.0.1", port: 0) { "" }
        let port = try a.start()
        defer { try? a.stop() }
        let b = MetricsServer(host: "127.0.0.1", port: port) { "" }
        XCTAssertThrowsError(try b.start())
        XCTAssertNil(b.port)
    }
}
