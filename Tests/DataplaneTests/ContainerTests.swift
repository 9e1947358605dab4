#if os(Linux)
import Foundation
import Glibc
import XCTest

/// Sluice with `containers:` in front of real podman containers (runc, the CNI bridge plugin),
/// run from a busybox rootfs built here (nothing is pulled). Everything lives in one network
/// namespace the test makes: podman is started in it with `nsenter --net` (its bridge is
/// created there), Sluice with `ip netns exec` (so its /sys shows that namespace's links).
final class ContainerTests: XCTestCase {
    var ns = ""
    var dir = ""
    var names: [String] = []
    var sluice: Background?

    override func tearDown() {
        if ProcessInfo.processInfo.environment["SLUICE_TEST_LOG"] != nil, let s = sluice { print(s.text) }
        sluice?.stop(SIGTERM, seconds: 10)
        for n in names { sh("\(podman) rm -f -t 0 \(n)") }
        if !ns.isEmpty { sh("ip netns del \(ns)") }
        if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
    }

    var podman: String { "nsenter --net=/run/netns/\(ns) podman --runtime runc" }

    /// Starts a container from the busybox rootfs with `labels`, at `ip`, running `command`.
    func run(_ name: String, ip: String, workload: String, _ command: String) throws {
        let r = sh("\(podman) run -d --name \(name) --ip \(ip) --label sluice.workload=\(workload) "
                   + "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs \(dir)/rootfs /bin/sh -c '\(command)'")
        guard r.status == 0 else { throw BedError("podman run \(name): \(r.output)") }
    }

    /// An HTTP request from the client container with busybox nc: the server's answer, or nc's error.
    func request(_ client: String, _ host: String, port: Int = 80, path: String = "/") -> String {
        sh("\(podman) exec \(client) sh -c 'printf \"GET \(path) HTTP/1.0\\r\\n\\r\\n\" | nc -w 3 \(host) \(port)'").output
    }

    /// `GET /v1/interfaces` through `sluice ctl`.
    func interfaces(_ binary: String) -> [[String: Any]] {
        let r = sh("'\(binary)' ctl interfaces --json --socket \(dir)/api.sock --token-file \(dir)/token")
        let o = (try? JSONSerialization.jsonObject(with: Data(r.output.utf8))) as? [String: Any]
        return (o?["interfaces"] as? [[String: Any]]) ?? []
    }

