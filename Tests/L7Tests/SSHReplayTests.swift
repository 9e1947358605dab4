import Foundation
import L7
import L7Core
import XCTest

/// The `ssh` record of a real OpenSSH handshake (Tests/Captures/record-ssh.sh), checked
/// against what the programs announced and against tshark's HASSH.
final class SSHReplayTests: XCTestCase {
    static let capture = "../l7/ssh.pcap"

    /// The capture's one `ssh` record.
    func record() throws -> [String: Any] {
        let (events, counters) = try L7Harness.replay(Self.capture)
        let records = events.filter { $0["event_type"] as? String == "ssh" }
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(counters.sshEvents, 1)
        XCTAssertEqual(counters.flowsByApp[Int(AppProto.ssh.rawValue)], 1)
        let flows = events.filter { $0["event_type"] as? String == "flow" }
        XCTAssertEqual(flows.first?["app_proto"] as? String, "ssh")
        return try XCTUnwrap(records.first?["ssh"] as? [String: Any])
    }

    /// Proto and software versions of each side, as `ssh -v` reported them while recording.
    func testVersionsMatchWhatTheProgramsAnnounced() throws {
        let ssh = try record()
        for line in try L7Harness.expected("../l7/ssh.expected") {
            // "client SSH-2.0-OpenSSH_9.2p1": the side, then protoversion-softwareversion.
            let parts = line.split(separator: " ")
            let side = try XCTUnwrap(ssh[String(parts[0])] as? [String: Any], line)
            let banner = parts[1].dropFirst("SSH-".count)
            let dash = try XCTUnwrap(banner.firstIndex(of: "-"))
            XCTAssertEqual(side["proto_version"] as? String, String(banner[..<dash]), line)
            XCTAssertEqual(side["software_version"] as? String, String(banner[banner.index(after: dash)...]), line)
        }
    }

    /// HASSH and HASSHServer, hash and string, as tshark computes them from the same KEXINITs.
    func testHASSHMatchesTshark() throws {
        guard ["/usr/bin/tshark", "/usr/local/bin/tshark"].contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("tshark is not installed (scripts/install-deps.sh installs it)")
        }
        let ssh = try record()
        let path = L7Harness.path(Self.capture)
        let client = try L7Harness.tshark(["-r", path, "-Y", "ssh.kex.hassh", "-T", "fields",
                                           "-e", "ssh.kex.hassh", "-e", "ssh.kex.hassh_algorithms"])
        let server = try L7Harness.tshark(["-r", path, "-Y", "ssh.kex.hasshserver", "-T", "fields",
                                           "-e", "ssh.kex.hasshserver", "-e", "ssh.kex.hasshserver_algorithms"])
        for (name, rows) in [("client", client), ("server", server)] {
            let row = try XCTUnwrap(rows.first, name)
            let hassh = try XCTUnwrap((ssh[name] as? [String: Any])?["hassh"] as? [String: Any], name)
            XCTAssertEqual(hassh["hash"] as? String, row[0], name)
            XCTAssertEqual(hassh["string"] as? String, row[1], name)
        }
    }
}
