import FuzzTargets
import Foundation
import XCTest

/// Runs every fuzz target over its seed corpus and its saved crashes in the ordinary test
/// build (overflow checks on): an input that once crashed a parser stays in the repo and must
/// keep running to completion. The libFuzzer runs themselves are `scripts/fuzz.sh`.
final class FuzzRegressionTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz").path

    func testEveryTargetHasASeedCorpus() {
        for t in FuzzTarget.allCases {
            let seeds = FuzzCorpus.files([Self.root + "/corpus/" + t.rawValue])
            XCTAssertFalse(seeds.isEmpty, "no seeds for \(t.rawValue) in Tests/Fuzz/corpus/\(t.rawValue)")
        }
    }

    func testSeedsAndRegressionsRunToCompletion() {
        var ran = 0
        for t in FuzzTarget.allCases {
            for path in FuzzCorpus.files([Self.root + "/corpus/" + t.rawValue, Self.root + "/regressions/" + t.rawValue]) {
                guard let bytes = FuzzCorpus.read(path) else { XCTFail("\(path) unreadable"); continue }
                bytes.withUnsafeBytes { t.run($0) }
                ran += 1
            }
        }
        XCTAssertGreaterThan(ran, FuzzTarget.allCases.count)
    }
}
