import ControlAPI
import ConfigYAML
import Dataplane
import SluiceConfig
import XCTest

/// The overrides document kept in etcd: modes and quarantine, errors with their line.
final class DesiredOverridesTests: XCTestCase {
    func testModesAndQuarantineParse() throws {
        let o = try DesiredOverrides.parse("modes: { web: monitor, db: protect }\nquarantined: [db, db]\n", file: "k")
        XCTAssertEqual(o.modes, ["web": "monitor", "db": "protect"])
        XCTAssertEqual(o.quarantined, ["db"])
        // JSON is YAML too.
        XCTAssertEqual(try DesiredOverrides.parse(#"{"modes": {"web": "discover"}}"#, file: "k").modes, ["web": "discover"])
    }

    func testErrorsNameKeyAndLine() {
        for (text, line) in [("modes:\n  web: sideways\n", 2), ("quarantined: 7\n", 1), ("modes: {}\nbogus: 1\n", 2),
                             ("quarantined:\n  - [a]\n", 2), ("{ unclosed\n", 2)] {
            XCTAssertThrowsError(try DesiredOverrides.parse(text, file: "/s/desired/overrides"), text) { e in
                let c = e as? ConfigError
                XCTAssertEqual(c?.file, "/s/desired/overrides")
                XCTAssertEqual(c?.line, line, "\(text): \(e)")
            }
        }
    }
}
