#if os(Linux)
import Foundation
import XCTest

/// `sluice run` with `io: dpdk` inline between the client and server namespaces: the bed's
/// veth ends ma and mb are DPDK ports through the net_af_packet driver (two queue pairs each,
/// one per worker), and the same policy and sensors as `InlineTests` decide.
final class DPDKInlineTests: XCTestCase {
    static let dpdk = """
        dpdk:
          eal: [--no-huge, -m, "512", --no-pci, "--vdev=net_af_packet0,iface=ma,qpairs=2", "--vdev=net_af_packet1,iface=mb,qpairs=2"]
          mbufs: 16383
          ring_size: 512

        """

    /// curl and dig pass, a denied port is reset (curl exit 7), and a SQL injection a block
    /// rule matches is cut off after the handshake, with the EVE records AF_PACKET writes.
    func testDPDKInlinePassesAllowedResetsDeniedAndBlocksAttack() throws {
        guard FileManager.default.fileExists(atPath: "/usr/include/dpdk/rte_ethdev.h") else {
            throw XCTSkip("libdpdk-dev is not installed")
        }
        guard sh("command -v ethtool").status == 0 else { throw XCTSkip("ethtool is not installed") }
        let bed = try Bed(prefix: "sdk")
        defer { bed.tearDown() }
        // net_af_packet does not carry the kernel's checksum-offload state (AF_PACKET's vnet
        // header) across: a veth's TCP segments would leave with only the pseudo-header sum.
        // The senders compute their checksums instead (which also turns TSO off).
        try bed.run("ip netns exec \(bed.client) ethtool -K c0 tx off")
        try bed.run("ip netns exec \(bed.server) ethtool -K s0 tx off")
        let web = try bed.startHTTP()
        let other = try bed.startHTTP(port: 8080)
        try bed.startDNS()
        try bed.write("waf-block.yaml", wafBlockSensor)
        try bed.write("policy.yaml", protectPolicy(sensors: ["waf-core", "waf-block"]))
        let sluice = try Daemon(bed, interfaces: ["{ name: web, mode: inline, pair: [net_af_packet0, net_af_packet1], workload: web }"],
                                sensorFiles: ["waf-block.yaml"], extra: Self.dpdk, io: "dpdk")

        let ok = bed.curl("http://10.98.0.2/hello.txt")
        expect(ok.status == 0 && ok.output.contains("hello through sluice"), "curl: \(ok)", sluice)
        let udp = bed.dig("www.example.test")
        expect(udp.status == 0 && udp.output.contains("10.98.0.2"), "dig: \(udp)", sluice)
        let denied = bed.curl("http://10.98.0.2:8080/hello.txt", "--local-port 41234")
        expect(denied.status == 7, "denied port: expected a reset answering the SYN (curl exit 7), got \(denied.status): \(denied.output)", sluice)
        let attack = bed.curl("http://10.98.0.2/?q=1%27%20union%20select%20null--")
        expect(attack.status == 56 || attack.status == 52, "attack: expected a reset or empty reply, got \(attack.status): \(attack.output)", sluice)
        usleep(300_000)
        expect(!other.text.contains("GET"), "the server on 8080 got the request: \(other.text)", sluice)
        expect(!web.text.lowercased().contains("union"), "the server logged the attack: \(web.text)", sluice)

        XCTAssertEqual(sluice.stop(), 0, "exit status; log:\n\(sluice.log)")
        expect(sluice.records("http").contains { field($0, "http", "url") == "/hello.txt" }, "no http record", sluice)
        expect(sluice.records("dns").contains { field($0, "dns", "rrname") == "www.example.test" }, "no dns record", sluice)
        expect(sluice.records("policy").contains { sluiceField($0, "policy", "action") == "deny" && field($0, "dest_port") == "8080" },
               "no deny record for 8080", sluice)
        expect(sluice.records("alert").contains { field($0, "alert", "signature_id") == "9100001" && field($0, "alert", "action") == "blocked" },
               "no blocked alert", sluice)
    }