    /// Polls the API every 5 ms until `ok` holds for the interface list (or `seconds` pass).
    func waitFor(_ binary: String, seconds: Double, _ ok: ([[String: Any]]) -> Bool) -> [[String: Any]]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let list = interfaces(binary)
            if ok(list) { return list }
            usleep(5000)
        }
        return nil
    }

    func testContainersAreAttachedEnforcedAndRestored() throws {
        guard getuid() == 0 else { throw XCTSkip("container tests need root") }
        for tool in ["podman", "runc", "nsenter", "ip"] where sh("command -v \(tool)").status != 0 {
            throw XCTSkip("missing: \(tool) (scripts/install-deps.sh)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/bin/busybox"), sh("ldd /bin/busybox").output.contains("not a dynamic") else {
            throw XCTSkip("missing: a static /bin/busybox (busybox-static)")
        }
        let binary = try SluiceBinary.require()
        let tag = "\(getpid())"
        ns = "sct-\(tag)"
        dir = NSTemporaryDirectory() + "sluice-containers-\(tag)"
        // podman's IPAM is shared by every namespace: addresses from the pid keep reruns apart.
        let subnet = "10.88.\(20 + Int(getpid()) % 200)"
        let (webIP, cliIP) = ("\(subnet).10", "\(subnet).11")
        let (web, cli) = ("sct-web-\(tag)", "sct-cli-\(tag)")
        names = [web, cli]
        guard sh("ip netns add \(ns)").status == 0 else { throw XCTSkip("ip netns unavailable") }
        let rootfs = "\(dir)/rootfs"
        XCTAssertEqual(sh("mkdir -p \(rootfs)/bin \(rootfs)/www \(rootfs)/etc \(rootfs)/proc \(rootfs)/sys \(rootfs)/dev \(rootfs)/tmp && "
                          + "cp /bin/busybox \(rootfs)/bin/ && for a in sh httpd nc sleep printf cat; do ln -s busybox \(rootfs)/bin/$a; done && "
                          + "echo hello-from-web > \(rootfs)/www/index.html && echo root:x:0:0:root:/:/bin/sh > \(rootfs)/etc/passwd && "
                          + "echo token-\(tag) > \(dir)/token").status, 0)

        // The web container runs before Sluice: it must be picked up at start.
        try run(web, ip: webIP, workload: "web", "httpd -p 80 -h /www; httpd -p 8080 -h /www; exec sleep 1000")
        let bridge = sh("ip -n \(ns) -o link show type bridge").output.split(separator: ":").dropFirst().first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "cni-podman0"
        try Data("""
            version: 1
            mode: protect
            default: deny
            groups:
              web:    { cidrs: [\(webIP)/32] }
              client: { cidrs: [\(cliIP)/32] }
            workloads:
              web:    { group: web, sensors: [{ name: waf-core, action: block }] }
              client: { group: client }
            rules:
              - { id: 10, from: client, to: web, ports: [tcp/80], apps: [http], action: allow }

            """.utf8).write(to: URL(fileURLWithPath: "\(dir)/policy.yaml"))
        try Data("""
            workers: 2
            policy: policy.yaml
            sensors: [waf-core]
            eve: eve.json
            fail: open
            containers: { runtime: podman, mode: inline, bridges: [\(bridge)], run_dir: run }
            api: { socket: api.sock, token_file: token }

            """.utf8).write(to: URL(fileURLWithPath: "\(dir)/sluice.yaml"))
        let daemon = try Background("ip netns exec \(ns) '\(binary)' run --config \(dir)/sluice.yaml", log: "\(dir)/sluice.log")
        sluice = daemon
        XCTAssertTrue(daemon.wait(for: "ready", seconds: 60), daemon.text)
        let atStart = interfaces(binary)
        XCTAssertTrue(atStart.contains { $0["container"] as? String == web && $0["workload"] as? String == "web" },
                      "the container started before Sluice is attached when it is ready: \(atStart)\n\(daemon.text)")

        // The client starts after: attached, then named by its labels.
        let started = Date()
        try run(cli, ip: cliIP, workload: "client", "exec sleep 1000")
        let ran = Date()
        guard let list = waitFor(binary, seconds: 5, { $0.contains { $0["container"] as? String == cli && $0["workload"] as? String == "client" } }),
              let entry = list.first(where: { $0["container"] as? String == cli }) else {
            return XCTFail("the client container was not attached and named within 5 s:\n\(daemon.text)")
        }
        let named = Date()
        let attachedAt = (entry["attached_at"] as? NSNumber)?.doubleValue ?? 0
        let linkSeenAt = (entry["link_seen_at"] as? NSNumber)?.doubleValue ?? 0
        XCTAssertEqual(entry["mode"] as? String, "inline")
        XCTAssertEqual(entry["bridge"] as? String, bridge)

        // Policy between the two: allowed HTTP passes, another port is refused by Sluice's
        // reset, and a SQL injection is blocked by the WAF sensor.
        let firstRequest = Date()
        let allowed = request(cli, webIP)
        XCTAssertTrue(allowed.contains("hello-from-web"), allowed)
        let denied = request(cli, webIP, port: 8080)
        XCTAssertFalse(denied.contains("hello-from-web"), denied)
        XCTAssertTrue(denied.contains("refused") || denied.contains("reset"), denied)
        let attack = request(cli, webIP, path: "/?id=1%27%20OR%20%271%27=%271")
        XCTAssertFalse(attack.contains("hello-from-web"), attack)

        // Stopped: detached (and its veth's Sluice side removed); started again: attached again.
        XCTAssertEqual(sh("\(podman) stop -t 0 \(web)").status, 0)
        XCTAssertNotNil(waitFor(binary, seconds: 5) { !$0.contains { $0["container"] as? String == web } },
                        "the stopped container stays attached:\n\(daemon.text)")
        XCTAssertEqual(sh("\(podman) start \(web)").status, 0)
        XCTAssertNotNil(waitFor(binary, seconds: 5) { $0.contains { $0["container"] as? String == web && $0["workload"] as? String == "web" } },
                        "the restarted container is not attached again:\n\(daemon.text)")
        // The restarted container has a new MAC: the client's ARP entry for it would take up to
        // 45 s to go stale (as without Sluice), so it is flushed.
        let cliPID = sh("\(podman) inspect -f '{{.State.Pid}}' \(cli)").output.trimmingCharacters(in: .whitespacesAndNewlines)
        sh("nsenter --net=/proc/\(cliPID)/ns/net ip neigh flush all")
        var again = ""
        for _ in 0..<20 where !again.contains("hello-from-web") { again = request(cli, webIP); usleep(100_000) }
        XCTAssertTrue(again.contains("hello-from-web"), again)

        // A crash with fail: open: the supervisor puts the veths back on the bridge, the next
        // daemon interposes again.
        if let line = daemon.text.split(separator: "\n").first(where: { $0.contains("started the daemon, pid") }),
           let pid = Int32(line.split(separator: " ").last ?? "") {
            kill(pid, SIGKILL)
            XCTAssertTrue(daemon.wait(for: "back on their bridges", seconds: 10), daemon.text)
            XCTAssertTrue(waitFor(binary, seconds: 30) { l in l.filter { $0["origin"] as? String == "container" }.count == 2 } != nil,
                          "after the restart both containers are attached again:\n\(daemon.text)")
            var after = ""
            for _ in 0..<20 where !after.contains("hello-from-web") { after = request(cli, webIP); usleep(100_000) }
            XCTAssertTrue(after.contains("hello-from-web"), after)
        }

        // A clean stop takes Sluice out of the path: every veth back on the bridge, no slb/sls left.
        XCTAssertEqual(daemon.stop(SIGTERM, seconds: 15), 0, daemon.text)
        let links = sh("ip -n \(ns) -o link").output
        XCTAssertFalse(links.contains("slb") || links.contains("sls"), links)
        XCTAssertEqual(links.split(separator: "\n").filter { $0.contains("veth") && $0.contains("master \(bridge)") }.count, 2, links)
        XCTAssertTrue(request(cli, webIP, port: 8080).contains("hello-from-web"), "without Sluice nothing is blocked")

        let eve = (try? String(contentsOfFile: "\(dir)/eve.json", encoding: .utf8)) ?? ""
        let records = eve.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        XCTAssertTrue(records.contains { field($0, "event_type") == "alert" && field($0, "dest_ip") == webIP }, "a WAF alert on the attack")
        XCTAssertTrue(records.contains { field($0, "event_type") == "policy" && field($0, "dest_port") == "8080" }, "a deny record for port 8080")
        // The timeline: the first record of a flow from the client carries its first packet's time.
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let firstVerdict = records.filter { field($0, "src_ip") == cliIP }.compactMap { field($0, "timestamp").flatMap(formatter.date) }.min()
        func ms(_ d: Date?) -> String { d.map { String(format: "%.0f ms", $0.timeIntervalSince(started) * 1000) } ?? "-" }
        print("""
            container timeline (client, from `podman run`): link seen \(ms(Date(timeIntervalSince1970: linkSeenAt))), \
            attached \(ms(Date(timeIntervalSince1970: attachedAt))), podman run returned \(ms(ran)), \
            workload named (seen by the API) \(ms(named)), first request (podman exec) \(ms(firstRequest)), \
            first verdict on the client's traffic \(ms(firstVerdict))
            """)
    }

    /// deploy/sidecar.yaml's init step, run as written on a pod-like namespace (its eth0 a veth
    /// to a "node" namespace), then Sluice inline on [eth0, sl-pod] as the sidecar runs it: the
    /// pod's address answers only through Sluice, and the policy holds.
    func testSidecarSplitPutsSluiceInThePodsPath() throws {
        guard getuid() == 0 else { throw XCTSkip("container tests need root") }
        for tool in ["ip", "curl", "python3", "awk"] where sh("command -v \(tool)").status != 0 { throw XCTSkip("missing: \(tool)") }
        let binary = try SluiceBinary.require()
        let manifest = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/sidecar.yaml"), encoding: .utf8)
        // The ConfigMap's split.sh: the lines indented under `split.sh: |`.
        var script: [String] = [], inside = false
        for line in manifest.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  split.sh: |") { inside = true; continue }
            if inside { if line.hasPrefix("    ") { script.append(String(line.dropFirst(4))) } else { break } }
        }
        XCTAssertFalse(script.isEmpty, "deploy/sidecar.yaml holds split.sh")
        let tag = "\(getpid())"
        ns = "ssp-pod-\(tag)"
        let node = "ssp-node-\(tag)"
        dir = NSTemporaryDirectory() + "sluice-sidecar-\(tag)"
        guard sh("ip netns add \(ns)").status == 0 else { throw XCTSkip("ip netns unavailable") }
        defer { sh("ip netns del \(node)") }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for c in ["ip netns add \(node)", "ip -n \(node) link add host0 type veth peer name eth0 netns \(ns)",
                  "ip -n \(node) addr add 10.97.0.1/24 dev host0", "ip -n \(node) link set host0 up", "ip -n \(node) link set lo up",
                  "ip -n \(ns) addr add 10.97.0.2/24 dev eth0", "ip -n \(ns) link set eth0 up", "ip -n \(ns) link set lo up",
                  "ip -n \(ns) route add default via 10.97.0.1"] {
            let r = sh(c)
            guard r.status == 0 else { throw BedError("\(c): \(r.output)") }
        }
        try Data(script.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(dir)/split.sh"))
        let split = sh("ip netns exec \(ns) sh \(dir)/split.sh")
        XCTAssertEqual(split.status, 0, split.output)
        let pod = sh("ip -n \(ns) -o addr show dev sl-app").output
        XCTAssertTrue(pod.contains("10.97.0.2/24"), "the pod's address moved to sl-app: \(pod)")
        // http.server looks its address up (getfqdn) before it listens; the pod's default route
        // would send that query toward the host's resolver, which the policy denies, and the
        // server would listen only after the resolver timed out. A resolver on the pod's own
        // loopback fails at once and keeps the query inside the namespace.
        let netnsEtc = "/etc/netns/\(ns)"
        try FileManager.default.createDirectory(atPath: netnsEtc, withIntermediateDirectories: true)
        try Data("nameserver 127.0.0.1\n".utf8).write(to: URL(fileURLWithPath: "\(netnsEtc)/resolv.conf"))
        defer { try? FileManager.default.removeItem(atPath: netnsEtc) }
        let server = try Background("ip netns exec \(ns) python3 -m http.server 8080 --bind 10.97.0.2 --directory \(dir)", log: "\(dir)/http.log")
        let other = try Background("ip netns exec \(ns) python3 -m http.server 9090 --bind 10.97.0.2 --directory \(dir)", log: "\(dir)/http2.log")
        defer { server.stop(); other.stop() }
        usleep(500_000)
        let curl = "ip netns exec \(node) curl -s -o /dev/null -w %{http_code} -m 3"
        XCTAssertNotEqual(sh("\(curl) http://10.97.0.2:8080/split.sh").output, "200", "split, the pod is reachable only through Sluice")
        try Data("""
            version: 1
            mode: protect
            default: deny
            groups:
              clients: { cidrs: [10.97.0.1/32] }
              web:     { cidrs: [10.97.0.2/32] }
            workloads:
              web: { group: web }
            rules:
              - { id: 10, from: clients, to: web, ports: [tcp/8080], apps: [http], action: allow }

            """.utf8).write(to: URL(fileURLWithPath: "\(dir)/policy.yaml"))
        try Data("""
            workers: 1
            interfaces:
              - { name: web, mode: inline, pair: [eth0, sl-pod], workload: web }
            policy: policy.yaml
            sensors: [waf-core]
            eve: eve.json
            fail: open

            """.utf8).write(to: URL(fileURLWithPath: "\(dir)/sidecar.yaml"))
        let daemon = try Background("ip netns exec \(ns) '\(binary)' run --config \(dir)/sidecar.yaml", log: "\(dir)/sluice.log")
        sluice = daemon
        XCTAssertTrue(daemon.wait(for: "ready", seconds: 60), daemon.text)
        var code = ""
        for _ in 0..<20 where code != "200" { code = sh("\(curl) http://10.97.0.2:8080/split.sh").output; usleep(100_000) }
        XCTAssertEqual(code, "200", "allowed HTTP reaches the pod through Sluice; log: \(daemon.text)\nEVE: \((try? String(contentsOfFile: "\(dir)/eve.json", encoding: .utf8)) ?? "-")")
        XCTAssertNotEqual(sh("\(curl) http://10.97.0.2:9090/split.sh").output, "200", "a port the policy does not allow is reset")
    }

    /// deploy/build-image.sh builds the image from the binary under test, and the image runs as
    /// the DaemonSet runs it (only NET_ADMIN and NET_RAW, read-only root, `runtime: none`) as a
    /// node agent in front of a podman container: allowed HTTP passes, another port is refused,
    /// and a stop puts the veth back on the bridge.
    func testImageRunsAsANodeAgent() throws {
        guard getuid() == 0 else { throw XCTSkip("container tests need root") }
        for tool in ["podman", "runc", "nsenter", "ip", "strip", "ldd"] where sh("command -v \(tool)").status != 0 {
            throw XCTSkip("missing: \(tool) (scripts/install-deps.sh)")
        }
        guard sh("ldd /bin/busybox").output.contains("not a dynamic") else { throw XCTSkip("missing: a static /bin/busybox (busybox-static)") }
        let binary = try SluiceBinary.require()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let tag = "\(getpid())"
        ns = "sim-\(tag)"
        dir = NSTemporaryDirectory() + "sluice-image-\(tag)"
        let image = "localhost/sluice-test:\(tag)"
        let (agent, web, cli) = ("sim-agent-\(tag)", "sim-web-\(tag)", "sim-cli-\(tag)")
        names = [agent, web, cli]
        defer { sh("podman rmi -f \(image)") }
        guard sh("ip netns add \(ns)").status == 0 else { throw XCTSkip("ip netns unavailable") }
        try FileManager.default.createDirectory(atPath: "\(dir)/etc", withIntermediateDirectories: true)
        let build = sh("CONTEXT=\(dir)/context SLUICE_BIN='\(binary)' '\(root)/deploy/build-image.sh' \(image)")
        XCTAssertEqual(build.status, 0, build.output)
        print("image: \(build.output.split(separator: "\n").last ?? "")")
        let rootfs = "\(dir)/rootfs"
        XCTAssertEqual(sh("mkdir -p \(rootfs)/bin \(rootfs)/www \(rootfs)/proc \(rootfs)/sys \(rootfs)/dev && cp /bin/busybox \(rootfs)/bin/ && "
                          + "for a in sh httpd nc sleep printf; do ln -s busybox \(rootfs)/bin/$a; done && echo hello-from-web > \(rootfs)/www/index.html && "
                          + "mkdir -p \(dir)/run \(dir)/log").status, 0)
        let subnet = "10.88.\(20 + (Int(getpid()) + 100) % 200)"
        let (webIP, cliIP) = ("\(subnet).10", "\(subnet).11")
        let limits = "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
        XCTAssertEqual(sh("\(podman) run -d --name \(web) --ip \(webIP) \(limits) --rootfs \(rootfs) /bin/sh -c "
                          + "'httpd -p 80 -h /www; httpd -p 8080 -h /www; exec sleep 1000'").status, 0)
        let bridge = sh("ip -n \(ns) -o link show type bridge").output.split(separator: ":").dropFirst().first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "cni-podman0"
        try Data("""
            workers: 1
            policy: /etc/sluice/policy.yaml
            sensors: [waf-core]
            eve: /var/log/sluice/eve.json
            fail: open
            containers: { runtime: none, mode: inline, bridges: [\(bridge)], run_dir: /run/sluice/interposed }

            """.utf8).write(to: URL(fileURLWithPath: "\(dir)/etc/node.yaml"))
        try Data("""
            version: 1
            mode: protect
            default: deny
            groups:
              web: { cidrs: [\(webIP)/32] }
              cli: { cidrs: [\(cliIP)/32] }
            rules:
              - { id: 10, from: cli, to: web, ports: [tcp/80], apps: [http], action: allow }

            """.utf8).write(to: URL(fileURLWithPath: "\(dir)/etc/policy.yaml"))
        // As the DaemonSet runs it: every capability dropped but NET_ADMIN and NET_RAW, read-only root.
        let run = sh("podman --runtime runc run -d --name \(agent) --network ns:/run/netns/\(ns) \(limits) --cap-drop ALL "
                     + "--cap-add NET_ADMIN,NET_RAW --read-only -v \(dir)/etc:/etc/sluice:ro -v \(dir)/run:/run/sluice "
                     + "-v \(dir)/log:/var/log/sluice \(image) run --config /etc/sluice/node.yaml")
        XCTAssertEqual(run.status, 0, run.output)
        var logs = ""
        for _ in 0..<100 where !logs.contains("ready") { usleep(100_000); logs = sh("podman logs \(agent)").output }
        XCTAssertTrue(logs.contains("ready") && logs.contains("interposed on bridge"), logs)
        XCTAssertEqual(sh("\(podman) run -d --name \(cli) --ip \(cliIP) \(limits) --rootfs \(rootfs) /bin/sleep 1000").status, 0)
        var ok = ""
        for _ in 0..<20 where !ok.contains("hello-from-web") { usleep(100_000); ok = request(cli, webIP) }
        XCTAssertTrue(ok.contains("hello-from-web"), ok + sh("podman logs \(agent)").output)
        XCTAssertFalse(request(cli, webIP, port: 8080).contains("hello-from-web"), "port 8080 is not allowed")
        XCTAssertEqual(sh("podman stop -t 10 \(agent)").status, 0)
        let links = sh("ip -n \(ns) -o link").output
        XCTAssertFalse(links.contains("slb"), links)
        XCTAssertTrue(request(cli, webIP, port: 8080).contains("hello-from-web"), "without Sluice nothing is blocked")
    }
}
#endif
