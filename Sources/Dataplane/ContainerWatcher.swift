#if os(Linux)
import CAFPacket
import Foundation
import Glibc
import Synchronization

/// Finds containers' host-side veths as the runtime creates and deletes them, and has the
/// daemon attach and detach them (`containers:` in the config, docs/deploy.md).
///
/// Runtime-agnostic detection: a netlink route socket subscribed to link events wakes the
/// watcher within a millisecond of any interface appearing, changing (a veth put on a bridge)
/// or going; it then compares `/sys/class/net` with what it attached. A veth (its `iflink`,
/// the peer's index, differs from its own) that is a port of a watched bridge is attached at
/// once, before the container's process runs, with its flows under the unknown action. The
/// messages themselves are never parsed: sysfs says the same in a form the kernel checks.
///
/// Then the runtime names it: `podman ps` lists running containers with their process ids and
/// labels; the container whose network namespace holds the veth's peer (its
/// `/proc/PID/root/sys/class/net/*/iflink` is the veth's index) is the one, and its labels
/// (`workload_labels`, the first present) name the workload. Until then, and for at most 10 s,
/// the watcher asks again every 100 ms.
final class ContainerWatcher: @unchecked Sendable {
    unowned let daemon: Daemon
    let settings: ContainerSettings
    let fd: Int32
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    /// A veth the watcher attached.
    struct Tracked {
        var ifindex: Int
        var iface: UInt16
        var name: String
        var named = false
        var tries = 0
    }
    private var tracked: [String: Tracked] = [:]
    /// Veths whose attachment failed, by index: not retried until the index changes.
    private var failed: [String: Int] = [:]
    private var runtimePath: String?

    init(daemon: Daemon, settings: ContainerSettings) throws {
        self.daemon = daemon
        self.settings = settings
        let s = sluice_netlink_link_socket()
        guard s >= 0 else { throw InterposeError(reason: "netlink link socket: \(String(cString: strerror(-s)))") }
        fd = s
        if settings.runtime == "podman" {
            runtimePath = settings.command.hasPrefix("/") ? settings.command
                : (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
                    .map { "\($0)/\(settings.command)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
            if runtimePath == nil {
                daemon.log("containers: \(settings.command) not found; containers are attached without their labels (workload unknown)", level: .warning)
            }
        }
    }

    deinit { close(fd) }

    /// Attaches what is there already (containers started before Sluice), on the caller's thread.
    func initialScan() {
        scan()
        resolve()
    }

    func start() {
        let t = Thread { [self] in
            loop()
            done.signal()
        }
        t.name = "sluice-containers"
        t.start()
    }

    /// Stops the thread and detaches every container it attached (inline: their veths go back
    /// on their bridges).
    func stop() {
        stopped.store(true, ordering: .releasing)
        done.wait()
        for (_, t) in tracked { _ = daemon.detach(name: t.name, reason: "sluice is stopping") }
        tracked = [:]
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !stopped.load(ordering: .acquiring) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let waiting = tracked.values.contains { !$0.named }
            _ = poll(&p, 1, waiting ? 100 : 500)
            // Drained, not parsed: the wake-up is the message.
            while recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 {}
            if stopped.load(ordering: .acquiring) { break }
            scan()
            resolve()
        }
    }

    static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func readInt(_ path: String) -> Int? { read(path).flatMap { Int($0) } }

    /// The bridge `dev` is a port of, if any.
    static func master(of dev: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/sys/class/net/\(dev)/master") else { return nil }
        return (target as NSString).lastPathComponent
    }

    private func scan() {
        let now = Date()
        for (veth, t) in tracked where Self.readInt("/sys/class/net/\(veth)/ifindex") != t.ifindex {
            _ = daemon.detach(name: t.name, reason: "its link is gone: the container stopped")
            tracked[veth] = nil
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
        for n in names where tracked[n] == nil && !VethInterposer.isOwn(n) && VethInterposer.isInterfaceName(n) {
            let dir = "/sys/class/net/\(n)"
            guard let index = Self.readInt(dir + "/ifindex"), let link = Self.readInt(dir + "/iflink"), link != index,
                  failed[n] != index, let bridge = Self.master(of: n) else { continue }
            guard settings.bridges.isEmpty ? FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)/bridge")
                : settings.bridges.contains(bridge) else { continue }
            var spec = InterfaceSpec(name: n, mode: settings.mode)
            spec.interface = n
            switch daemon.attach(spec, origin: "container", linkSeenAt: now, interposeOn: settings.mode == .inline ? bridge : nil,
                                 unknownUntilNamed: runtimePath != nil) {
            case .success(let a):
                tracked[n] = Tracked(ifindex: index, iface: a.iface, name: n, named: runtimePath == nil)
                failed[n] = nil
            case .failure(let f):
                daemon.log("containers: cannot attach \(n): \(f.reason)", level: .error)
                failed[n] = index
            }
        }
    }

    private func resolve() {
        guard let runtimePath, tracked.values.contains(where: { !$0.named }) else { return }
        let r = runTool(runtimePath, ["ps", "--format", "json", "--no-trunc"])
        let containers = r.status == 0 ? PodmanList.parse(Data(r.output.utf8)) : []
        // The host-side index each container's interfaces point at (their veth peers).
        var owner: [Int: RuntimeContainer] = [:]
        for c in containers {
            let net = "/proc/\(c.pid)/root/sys/class/net"
            for dev in (try? FileManager.default.contentsOfDirectory(atPath: net)) ?? [] {
                if let peer = Self.readInt("\(net)/\(dev)/iflink") { owner[peer] = c }
            }
        }
        for (veth, t) in tracked where !t.named {
            if let c = owner[t.ifindex] {
                let workload = settings.workloadLabels.lazy.compactMap { c.labels[$0] }.first
                daemon.setAttachmentWorkload(iface: t.iface, workload: workload, container: c.name, containerID: c.id)
                tracked[veth]?.named = true
            } else {
                tracked[veth]?.tries += 1
                if t.tries + 1 >= 100 {
                    daemon.log("containers: no running container owns \(veth) after 10 s; its flows keep the unknown action", level: .warning)
                    tracked[veth]?.named = true
                }
            }
        }
    }
}
#endif

/// A running container as the runtime lists it.
public struct RuntimeContainer: Sendable, Equatable {
    public var id: String
    public var name: String
    public var pid: Int
    public var labels: [String: String]

    public init(id: String, name: String, pid: Int, labels: [String: String]) {
        self.id = id; self.name = name; self.pid = pid; self.labels = labels
    }
}

/// `podman ps --format json`: id, first name, pid and labels of the running containers. The
/// runtime's output is checked, not trusted: entries without an id or a positive pid that fits
/// are skipped, labels that are not strings dropped.
public enum PodmanList {
    public static func parse(_ data: Data) -> [RuntimeContainer] {
        guard let list = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else { return [] }
        return list.compactMap { o in
            guard let id = o["Id"] as? String, !id.isEmpty, let n = o["Pid"] as? NSNumber,
                  let pid = Int(exactly: n.doubleValue), pid > 0, pid < Int(Int32.max) else { return nil }
            let name = (o["Names"] as? [String])?.first ?? String(id.prefix(12))
            let labels = ((o["Labels"] as? [String: Any]) ?? [:]).compactMapValues { $0 as? String }
            return RuntimeContainer(id: id, name: name, pid: pid, labels: labels)
        }
    }
}
