import Codecs
import Engine
import Foundation
import L7
import XCTest

/// One `dns` record per question of a request, however many it claims: the questions are
/// walked once (they were walked again from the first for each record, quadratic in a
/// hostile request of thousands of questions on an already detected DNS flow).
final class DNSEventTests: XCTestCase {
    /// A raw IPv4/UDP frame from 10.0.0.1:5353 to 10.0.0.2:53 carrying `dns`.
    func frame(_ dns: [UInt8]) -> [UInt8] {
        let total = 28 + dns.count
        var f: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 1, 0, 0, 64, 17, 0, 0,
                          10, 0, 0, 1, 10, 0, 0, 2]
        let udp = 8 + dns.count
        f += [0x14, 0xe9, 0, 53, UInt8(udp >> 8), UInt8(udp & 0xff), 0, 0]
        return f + dns
    }

    /// A query with `count` questions for the root, type A.
    func query(id: UInt8, questions count: Int) -> [UInt8] {
        var m: [UInt8] = [0, id, 0x01, 0x00, UInt8(count >> 8), UInt8(count & 0xff), 0, 0, 0, 0, 0, 0]
        for _ in 0..<count { m += [0, 0, 1, 0, 1] }
        return m
    }

    func testEveryQuestionOfALargeRequestIsOneRecord() throws {
        let fd = open("/dev/null", O_WRONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var worker = Worker(config: EngineConfig(), stage: L7Stage(eveFD: fd), eveFD: fd)
        // The first message decides the flow is DNS (detection wants fewer than 64 questions);
        // the second is what the flow's parser then takes without detection.
        for (i, m) in [query(id: 1, questions: 1), query(id: 2, questions: 5000)].enumerated() {
            frame(m).withUnsafeBytes { b in
                _ = worker.process(frame: b, wireLength: b.count, timestamp: 1_000_000_000 * UInt64(i + 1), linkType: .raw)
            }
        }
        XCTAssertEqual(worker.stage.counters.dnsEvents, 5001)
        worker.shutdown()
    }
}