    /// net_tap: the DPDK process makes two kernel tap devices, they are moved into a client
    /// and a server namespace, and sluice bridges them inline: ping and curl pass and EVE has
    /// the http record (no veth, no AF_PACKET anywhere on the path).
    func testDPDKInlineOverNetTapDevices() throws {
        guard FileManager.default.fileExists(atPath: "/usr/include/dpdk/rte_ethdev.h") else {
            throw XCTSkip("libdpdk-dev is not installed")
        }
        guard getuid() == 0 else { throw XCTSkip("needs root") }
        let sluice = try SluiceBinary.require()
        let tag = "\(getpid())"
        let (cli, srv) = ("sdt-cli-\(tag)", "sdt-srv-\(tag)")
        let dir = NSTemporaryDirectory() + "sluice-dpdk-tap-\(tag)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var started: [Background] = []
        defer {
            for b in started { _ = b.stop(SIGKILL) }
            sh("ip netns del \(cli); ip netns del \(srv)")
            try? FileManager.default.removeItem(atPath: dir)
        }
        guard sh("ip netns add \(cli) && ip netns add \(srv)").status == 0 else { throw XCTSkip("ip netns unavailable") }
        // Names carry the pid so parallel runs do not collide (IFNAMSIZ: 15 characters).
        let (tc, ts) = ("dtc\(tag.suffix(8))", "dts\(tag.suffix(8))")
        try """
            io: dpdk
            workers: 1
            interfaces:
              - { name: web, mode: inline, pair: [net_tap0, net_tap1] }
            dpdk:
              eal: [--no-huge, -m, "512", --no-pci, "--vdev=net_tap0,iface=\(tc)", "--vdev=net_tap1,iface=\(ts)"]
            unknown: allow
            eve: \(dir)/eve.json

            """.write(toFile: "\(dir)/sluice.yaml", atomically: true, encoding: .utf8)
        let daemon = try Background("'\(sluice)' run --config '\(dir)/sluice.yaml'", log: "\(dir)/sluice.log")
        started.append(daemon)
        XCTAssertTrue(daemon.wait(for: "ready", seconds: 60), daemon.text)
        for command in ["ip link set \(tc) netns \(cli)", "ip link set \(ts) netns \(srv)",
                        "ip -n \(cli) addr add 10.97.0.1/24 dev \(tc)", "ip -n \(srv) addr add 10.97.0.2/24 dev \(ts)",
                        "ip -n \(cli) link set \(tc) up", "ip -n \(srv) link set \(ts) up",
                        "ip -n \(cli) link set lo up", "ip -n \(srv) link set lo up"] {
            let r = sh(command)
            XCTAssertEqual(r.status, 0, "\(command): \(r.output)")
        }
        try "hello over net_tap\n".write(toFile: "\(dir)/hello.txt", atomically: true, encoding: .utf8)
        let web = try Background("ip netns exec \(srv) python3 -m http.server 80 --bind 10.97.0.2 --directory '\(dir)'",
                                 log: "\(dir)/http.log")
        started.append(web)
        usleep(800_000)
        let ping = sh("ip netns exec \(cli) ping -c 2 -W 2 10.97.0.2")
        XCTAssertEqual(ping.status, 0, ping.output)
        let curl = sh("ip netns exec \(cli) curl -s -m 5 http://10.97.0.2/hello.txt")
        XCTAssertTrue(curl.status == 0 && curl.output.contains("hello over net_tap"), "\(curl)\n\(daemon.text)")
        XCTAssertEqual(daemon.stop(SIGTERM, seconds: 10), 0, daemon.text)
        let eve = (try? String(contentsOfFile: "\(dir)/eve.json", encoding: .utf8)) ?? ""
        XCTAssertTrue(eve.contains("\"event_type\":\"http\"") && eve.contains("/hello.txt"), eve)
    }
}
#endif
