#if os(Linux)
import Foundation
import Glibc

/// A container's host-side veth taken off its bridge and joined to it again through Sluice:
///
///     container eth0 ──veth── V  [Sluice inline pair: V, S]  S ──veth── B ── bridge
///
/// `B`/`S` is a veth pair Sluice creates; `B` takes `V`'s place on the bridge. What the
/// container sends arrives on V, Sluice forwards it out of S, and it enters the bridge on B;
/// the reverse path is the same. Nothing the CNI owns changes but V's bridge membership: the
/// container's addresses, routes and netns stay, and on detach V goes back on the bridge and
/// B/S are deleted. Bridge-based CNIs only (podman, docker, the CNI `bridge` plugin, flannel);
/// routed ones (calico, cilium) would need the tc redirect variant (docs/deploy.md).
///
/// Why `ip` (iproute2) and not netlink from C: it runs once per container start and stop,
/// never per packet; one `ip -batch` process takes a few milliseconds; and what it does is
/// what an operator would type to undo it by hand.
public struct Interposition: Sendable, Equatable {
    /// The container's host-side veth (V).
    public var veth: String
    /// The bridge V was a port of.
    public var bridge: String
    /// Sluice's veth on the bridge (B) and the one Sluice forwards through (S).
    public var bridgeSide: String
    public var sluiceSide: String

    public init(veth: String, bridge: String, bridgeSide: String, sluiceSide: String) {
        self.veth = veth; self.bridge = bridge; self.bridgeSide = bridgeSide; self.sluiceSide = sluiceSide
    }
}

public enum VethInterposer {
    /// Names Sluice's veths after V's interface index: `slbN` (on the bridge) and `slsN`.
    public static let prefixes = ["slb", "sls"]

    /// Whether `name` is one of the veths Sluice creates (never attached as a container's).
    public static func isOwn(_ name: String) -> Bool {
        prefixes.contains { name.hasPrefix($0) } && name.dropFirst(3).allSatisfy(\.isNumber)
    }

    /// Interposes on `veth`, a port of `bridge`, and records it in `runDir`.
    public static func interpose(veth: String, bridge: String, ifindex: Int, runDir: String) throws -> Interposition {
        let i = Interposition(veth: veth, bridge: bridge, bridgeSide: "slb\(ifindex)", sluiceSide: "sls\(ifindex)")
        let mtu = (try? String(contentsOfFile: "/sys/class/net/\(veth)/mtu", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.map { min(max($0, 68), 65535) } ?? 1500
        // Recorded first: a crash halfway is still undone by `sluice restore`.
        try record(i, runDir: runDir)
        // addrgenmode none: no IPv6 link-local (and no router solicitations) on Sluice's veths.
        let batch = """
            link add \(i.bridgeSide) mtu \(mtu) type veth peer name \(i.sluiceSide) mtu \(mtu)
            link set dev \(i.bridgeSide) addrgenmode none
            link set dev \(i.sluiceSide) addrgenmode none
            link set dev \(i.sluiceSide) up
            link set dev \(i.bridgeSide) master \(bridge) up
            link set dev \(veth) nomaster

            """
        if let error = ip(batch, force: false) {
            _ = ip("link del dev \(i.bridgeSide)\n", force: true)
            try? FileManager.default.removeItem(atPath: runDir + "/" + veth)
            throw InterposeError(reason: "ip: \(error)")
        }
        return i
    }

    /// Puts V back on its bridge (when it still exists) and deletes Sluice's veths.
    @discardableResult
    public static func restore(_ i: Interposition, runDir: String) -> String? {
        var batch = ""
        if exists(i.veth) { batch += "link set dev \(i.veth) master \(i.bridge)\n" }
        if exists(i.bridgeSide) { batch += "link del dev \(i.bridgeSide)\n" }
        let error = batch.isEmpty ? nil : ip(batch, force: true)
        try? FileManager.default.removeItem(atPath: runDir + "/" + i.veth)
        return error
    }

    /// Undoes every interposition recorded in `runDir` (after a crash: the supervisor with
    /// `fail: open`, a starting daemon, `sluice restore`); what was restored.
    public static func restoreAll(runDir: String) -> [Interposition] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runDir)) ?? []
        var done: [Interposition] = []
        for n in names.sorted() {
            let path = runDir + "/" + n
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), let i = parse(text) else {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            restore(i, runDir: runDir)
            done.append(i)
        }
        return done
    }

    /// A record: `veth bridge bridgeSide sluiceSide` on one line; nil unless every field is an
    /// interface name (the file is read back after a crash, so it is checked, not trusted).
    public static func parse(_ text: String) -> Interposition? {
        let f = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard f.count == 4, f.allSatisfy(isInterfaceName) else { return nil }
        return Interposition(veth: f[0], bridge: f[1], bridgeSide: f[2], sluiceSide: f[3])
    }

    static func record(_ i: Interposition, runDir: String) throws {
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        try "\(i.veth) \(i.bridge) \(i.bridgeSide) \(i.sluiceSide)\n".write(toFile: runDir + "/" + i.veth, atomically: true, encoding: .utf8)
    }

    /// 1 to 15 bytes, none of them `/`, space or control characters (what the kernel accepts).
    public static func isInterfaceName(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return (1...15).contains(b.count) && b.allSatisfy { $0 > 0x20 && $0 != 0x2F && $0 != 0x7F && $0 != 0x3A }
    }

    static func exists(_ name: String) -> Bool { isInterfaceName(name) && if_nametoindex(name) != 0 }

    /// Runs `ip [-force] -batch -` with `batch` on stdin; nil on success, else what it said.
    static func ip(_ batch: String, force: Bool) -> String? {
        guard let path = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return "ip (iproute2) not found"
        }
        let r = runTool(path, (force ? ["-force"] : []) + ["-batch", "-"], input: batch)
        return r.status == 0 ? nil : r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Interposing failed: what `ip` said.
public struct InterposeError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// Runs a tool, `input` on its stdin; its exit status and its stdout and stderr together.
func runTool(_ path: String, _ args: [String], input: String = "") -> (status: Int32, output: String) {
    SupervisorSpawn.run(path, [path] + args, input: input)
}
#endif
