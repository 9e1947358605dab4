import Codecs
import Engine
import Enforce
import Foundation
import L7
import PacketIO
import Policy
import XCTest

/// The policy discover mode learns from `capture`, in `groups` (the test policy's when nil).
func learnedPolicy(_ capture: String, groups: [PolicyGroup]? = nil) throws -> String {
    let known = try groups ?? PolicyDocument.parse(PolicyReplayTests.policy(mode: "protect"), file: "groups.yaml").groups
    var source = try PcapFile(path: PolicyReplayTests.captures.appendingPathComponent(capture).path)
    var worker = Worker(config: EngineConfig(), stage: LearningStage(l7: L7Stage()), eveFD: -1)
    _ = try Replay.run(&source, through: &worker)
    worker.shutdown()
    XCTAssertEqual(worker.stage.overflow, 0)
    return LearnedPolicy.yaml(worker.stage.learned, groups: known)
}

/// Discover mode's learner: the policy it writes loads, allows everything the capture did
/// and nothing wider than the shapes it saw.
final class PolicyLearnTests: XCTestCase {
    func testLearnedPolicyAllowsWhatWasSeenInTheGivenGroups() throws {
        let yaml = try learnedPolicy("mixed.pcap")
        let rules = yaml.split(separator: "\n").filter { $0.contains("action: allow") }.map {
            String($0.drop { $0 != "f" })   // from "from:" on, without the id
        }
        XCTAssertEqual(Set(rules), [
            "from: clients, to: web, ports: [icmp], action: allow }",
            "from: clients, to: web, ports: [tcp/443], apps: [tls], action: allow }",
            "from: clients, to: web, ports: [tcp/53], apps: [dns], action: allow }",
            "from: clients, to: web, ports: [tcp/80], apps: [http], action: allow }",
            "from: clients, to: web, ports: [tcp/81], action: allow }",
            "from: clients, to: web, ports: [udp/53], apps: [dns], action: allow }",
        ], yaml)
        let (records, counters) = try PolicyReplayTests.replay("mixed.pcap", yaml)
        XCTAssertEqual(records.count, 0)
        XCTAssertEqual(counters.denied, 0)
        XCTAssertEqual(counters.allowed, 22)
    }

    func testAddressesOutsideEveryGroupGetTheirOwn() throws {
        let yaml = try learnedPolicy("l7-redis.pcap", groups: [])
        XCTAssertTrue(yaml.contains("host-10-77-0-1: { cidrs: [\"10.77.0.1/32\"] }"), yaml)
        XCTAssertTrue(yaml.contains("host-fd77--2: { cidrs: [\"fd77::2/128\"] }"), yaml)
        XCTAssertTrue(yaml.contains("ports: [tcp/6379], apps: [redis]"), yaml)
        // Learned from redis only: an HTTP flow between the same hosts is not allowed by it.
        let compiled = try CompiledPolicy(parsing: yaml, file: "learned.yaml")
        let d = compiled.classify(src: try XCTUnwrap(IPAddress("10.77.0.1")), dst: try XCTUnwrap(IPAddress("10.77.0.2")),
                                  proto: 6, dstPort: 80, app: .http, fqdn: .empty)
        XCTAssertEqual(d.effect, .deny)
        let (_, counters) = try PolicyReplayTests.replay("l7-redis.pcap", yaml)
        XCTAssertEqual(counters.denied, 0)
    }
}

/// `--against`: every flow classified under both policies, the differing ones listed.
final class PolicySimulationTests: XCTestCase {
    func testDifferencesAgainstTheLearnedPolicyAreExactlyTheRefusedFlows() throws {
        let old = try CompiledPolicy(parsing: learnedPolicy("mixed.pcap"), file: "learned.yaml")
        let new = try CompiledPolicy(parsing: PolicyReplayTests.policy(mode: "protect"), file: "new.yaml")

        var replay = try PcapFile(path: PolicyReplayTests.captures.appendingPathComponent("mixed.pcap").path)
        var worker = Worker(config: EngineConfig(), stage: PolicyStage(l7: L7Stage(), policy: new, against: old), eveFD: -1)
        _ = try Replay.run(&replay, through: &worker)
        worker.shutdown()
        let diffs = worker.stage.differences.all.map { d -> String in
            let port = d.proto == 6 ? ":\(d.clientPort) > \(d.server):\(d.serverPort)" : " > \(d.server)"
            return "\(d.proto == 6 ? "TCP" : "ICMP") \(d.client)\(port) \(d.new)/\(d.old)"
        }
        XCTAssertEqual(Set(diffs), Set(PolicyReplayTests.refused.map { $0 + " deny/allow" }))
    }
}

/// A new policy put in force mid-capture: cached verdicts are made again at each flow's next
/// packet, so a session the old policy allowed is cut by the new one.
final class PolicySwapTests: XCTestCase {
    func testApplyReDecidesOpenFlows() throws {
        let allowAll = try CompiledPolicy(parsing: learnedPolicy("mixed.pcap"), file: "old.yaml")
        let strict = try CompiledPolicy(parsing: PolicyReplayTests.policy(mode: "protect"), file: "new.yaml")

        // Frames 388-403 are the TLS session to beta.example.com: swap policies inside it.
        var replay = try PcapFile(path: PolicyReplayTests.captures.appendingPathComponent("mixed.pcap").path)
        let link = replay.linkType
        var worker = Worker(config: EngineConfig(), stage: PolicyStage(l7: L7Stage(), policy: allowAll), eveFD: -1)
        var frame = 0
        var droppedAfterSwap = 0
        while let p = try replay.nextPacket() {
            frame += 1
            if frame == 395 {
                XCTAssertEqual(worker.stage.counters.denied, 0, "the learned policy allows everything seen")
                worker.stage.apply(strict)
            }
            let verdict = worker.process(frame: p.data, wireLength: p.wireLength, timestamp: p.timestamp, linkType: link)
            if frame >= 395 && verdict == .drop { droppedAfterSwap += 1 }
        }
        worker.shutdown()
        XCTAssertEqual(worker.stage.counters.policiesApplied, 1)
        // Denied: beta's session at its next frame after the swap, and what started later (gamma's
        // session from frame 404, tcp/81 at 418, the ping at 420). Flows that ended before stay allowed.
        XCTAssertEqual(worker.stage.counters.denied, 4)
        XCTAssertGreaterThan(droppedAfterSwap, 0)
    }
}
