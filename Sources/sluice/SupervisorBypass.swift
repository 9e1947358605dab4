#if canImport(Glibc)
import Dataplane
import Glibc

/// The kernel bypass of `fail: open`: while no daemon forwards, each inline pair is joined in
/// the kernel by a tc filter on the ingress of both ends that redirects every frame out of
/// the other end (`u32 match u32 0 0 action mirred egress redirect`). It needs no bridge
/// device and leaves the veths alone, so the next daemon attaches to them as before.
///
/// Why tc (iproute2) rather than netlink from a C shim: it acts only on a crash and at
/// hand-back, never per packet; `tc -batch` puts all pairs in place with one process (a few
/// milliseconds); and what it installs is exactly what an operator would type and can
/// inspect (`tc filter show dev A ingress`). Why u32: `matchall` is not built into every
/// kernel (it is a module many container hosts lack); u32 and mirred nearly always are.
///
/// The filter sits at preference 1 on the ingress hook of each end; Sluice owns that slot on
/// the interfaces of its inline pairs. AF_PACKET sees a frame before tc ingress does, so a
/// daemon's rings still get a copy while the filter is in place: the bypass and a daemon
/// must overlap only briefly (see docs/failover.md).
struct KernelBypass {
    /// One inline pair.
    struct Pair { let name: String; let a: String; let b: String }

    let pairs: [Pair]
    /// `tc`, or nil when iproute2 is not installed (the bypass then cannot be put in place).
    let tc: String?
    /// Interfaces that had no clsact qdisc before Sluice added one: removing the bypass deletes
    /// the qdisc there too, leaving the interface as it was. Elsewhere only the filter goes.
    private(set) var ownedQdiscs: Set<String> = []

    init(config: DaemonConfig) {
        pairs = config.interfaces.filter { $0.mode == .inline }.map { Pair(name: $0.name, a: $0.pair[0], b: $0.pair[1]) }
        tc = SupervisorSpawn.find("tc")
    }

    /// Whether there is anything to bridge.
    var isEmpty: Bool { pairs.isEmpty }

    /// The pairs, as logs name them.
    var names: String { pairs.map { "\($0.name) \($0.a)<->\($0.b)" }.joined(separator: ", ") }

    /// Notes which interfaces have no clsact qdisc yet (called once at start, before any
    /// bypass exists).
    mutating func survey() {
        guard let tc else { return }
        for dev in pairs.flatMap({ [$0.a, $0.b] }) {
            let r = SupervisorSpawn.run(tc, ["tc", "qdisc", "show", "dev", dev], input: "")
            if r.status == 0 && !r.output.contains("clsact") { ownedQdiscs.insert(dev) }
        }
    }

    /// Puts the bypass in place on every pair. Returns nil on success, else what tc said.
    func install() -> String? {
        guard let tc else { return "tc (iproute2) not found" }
        var batch = ""
        for p in pairs {
            for (from, to) in [(p.a, p.b), (p.b, p.a)] {
                // Already there (left by a predecessor, or added by someone else): adding fails
                // and -force goes on with the filter.
                batch += "qdisc add dev \(from) clsact\n"
                batch += "filter add dev \(from) ingress pref 1 protocol all u32 match u32 0 0 action mirred egress redirect dev \(to)\n"
            }
        }
        let r = SupervisorSpawn.run(tc, ["tc", "-force", "-batch", "-"], input: batch)
        if r.status == 0 { return nil }
        // A clsact that already existed is the only failure that does not matter.
        let serious = r.output.split(separator: "\n").filter {
            !$0.contains("Exclusivity flag on") && !$0.contains("File exists") && !$0.hasPrefix("Command failed")
                && !$0.contains("error talking to the kernel")
        }
        return serious.isEmpty && verify() ? nil : r.output
    }

    /// Whether every end of every pair has the redirect filter.
    func verify() -> Bool {
        guard let tc else { return false }
        for p in pairs {
            for (from, to) in [(p.a, p.b), (p.b, p.a)] {
                let r = SupervisorSpawn.run(tc, ["tc", "filter", "show", "dev", from, "ingress"], input: "")
                if !r.output.contains("mirred (Egress Redirect to device \(to))") { return false }
            }
        }
        return true
    }

    /// Removes the bypass (the filter, and the clsact qdisc where Sluice created it); errors
    /// for filters that are not there are ignored, so this also clears a bypass a previous
    /// supervisor left. Returns nil on success, else what tc said.
    func remove() -> String? {
        guard let tc else { return nil }
        var batch = ""
        for dev in pairs.flatMap({ [$0.a, $0.b] }) {
            batch += "filter del dev \(dev) ingress pref 1\n"
            if ownedQdiscs.contains(dev) { batch += "qdisc del dev \(dev) clsact\n" }
        }
        _ = SupervisorSpawn.run(tc, ["tc", "-force", "-batch", "-"], input: batch)
        for dev in pairs.flatMap({ [$0.a, $0.b] }) {
            let r = SupervisorSpawn.run(tc, ["tc", "filter", "show", "dev", dev, "ingress"], input: "")
            if r.output.contains("mirred (Egress Redirect") && r.output.contains("pref 1 ") { return "\(dev): \(r.output)" }
        }
        return nil
    }
}
#endif
