#if os(Linux)
import APITypes
import ControlAPI
import Enforce
import Foundation
import Glibc
import PacketIO
import Policy

/// An interface attached now: from the config, through the API, or a container's veth found
/// by the watcher.
struct Attachment: Sendable {
    var spec: InterfaceSpec
    /// The interface number its flows carry.
    var iface: UInt16
    /// `config`, `api` or `container`.
    var origin: String
    /// The container's name and id, once the runtime named them.
    var container: String?
    var containerID: String?
    /// Whether its flows get the unknown action while it names no workload (containers: a
    /// workload not yet known is never open).
    var unknownWithoutWorkload: Bool
    /// When the watcher saw the link, and when every worker was reading it.
    var linkSeenAt: Date?
    var attachedAt: Date
    /// Inline on a container: the bridge-port swap to undo on detach.
    var interposition: Interposition?
}

/// The interfaces attached now and the interface numbers free for run-time ones. Changed by the
/// API and the watcher under `lock`; workers never read it (they get sockets through their
/// inboxes and the unknown mask through the policy mailbox).
final class AttachmentTable: @unchecked Sendable {
    let lock = NSLock()
    private(set) var list: [Attachment] = []
    /// Run-time interfaces take numbers from `firstDynamic` up to `firstDynamic + capacity - 1`.
    let firstDynamic: UInt16
    let capacity: Int
    /// Fanout groups: each run-time attachment gets a fresh pair, so a group is never joined by
    /// a new interface while sockets of an old one are still leaving it.
    private var groupCounter: UInt16 = 0

    init(config: DaemonConfig, capacity: Int) {
        firstDynamic = UInt16(config.interfaces.count + 1)
        self.capacity = capacity
        let now = Date()
        list = config.interfaces.enumerated().map { j, s in
            Attachment(spec: s, iface: UInt16(j + 1), origin: "config", unknownWithoutWorkload: false, attachedAt: now)
        }
    }

    var snapshot: [Attachment] { lock.withLock { list } }

    func name(of iface: UInt16) -> String? { lock.withLock { list.first { $0.iface == iface }?.spec.name } }

    /// A free interface number and a fresh fanout group, nil when full.
    func reserve() -> (iface: UInt16, group: UInt16)? {
        lock.withLock {
            let used = Set(list.map(\.iface))
            guard let n = (0..<capacity).map({ firstDynamic + UInt16($0) }).first(where: { !used.contains($0) }) else { return nil }
            groupCounter &+= 1
            return (n, groupCounter)
        }
    }

    func add(_ a: Attachment) { lock.withLock { list.append(a) } }
    func remove(iface: UInt16) { lock.withLock { list.removeAll { $0.iface == iface } } }
    func update(iface: UInt16, _ change: (inout Attachment) -> Void) {
        lock.withLock { if let k = list.firstIndex(where: { $0.iface == iface }) { change(&list[k]) } }
    }
}

extension Daemon {
    /// How many interfaces may be attached at run time: `containers.max`, or 8 for the API
    /// alone; none on DPDK. Interface numbers stay under 64 (the unknown-workload mask).
    static func dynamicCapacity(_ config: DaemonConfig) -> Int {
        guard config.io == "af_packet", config.containers != nil || config.apiTokenFile != nil else { return 0 }
        return max(0, min(config.containers?.max ?? 8, 63 - config.interfaces.count))
    }

    /// The interfaces (bit = interface number) whose flows get the unknown action: all of them
    /// when no policy is loaded, else those naming a workload the policy lacks, and containers
    /// whose workload is not known yet.
    static func unknownInterfaces(_ policy: CompiledPolicy, _ list: [Attachment], hasPolicy: Bool) -> UInt64 {
        var mask: UInt64 = 0
        for a in list where a.iface < 64 {
            if !hasPolicy || (a.spec.workload.map { !policy.workloadNames.contains($0) } ?? a.unknownWithoutWorkload) {
                mask |= 1 << UInt64(a.iface)
            }
        }
        return mask
    }

    /// Publishes the policy in force again with the unknown mask of the interfaces attached now.
    func republishUnknown() {
        policyLock.lock()
        defer { policyLock.unlock() }
        let p = mailbox.policy
        mailbox.publish(p, unknownInterfaces: Self.unknownInterfaces(p, attachments.snapshot, hasPolicy: hasPolicy))
    }

