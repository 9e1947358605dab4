import APITypes
import ControlAPI
import Dataplane
import Foundation
import XCTest

/// `containers:` in the daemon config, and what the container watcher reads from outside:
/// interposition records, the runtime's container list, attach requests.
final class ContainerSettingsTests: XCTestCase {
    func testContainersSectionLoadsWithoutInterfaces() throws {
        let c = try DaemonConfig.parse("""
            containers: { runtime: podman, mode: tap, bridges: [cni0, podman0], workload_labels: [app], max: 8, run_dir: run }

            """, file: "/etc/sluice/node.yaml")
        XCTAssertTrue(c.interfaces.isEmpty)
        let s = try XCTUnwrap(c.containers)
        XCTAssertEqual(s.mode, .tap)
        XCTAssertEqual(s.bridges, ["cni0", "podman0"])
        XCTAssertEqual(s.workloadLabels, ["app"])
        XCTAssertEqual(s.max, 8)
        XCTAssertEqual(s.runDirectory, "/etc/sluice/run")
        XCTAssertEqual(try DaemonConfig.parse("containers: {}\n", file: "f.yaml").containers?.mode, .inline)
    }

    func testMistakesNameTheKey() {
        func error(_ text: String) -> String {
            do { _ = try DaemonConfig.parse(text, file: "c.yaml"); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(error("workers: 1\n").contains("interfaces"), "no interfaces and no containers: still an error")
        XCTAssertTrue(error("containers: { runtime: docker }\n").contains("runtime"))
        XCTAssertTrue(error("containers: { mode: bridge }\n").contains("mode"))
        XCTAssertTrue(error("containers: { max: 100 }\n").contains("max"))
        XCTAssertTrue(error("containers: { bridges: [a-very-long-bridge-name] }\n").contains("bridges"))
        XCTAssertTrue(error("containers: { watch: true }\n").contains("watch"))
    }

    func testInterpositionRecordsAreCheckedNotTrusted() {
        XCTAssertEqual(VethInterposer.parse("veth1 cni0 slb4 sls4\n"),
                       Interposition(veth: "veth1", bridge: "cni0", bridgeSide: "slb4", sluiceSide: "sls4"))
        XCTAssertNil(VethInterposer.parse("veth1 cni0 slb4\n"))
        XCTAssertNil(VethInterposer.parse("veth1 ../etc slb4 sls4\n"))
        XCTAssertNil(VethInterposer.parse("veth1 cni0 slb4 a-name-longer-than-15\n"))
        XCTAssertTrue(VethInterposer.isOwn("slb12") && VethInterposer.isOwn("sls3"))
        XCTAssertFalse(VethInterposer.isOwn("slbx") || VethInterposer.isOwn("veth1"))
    }

    func testPodmanListKeepsRunningContainersWithLabels() {
        let list = PodmanList.parse(Data("""
            [{"Id":"abc","Names":["web"],"Pid":7114,"Labels":{"sluice.workload":"web","n":3}},
             {"Id":"def","Names":["created"],"Pid":0},
             {"Id":"ghi","Pid":1e300},
             {"Names":["no-id"],"Pid":5}]
            """.utf8))
        XCTAssertEqual(list, [RuntimeContainer(id: "abc", name: "web", pid: 7114, labels: ["sluice.workload": "web"])])
        XCTAssertEqual(PodmanList.parse(Data("not json".utf8)), [])
    }

    func testAttachRequestsAreDecodedStrictly() throws {
        let r = try AttachRequest.parse(Array(#"{"name":"web","mode":"inline","pair":["a","b"],"workload":"web"}"#.utf8))
        XCTAssertEqual(r, AttachRequest(name: "web", mode: "inline", pair: ["a", "b"], workload: "web"))
        XCTAssertThrowsError(try AttachRequest.parse(Array(#"{"name":"web","mode":"inline"}"#.utf8)))
        XCTAssertThrowsError(try AttachRequest.parse(Array(#"{"name":"web","mode":"tap"}"#.utf8)))
        XCTAssertThrowsError(try AttachRequest.parse(Array(#"{"name":"web","mode":"tap","interface":"x","extra":1}"#.utf8)))
        XCTAssertThrowsError(try AttachRequest.parse(Array(#"{"name":"web","mode":"inline","pair":["a"]}"#.utf8)))
    }
}
