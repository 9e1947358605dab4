import APITypes
@testable import ControlAPI
import Foundation
import XCTest

/// The API's checks on request numbers and types, and the event tail read from the end.
final class APIRequestFieldsTests: XCTestCase {
    func field(_ json: String) -> String? {
        do { _ = try CaptureStartRequest.parse(Array(json.utf8)); return nil } catch { return error.field }
    }

    func testCaptureFieldsOfTheWrongTypeOrRangeNameTheField() throws {
        XCTAssertEqual(field(#"{"interface": "web", "bytes": -1}"#), "bytes")
        XCTAssertEqual(field(#"{"interface": "web", "seconds": 1e11}"#), "seconds")
        XCTAssertEqual(field(#"{"interface": "web", "seconds": 1e300}"#), "seconds")
        XCTAssertEqual(field(#"{"interface": "web", "packets": 1.5}"#), "packets")
        XCTAssertEqual(field(#"{"interface": "web", "packets": 18446744073709551615}"#), "packets")
        XCTAssertEqual(field(#"{"interface": "web", "packets": true}"#), "packets")
        XCTAssertEqual(field(#"{"interface": "web", "filter": 5}"#), "filter")
        XCTAssertEqual(field(#"{"interface": 7}"#), "interface")
        XCTAssertEqual(field(#"{"interface": "web", "workload": "web"}"#), "interface")
        XCTAssertEqual(field(#"{"interface": "web", "paket": 1}"#), "paket")
        XCTAssertEqual(field("[1]"), "body")
        XCTAssertEqual(field(#"{"interface": "web", "filter": "\#(String(repeating: "a", count: 5000))"}"#), "filter")
        let ok = try CaptureStartRequest.parse(Array(#"{"workload": "web", "packets": 10, "seconds": 2.5, "snaplen": 96, "filter": "icmp"}"#.utf8))
        XCTAssertEqual(ok.workload, "web")
        XCTAssertEqual(ok.packets, 10)
        XCTAssertEqual(ok.seconds, 2.5)
        XCTAssertEqual(ok.snaplen, 96)
        XCTAssertEqual(ok.filter, "icmp")
    }

    func testBooleansAreNotNumbers() throws {
        let o = try JSONFields(Array(#"{"q": true, "n": 1}"#.utf8), allowed: ["q", "n"])
        XCTAssertEqual(try o.bool("q"), true)
        XCTAssertThrowsError(try o.bool("n"))
        XCTAssertThrowsError(try o.int("q", in: 0...10))
        XCTAssertEqual(try o.int("n", in: 0...10), 1)
    }

    func testTailReadsTheLastCompleteLinesFromTheEnd() throws {
        let path = NSTemporaryDirectory() + "sluice-tail-\(getpid()).json"
        defer { unlink(path) }
        var text = ""
        for i in 0..<5000 { text += "{\"n\":\(i)}\n" }
        text += "{\"partial\""
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let size = UInt64(text.utf8.count - "{\"partial\"".utf8.count)
        for count in [0, 1, 3, 4999, 5000, 10_000] {
            let t = try XCTUnwrap(FileTail.lastLines(path: path, count: count, blockSize: 256))
            let lines = String(decoding: t.bytes, as: UTF8.self).split(separator: "\n")
            XCTAssertEqual(lines.count, min(count, 5000), "count \(count)")
            if count > 0 { XCTAssertEqual(lines.last, "{\"n\":4999}") }
            if count > 0 && count <= 5000 { XCTAssertEqual(lines.first.map(String.init), "{\"n\":\(5000 - count)}") }
            XCTAssertEqual(t.end, size, "following starts after the last complete line")
        }
        // The byte cap returns whole lines only.
        let capped = try XCTUnwrap(FileTail.lastLines(path: path, count: 5000, blockSize: 100, maxBytes: 1000))
        let lines = String(decoding: capped.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.dropLast().allSatisfy { $0.hasPrefix("{\"n\":") && $0.hasSuffix("}") }, "\(lines.prefix(3))")
        XCTAssertLessThan(capped.bytes.count, 1200)
    }
}