    /// Attaches `spec` on every worker without a restart: opens each worker's sockets (in worker
    /// order, one fresh fanout group), publishes the unknown mask covering it, then hands the
    /// sockets to the workers and waits until each reads them. With `interposeOn`, first takes
    /// `spec.interface` (a container's veth) off that bridge and joins it back through Sluice.
    func attach(_ spec: InterfaceSpec, origin: String, container: String? = nil, containerID: String? = nil,
                linkSeenAt: Date? = nil, interposeOn bridge: String? = nil, unknownUntilNamed: Bool = false) -> Result<Attachment, APIFailure> {
        attachLock.lock()
        defer { attachLock.unlock() }
        var spec = spec
        guard attachments.capacity > 0 else {
            return .failure(APIFailure(409, config.io == "af_packet" ? "run-time attachment is off (no api or containers section)" : "run-time attachment needs io: af_packet"))
        }
        let current = attachments.snapshot
        guard !current.contains(where: { $0.spec.name == spec.name }) else { return .failure(APIFailure(409, "\"\(spec.name)\" is already attached")) }
        let devices = spec.mode == .inline && bridge == nil ? spec.pair : [spec.interface]
        for d in devices {
            guard VethInterposer.isInterfaceName(d), if_nametoindex(d) != 0 else { return .failure(APIFailure(400, "no interface \"\(d)\"")) }
            if current.contains(where: { $0.spec.pair.contains(d) || $0.spec.interface == d }) {
                return .failure(APIFailure(409, "\(d) is attached already"))
            }
        }
        guard let (iface, group) = attachments.reserve() else {
            return .failure(APIFailure(429, "\(attachments.capacity) interfaces attached at run time already (containers.max)"))
        }
        let t0 = Date()
        var interposition: Interposition?
        if let bridge, spec.mode == .inline, let runDir = config.containers?.runDirectory {
            do {
                let i = try VethInterposer.interpose(veth: spec.interface, bridge: bridge, ifindex: Int(if_nametoindex(spec.interface)), runDir: runDir)
                interposition = i
                spec.pair = [i.veth, i.sluiceSide]
                spec.interface = ""
            } catch {
                return .failure(APIFailure(500, "interposing on \(spec.interface): \(error)"))
            }
        }
        let t1 = Date()
        let base = UInt16(truncatingIfNeeded: (getpid() & 0x1FFF) << 3)
        let fanout = base &+ UInt16(truncatingIfNeeded: 2 * (Int(attachments.firstDynamic) + Int(group) % 2000))
        var ops: [InterfaceOp] = []
        do {
            for _ in ios.indices {
                switch spec.mode {
                case .inline:
                    var c = AFPacketConfig.inline
                    c.fanoutGroup = config.workers > 1 ? fanout : nil
                    let ports = try PortPair<AFPacketInlinePort>(interfaceA: spec.pair[0], interfaceB: spec.pair[1], config: c)
                    ops.append(.addPair(OwnedBox(PairIO(ports: ports, iface: iface))))
                case .tap:
                    var c = AFPacketConfig()
                    c.ignoreOutgoing = false
                    c.fanoutGroup = config.workers > 1 ? fanout : nil
                    ops.append(.addTap(OwnedBox(TapIO(ring: try AFPacketRing(interface: spec.interface, config: c), iface: iface))))
                }
            }
        } catch {
            if let interposition, let runDir = config.containers?.runDirectory { VethInterposer.restore(interposition, runDir: runDir) }
            return .failure(APIFailure(500, "opening \(devices.joined(separator: ", ")): \(error)"))
        }
        let t2 = Date()
        var a = Attachment(spec: spec, iface: iface, origin: origin, container: container, containerID: containerID,
                           unknownWithoutWorkload: unknownUntilNamed, linkSeenAt: linkSeenAt, attachedAt: Date(),
                           interposition: interposition)
        attachments.add(a)
        // The mask first: a worker takes its inbox after the policy, so it never reads the new
        // interface under a mask that does not cover it.
        republishUnknown()
        var posted: [UInt64] = []
        for (k, op) in ops.enumerated() { posted.append(ios[k].inbox.post(op)) }
        for (k, g) in posted.enumerated() where !ios[k].inbox.waitApplied(g, timeoutMs: 2000) {
            log("attach \(spec.name): worker \(k) did not take it within 2 s", level: .warning)
        }
        a.attachedAt = Date()
        attachments.update(iface: iface) { $0.attachedAt = a.attachedAt }
        let how = spec.mode == .inline ? "inline \(spec.pair.joined(separator: "<->"))" : "tap \(spec.interface)"
        func ms(_ from: Date, _ to: Date) -> String { String(format: "%.1f", to.timeIntervalSince(from) * 1000) }
        let after = (linkSeenAt.map { ", \(ms($0, a.attachedAt)) ms after the link appeared" } ?? "")
            + " (interpose \(ms(t0, t1)), open \(ms(t1, t2)), hand over \(ms(t2, a.attachedAt)) ms)"
        log("attached \(spec.name) (\(origin)\(interposition.map { ", interposed on bridge \($0.bridge)" } ?? "")): \(how), "
            + "workload \(spec.workload ?? (unknownUntilNamed ? "unknown until the runtime names it" : "by address"))\(after)")
        return .success(a)
    }

