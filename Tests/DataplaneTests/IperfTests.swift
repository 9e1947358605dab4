#if os(Linux)
import Foundation
import XCTest

/// A bulk TCP transfer (iperf3, GSO super-frames on veth) through Sluice inline, with the
/// built-in sensors on: it arrives, and the daemon forwarded every frame it received.
final class IperfTests: XCTestCase {
    func testIperf3CrossesInlineWithoutLoss() throws {
        guard sh("command -v iperf3").status == 0 else { throw XCTSkip("iperf3 missing") }
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.write("policy.yaml", protectPolicy(extraRules: ["{ id: 50, from: clients, to: web, ports: [tcp/5201], action: allow }"]))
        let sluice = try Daemon(bed, interfaces: [inlinePair], workers: 1)
        defer { sluice.stop() }
        _ = try bed.start(bed.server, "iperf3", "iperf3 -s -B 10.98.0.2 -1")
        try bed.waitListening(bed.server, port: 5201)
        let run = bed.exec(bed.client, "iperf3 -c 10.98.0.2 -t 2 -J")
        XCTAssertEqual(run.status, 0, run.output)
        let json = (try? JSONSerialization.jsonObject(with: Data(run.output.utf8))) as? [String: Any] ?? [:]
        let end = json["end"] as? [String: Any] ?? [:]
        let received = (end["sum_received"] as? [String: Any])?["bytes"] as? Double ?? 0
        XCTAssertGreaterThan(received, 10_000_000, "at least 10 MB crossed in 2 s")
        XCTAssertEqual(sluice.stop(), 0)
        // "web: ma->mb received N forwarded N dropped 0; mb->ma received M forwarded M dropped 0; kernel drops 0, ..."
        let line = sluice.log.split(separator: "\n").first { $0.contains("web: ma->mb") }.map(String.init) ?? ""
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        XCTAssertEqual(numbers.count, 8, line)
        if numbers.count == 8 {
            XCTAssertEqual(numbers[0], numbers[1], "every frame ma->mb forwarded: \(line)")
            XCTAssertEqual(numbers[3], numbers[4], "every frame mb->ma forwarded: \(line)")
            XCTAssertEqual(numbers[2] + numbers[5] + numbers[6] + numbers[7], 0, "no drop, no kernel drop, no send failure: \(line)")
        }
    }
}
#endif
