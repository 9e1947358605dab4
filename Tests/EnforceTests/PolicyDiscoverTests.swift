import Codecs
import Engine
import Enforce
import Foundation
import L7
import PacketIO
import Policy
import XCTest

/// Discover mode in the policy stage (what the daemon runs) learns the same shapes as
/// `sluice policy learn` from the same traffic; the learned rules merge into a policy that
/// then allows the traffic; rule hit counters follow rule ids across a new policy.
final class PolicyDiscoverTests: XCTestCase {
    func run(_ policy: String, then next: String? = nil) throws -> Worker<PolicyStage> {
        var source = try PcapFile(path: PolicyReplayTests.captures.appendingPathComponent("mixed.pcap").path)
        var worker = Worker(config: EngineConfig(),
                            stage: PolicyStage(l7: L7Stage(), policy: try CompiledPolicy(parsing: policy, file: "p.yaml")),
                            eveFD: -1)
        _ = try Replay.run(&source, through: &worker)
        if let next { worker.stage.apply(try CompiledPolicy(parsing: next, file: "next.yaml")) }
        worker.shutdown()
        return worker
    }

    func testPolicyStageLearnsWhatPolicyLearnLearns() throws {
        let worker = try run(PolicyReplayTests.policy(mode: "discover"))
        var offline = Worker(config: EngineConfig(), stage: LearningStage(l7: L7Stage()), eveFD: -1)
        var source = try PcapFile(path: PolicyReplayTests.captures.appendingPathComponent("mixed.pcap").path)
        _ = try Replay.run(&source, through: &offline)
        offline.shutdown()
        XCTAssertGreaterThan(worker.stage.learned.count, 0)
        XCTAssertEqual(Set(worker.stage.learned.all), Set(offline.stage.learned))
        XCTAssertEqual(worker.stage.learned.overflow, 0)
        let groups = try PolicyDocument.parse(PolicyReplayTests.policy(mode: "protect"), file: "g.yaml").groups
        XCTAssertEqual(LearnedPolicy.yaml(worker.stage.learned.all, groups: groups),
                       LearnedPolicy.yaml(offline.stage.learned, groups: groups))
    }

    func testMergedPolicyAllowsTheTrafficAndKeepsExistingRules() throws {
        let learned = try run(PolicyReplayTests.policy(mode: "discover")).stage.learned.all
        let current = try PolicyDocument.parse(PolicyReplayTests.policy(mode: "protect"), file: "p.yaml")
        let merge = LearnedPolicy.merge(learned, into: current)
        // The protect policy refuses the TLS sessions outside its FQDN group, port 81 and the
        // ping (PolicyReplayTests.refused); rule 40 (deny tcp/22) is explicit and matched nothing.
        XCTAssertEqual(merge.explicitlyDenied, [])
        XCTAssertGreaterThan(merge.added, 0)
        XCTAssertGreaterThan(merge.alreadyAllowed, 0)
        XCTAssertEqual(Array(merge.document.rules.prefix(current.rules.count)), current.rules, "existing rules keep ids and order")
        XCTAssertTrue(merge.document.rules.dropFirst(current.rules.count).allSatisfy { $0.id > 40 && $0.action == .allow })
        XCTAssertEqual(merge.document.workloads, current.workloads)
        let text = merge.document.yaml
        XCTAssertEqual(try PolicyDocument.parse(text, file: "merged.yaml"), merge.document)
        let (records, counters) = try PolicyReplayTests.replay("mixed.pcap", text)
        XCTAssertEqual(counters.denied, 0, "the merged policy still denies: \(records)")
        // Merging again adds nothing.
        XCTAssertEqual(LearnedPolicy.merge(learned, into: merge.document).added, 0)
    }

    func testRuleHitsFollowRuleIDsAcrossAPolicyChange() throws {
        let first = PolicyReplayTests.policy(mode: "protect")
        let before = try run(first)
        func hits(_ w: borrowing Worker<PolicyStage>) -> [Int: UInt64] {
            var out: [Int: UInt64] = [:]
            for i in 0..<w.stage.policy.ruleCount { out[w.stage.policy.ruleID(at: i)] = w.stage.ruleHits[i] }
            return out
        }
        let counted = hits(before)
        XCTAssertGreaterThan(counted[10] ?? 0, 0)
        // Rule 20 is renumbered 25 and rule 5 is new: 10 and 30 keep their counts, 25 and 5
        // start at zero; the default's count carries over.
        let next = first.replacingOccurrences(of: "- { id: 20,", with: "- { id: 25,")
            .replacingOccurrences(of: "rules:\n", with: "rules:\n  - { id: 5, from: any, to: any, ports: [tcp/7], action: deny }\n")
        let after = try run(first, then: next)
        let carried = hits(after)
        XCTAssertEqual(carried[5], 0)
        XCTAssertEqual(carried[25], 0)
        XCTAssertEqual(carried[10], counted[10])
        XCTAssertEqual(carried[30], counted[30])
        XCTAssertEqual(after.stage.defaultHits, before.stage.defaultHits)
    }
}