    /// Detaches a run-time interface: every worker closes its sockets, then an interposition is
    /// undone (the container's veth goes back on its bridge).
    func detach(name: String, reason: String) -> Result<Attachment, APIFailure> {
        attachLock.lock()
        defer { attachLock.unlock() }
        guard let a = attachments.snapshot.first(where: { $0.spec.name == name }) else {
            return .failure(APIFailure(404, "no interface \"\(name)\" is attached"))
        }
        guard a.origin != "config" else { return .failure(APIFailure(409, "\(name) is in the config file; it stays until a restart")) }
        var posted: [UInt64] = []
        for io in ios { posted.append(io.inbox.post(.remove(a.iface))) }
        for (k, g) in posted.enumerated() where !ios[k].inbox.waitApplied(g, timeoutMs: 2000) {
            log("detach \(name): worker \(k) did not let go within 2 s", level: .warning)
        }
        if let i = a.interposition, let runDir = config.containers?.runDirectory,
           let error = VethInterposer.restore(i, runDir: runDir) {
            log("detach \(name): restoring \(i.veth) on \(i.bridge): \(error)", level: .error)
        }
        attachments.remove(iface: a.iface)
        republishUnknown()
        log("detached \(name) (\(reason))")
        return .success(a)
    }

    /// Names the workload (and container) of an attached interface, from the runtime's labels.
    /// A container without a workload label is then classified by its address alone, as an
    /// interface without `workload` in the config is.
    func setAttachmentWorkload(iface: UInt16, workload: String?, container: String?, containerID: String?) {
        attachments.update(iface: iface) {
            $0.spec.workload = workload
            $0.unknownWithoutWorkload = false
            $0.container = container
            $0.containerID = containerID
        }
        republishUnknown()
        let name = attachments.name(of: iface) ?? "?"
        log("\(name): container \(container ?? "?"), workload \(workload ?? "none (its flows get the unknown action)")")
    }

    /// What the API lists.
    static func describe(_ a: Attachment) -> InterfaceInfo {
        InterfaceInfo(name: a.spec.name, mode: a.spec.mode.rawValue, pair: a.spec.mode == .inline ? a.spec.pair : nil,
                      interface: a.spec.mode == .tap ? a.spec.interface : nil, workload: a.spec.workload, origin: a.origin,
                      container: a.container, containerID: a.containerID, bridge: a.interposition?.bridge,
                      linkSeenAt: a.linkSeenAt?.timeIntervalSince1970, attachedAt: a.attachedAt.timeIntervalSince1970)
    }

    public func interfaces() -> [InterfaceInfo] { attachments.snapshot.map(Self.describe) }

    public func attachInterface(_ r: AttachRequest) -> Result<InterfaceInfo, APIFailure> {
        guard let mode = InterfaceSpec.Mode(rawValue: r.mode) else { return .failure(APIFailure(400, "mode: expected inline or tap")) }
        var spec = InterfaceSpec(name: r.name, mode: mode, workload: r.workload)
        switch mode {
        case .inline:
            guard let p = r.pair, p.count == 2, p[0] != p[1] else { return .failure(APIFailure(400, "pair: an inline interface needs two different interfaces")) }
            spec.pair = p
        case .tap:
            guard let i = r.interface else { return .failure(APIFailure(400, "interface: a tap needs interface")) }
            spec.interface = i
        }
        guard VethInterposer.isInterfaceName(r.name) || (1...64).contains(r.name.utf8.count) else {
            return .failure(APIFailure(400, "name: 1 to 64 characters"))
        }
        return attach(spec, origin: "api").map(Self.describe)
    }

    public func detachInterface(_ name: String) -> Result<InterfaceInfo, APIFailure> {
        detach(name: name, reason: "through the API").map(Self.describe)
    }
}
#endif
