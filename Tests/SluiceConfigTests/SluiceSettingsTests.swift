import ConfigYAML
import Foundation
import SluiceConfig
import XCTest

/// Loading engine settings from YAML: values land where they should, and every mistake is
/// reported with the file, the line, the column and the key.
final class SluiceSettingsTests: XCTestCase {
    func testShippedExampleLoadsWithDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/engine.yaml").path
        let s = try SluiceSettings.load(path: path)
        XCTAssertEqual(s.engine.flow.capacity, 65536)
        XCTAssertEqual(s.engine.stream.poolBytes, 64 << 20)
        XCTAssertEqual(s.engine.stream.perFlowBytes, 1 << 20)
        XCTAssertEqual(s.engine.flow.timeouts.tcpEstablished, 600)
        XCTAssertEqual(s.l7.httpFlows, 1024)
        XCTAssertEqual(s.l7.http.maxDecompressedBody, 1 << 20)
        XCTAssertNil(s.evePath)
    }

    func testAppLayerSection() throws {
        let s = try SluiceSettings.parse("""
        app_layer:
          http_flows: 16
          http2_flows: 8
          datastore_events: false
          http: { max_decompressed_body: 64k, decompression_layers: 1, pipeline_depth: 2 }
        """, file: "t.yaml")
        XCTAssertEqual(s.l7.httpFlows, 16)
        XCTAssertEqual(s.l7.http2Flows, 8)
        XCTAssertFalse(s.l7.datastoreEvents)
        XCTAssertEqual(s.l7.http.maxDecompressedBody, 64 << 10)
        XCTAssertEqual(s.l7.http.decompressionLayers, 1)
        XCTAssertEqual(s.l7.http.pipelineDepth, 2)
        XCTAssertThrowsError(try SluiceSettings.parse("app_layer:\n  http:\n    pipeline_depth: 9\n", file: "t.yaml")) {
            let e = "\($0)"
            XCTAssertTrue(e.contains("t.yaml:3") && e.contains("pipeline_depth"), e)
        }
    }

    func testValuesAndUnits() throws {
        let s = try SluiceSettings.parse("""
        flow:
          capacity: 1024
          timeouts: { tcp_new: 2m, udp_established: 1h, tcp_closed: 0 }
        stream: { reassemble: false, pool: 8MiB, per_flow: 64k, chunk: 1536 }
        defrag: { max_datagrams: 16, max_fragments: 8, timeout: 30s }
        eve: { path: /tmp/eve.json }
        """, file: "t.yaml")
        XCTAssertEqual(s.engine.flow.capacity, 1024)
        XCTAssertEqual(s.engine.flow.timeouts.tcpNew, 120)
        XCTAssertEqual(s.engine.flow.timeouts.udpEstablished, 3600)
        XCTAssertEqual(s.engine.flow.timeouts.tcpClosed, 0)
        XCTAssertFalse(s.engine.reassemble)
        XCTAssertEqual(s.engine.stream.poolBytes, 8 << 20)
        XCTAssertEqual(s.engine.stream.perFlowBytes, 64 << 10)
        XCTAssertEqual(s.engine.stream.chunkSize, 1536)
        XCTAssertEqual(s.engine.defrag.maxDatagrams, 16)
        XCTAssertEqual(s.engine.defrag.maxFragmentsPerDatagram, 8)
        XCTAssertEqual(s.engine.defrag.timeoutNanos, 30_000_000_000)
        XCTAssertEqual(s.evePath, "/tmp/eve.json")
    }

    func error(_ yaml: String) -> ConfigError? {
        do { _ = try SluiceSettings.parse(yaml, file: "bad.yaml"); return nil } catch { return error }
    }

    func testUnknownKeyNamesFileLineAndKey() throws {
        let e = try XCTUnwrap(error("flow:\n  capacity: 10\n  capacty: 5\n"))
        XCTAssertEqual(e.file, "bad.yaml")
        XCTAssertEqual(e.line, 3)
        XCTAssertEqual(e.key, "flow.capacty")
        XCTAssertTrue(e.description.hasPrefix("bad.yaml:3:3: flow.capacty: unknown key"), e.description)
    }

    func testBadValues() throws {
        let notInt = try XCTUnwrap(error("flow:\n  capacity: lots\n"))
        XCTAssertEqual(notInt.line, 2)
        XCTAssertEqual(notInt.key, "flow.capacity")
        XCTAssertTrue(notInt.reason.contains("integer"))

        let range = try XCTUnwrap(error("flow:\n  capacity: 1\n"))
        XCTAssertTrue(range.reason.contains("between"))

        let size = try XCTUnwrap(error("stream:\n  pool: 12XB\n"))
        XCTAssertEqual(size.key, "stream.pool")

        let bool = try XCTUnwrap(error("stream:\n  reassemble: maybe\n"))
        XCTAssertEqual(bool.key, "stream.reassemble")

        let duration = try XCTUnwrap(error("defrag:\n  timeout: soon\n"))
        XCTAssertEqual(duration.key, "defrag.timeout")

        let cap = try XCTUnwrap(error("stream:\n  pool: 1MiB\n  per_flow: 2MiB\n"))
        XCTAssertEqual(cap.key, "stream.per_flow")
        XCTAssertEqual(cap.line, 3)
    }

    func testSyntaxErrorHasPosition() throws {
        let e = try XCTUnwrap(error("flow:\n  capacity: [1\n"))
        XCTAssertGreaterThan(e.line, 0)
        XCTAssertTrue(e.reason.hasPrefix("YAML syntax"), e.reason)
    }

    func testWrongShapes() throws {
        XCTAssertEqual(try XCTUnwrap(error("- a\n- b\n")).reason, "expected a mapping of keys to values")
        XCTAssertEqual(try XCTUnwrap(error("flow: 5\n")).key, "flow")
        XCTAssertEqual(try XCTUnwrap(error("flow: {capacity: 10}\nflow: {capacity: 20}\n")).reason.contains("more than once"), true)
    }

    func testMissingFile() {
        XCTAssertThrowsError(try SluiceSettings.load(path: "/nonexistent/sluice.yaml")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/sluice.yaml"))
        }
    }
}
