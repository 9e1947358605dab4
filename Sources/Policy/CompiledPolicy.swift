import Codecs
import ConfigYAML
import L7Core

/// A policy compiled for the packet path: immutable once built, shared read-only by every
/// worker (build it off the packet path, hand the reference over, drop the old one).
///
/// `classify` finds the first rule by id that matches a flow without scanning rules: the two
/// addresses each cost one binary search over the CIDR interval table (giving the groups they
/// are in), the destination's FQDN groups come from `fqdnGroups(matching:)`, and each
/// (source group, destination group) pair that some rule names costs one hash probe and a
/// binary search over that pair's port intervals, whose precomputed answer per app is the
/// first rule there. The result is the lowest rule over those pairs. No allocation, lock,
/// existential or `String` on that path.
///
/// Mode: the destination's workload's, else the source's, else the top-level mode. The policy
/// guards a workload's inbound traffic by its own mode, and its outbound traffic (to something
/// that is no workload) by the same mode; when both ends are workloads the receiving one
/// decides, as it is the one the rule protects.
public final class CompiledPolicy: @unchecked Sendable {
    // @unchecked: every stored property is a `let` set in init and the raw tables behind the
    // pointers are never written afterwards, so sharing across threads is read-only.

    /// The document it was compiled from.
    public let document: PolicyDocument

    @usableFromInline let addrStarts: RawArray<IPAddress>
    @usableFromInline let addrClass: RawArray<UInt32>
    @usableFromInline let addrWorkload: RawArray<Int32>
    @usableFromInline let addrClasses: RawArray<UInt32>
    @usableFromInline let jumpV4: RawArray<UInt32>
    @usableFromInline let jumpV6: RawArray<UInt32>
    @usableFromInline let groupPool: RawArray<UInt32>
    @usableFromInline let nameClasses: RawArray<UInt32>
    @usableFromInline let nameSlots: RawArray<NameSlot>
    @usableFromInline let nameBytes: RawArray<UInt8>
    @usableFromInline let pairSlots: RawArray<PairSlot>
    @usableFromInline let portBounds: RawArray<UInt32>
    @usableFromInline let boundAnswers: RawArray<UInt32>
    @usableFromInline let answers: RawArray<UInt32>
    @usableFromInline let answerSlots: Int
    @usableFromInline let ruleIDs: RawArray<Int>
    @usableFromInline let ruleActions: RawArray<PolicyAction>
    @usableFromInline let ruleHasApps: RawArray<Bool>
    /// The ids of the groups defined by names (`fqdns`), for ``fqdnCouldAllow``.
    @usableFromInline let fqdnGroupIDs: RawArray<UInt32>
    @usableFromInline let workloadModes: RawArray<PolicyMode>
    @usableFromInline let workloadQuarantined: RawArray<Bool>
    @usableFromInline let topMode: PolicyMode
    @usableFromInline let defaultAction: PolicyAction

    /// Some rule's destination is an FQDN group: a flow whose name is not known yet may still
    /// match one once the client names its host (TLS SNI, HTTP Host).
    public let hasFQDNRules: Bool
    /// Workload names, indexed by `Decision.workload`.
    public let workloadNames: [String]

    /// Compiles `document` (which `PolicyDocument.parse` has validated). Costs time and memory
    /// in proportion to the policy; never call it on the packet path.
    public init(_ document: PolicyDocument) {
        self.document = document
        let groups = document.groups
        var groupID: [String: UInt32] = [PolicyDocument.anyGroup: 0]
        for (i, g) in groups.enumerated() { groupID[g.name] = UInt32(i + 1) }

        let rules = document.rules.sorted { $0.id < $1.id }
        var fromUsed = [Bool](repeating: false, count: groups.count + 1)
        var toUsed = fromUsed
        var shapes: [PortIndexBuilder.RuleShape] = []
        for r in rules {
            // A group the document did not define matches nothing (the loader refuses those).
            let from = r.from.compactMap { groupID[$0] }, to = r.to.compactMap { groupID[$0] }
            for f in from { fromUsed[Int(f)] = true }
            for t in to { toUsed[Int(t)] = true }
            var pairs: [UInt64] = []
            for f in from { for t in to { pairs.append(PortIndexBuilder.pairKey(f, t)) } }
            var mask: UInt32 = 0
            for a in r.apps { mask |= 1 << UInt32(a.rawValue) }
            shapes.append(.init(pairs: pairs, ranges: r.ports.map(\.keyRange), appMask: mask))
        }

        var groupWorkload = [Int32](repeating: -1, count: groups.count + 1)
        for (wi, w) in document.workloads.enumerated() {
            if let g = groupID[w.group], g > 0 { groupWorkload[Int(g)] = Int32(wi) }
        }

        var pool: [UInt32] = []
        var cidr = CIDRTableBuilder()
        cidr.build(groups: groups, fromUsed: fromUsed, toUsed: toUsed, groupWorkload: groupWorkload, pool: &pool)
        var names = FQDNTableBuilder()
        names.build(groups: groups, toUsed: toUsed, pool: &pool)
        var ports = PortIndexBuilder(slots: AppProto.allCases.count)
        ports.build(rules: shapes)

        addrStarts = RawArray(cidr.starts)
        addrClass = RawArray(cidr.classOf)
        addrWorkload = RawArray(cidr.workloadOf)
        addrClasses = RawArray(cidr.classes)
        let jump = CIDRJumpTable.build(cidr.starts)
        jumpV4 = RawArray(jump.v4)
        jumpV6 = RawArray(jump.v6)
        groupPool = RawArray(pool)
        nameClasses = RawArray(names.classes)
        nameSlots = RawArray(names.slots)
        nameBytes = RawArray(names.bytes)
        pairSlots = RawArray(ports.pairSlots)
        portBounds = RawArray(ports.bounds)
        boundAnswers = RawArray(ports.boundAnswers)
        answers = RawArray(ports.answers)
        answerSlots = ports.slots
        ruleIDs = RawArray(rules.map(\.id))
        ruleActions = RawArray(rules.map(\.action))
        ruleHasApps = RawArray(rules.map { !$0.apps.isEmpty })
        fqdnGroupIDs = RawArray(groups.enumerated().filter { !$0.element.fqdns.isEmpty }.map { UInt32($0.offset + 1) })
        workloadModes = RawArray(document.workloads.map { $0.mode ?? document.mode })
        workloadQuarantined = RawArray(document.workloads.map(\.quarantine))
        topMode = document.mode
        defaultAction = document.defaultAction
        workloadNames = document.workloads.map(\.name)
        let fqdnGroups = Set(document.groups.filter { !$0.fqdns.isEmpty }.map(\.name))
        hasFQDNRules = document.rules.contains { r in r.to.contains { fqdnGroups.contains($0) } }
    }

    /// Parses, validates and compiles the policy in `text` (the contents of `file`).
    public convenience init(parsing text: String, file: String) throws(ConfigError) {
        self.init(try PolicyDocument.parse(text, file: file))
    }

    deinit {
        addrStarts.free(); addrClass.free(); addrWorkload.free(); addrClasses.free(); jumpV4.free(); jumpV6.free(); groupPool.free()
        nameClasses.free(); nameSlots.free(); nameBytes.free(); pairSlots.free(); portBounds.free()
        boundAnswers.free(); answers.free(); ruleIDs.free(); ruleActions.free(); ruleHasApps.free(); fqdnGroupIDs.free()
        workloadModes.free(); workloadQuarantined.free()
    }

    /// Number of rules.
    public var ruleCount: Int { ruleIDs.count }

    /// The id of the rule at `index` in id order (a `Decision.ruleIndex`).
    public func ruleID(at index: Int) -> Int { ruleIDs.base[index] }

    /// The sensors the workload at `index` (a `Decision.workload`) runs.
    public func sensors(ofWorkload index: Int32) -> [String] {
        index >= 0 && Int(index) < document.workloads.count ? document.workloads[Int(index)].sensors : []
    }

    /// The sensor bindings of the workload at `index` (a `Decision.workload`).
    public func sensorBindings(ofWorkload index: Int32) -> [SensorBinding] {
        index >= 0 && Int(index) < document.workloads.count ? document.workloads[Int(index)].bindings : []
    }

    /// The mode in force for the workload at `index`, or the top-level mode.
    public func mode(ofWorkload index: Int32) -> PolicyMode {
        index >= 0 && Int(index) < document.workloads.count ? workloadModes.base[Int(index)] : topMode
    }

    /// The decision for traffic of a workload the policy does not know, or for flows classified
    /// before any policy arrived: the `unknown` action, else the default action, under the
    /// top-level mode (so a protect policy never lets such traffic through unseen).
    public var unknownDecision: Decision {
        Decision(status: .decided, ruleIndex: .max, ruleID: nil, action: document.unknownAction ?? defaultAction,
                 mode: topMode, workload: -1)
    }

    /// The workload `address` belongs to (its most specific workload block), or -1.
    @inlinable public func workload(of address: IPAddress) -> Int32 {
        addrWorkload.base[addressInterval(address)]
    }

    /// Classifies a flow: `src` → `dst`, IP protocol `proto` (6 TCP, 17 UDP, others portless),
    /// destination port, the detected app (`.unknown` while detection runs, `.failed` when it
    /// found none), and the destination's FQDN groups. When the flow names its host (TLS SNI,
    /// HTTP Host) pass that name's groups only: the name the client asked for decides FQDN
    /// membership, not the names its address resolved from. Otherwise pass the union of the
    /// groups of the names the `NameCache` holds for `dst` (or `.empty`).
    @inlinable public func classify(src: IPAddress, dst: IPAddress, proto: UInt8, dstPort: UInt16, app: AppProto,
                                    fqdn: GroupSet) -> Decision {
        let si = addressInterval(src), di = addressInterval(dst)
        let sc = Int(addrClass.base[si]) &* 4, dc = Int(addrClass.base[di]) &* 4
        let key = PortKey.of(proto: proto, port: dstPort)
        let slot = Int(app.rawValue)
        let pool = groupPool.base
        let fromOff = Int(addrClasses.base[sc]), fromCount = Int(addrClasses.base[sc &+ 1])
        let toOff = Int(addrClasses.base[dc &+ 2]), toCount = Int(addrClasses.base[dc &+ 3])
        var best = UInt32.max
        var f = -1
        while f < fromCount {
            let from = f < 0 ? 0 : pool[fromOff &+ f]
            var t = -1
            while t < toCount {
                let to = t < 0 ? 0 : pool[toOff &+ t]
                best = min(best, pairAnswer(from: from, to: to, key: key, slot: slot))
                t &+= 1
            }
            var c = 0
            while c < fqdn.count {
                let cls = Int(fqdn.id(at: c)) &* 2
                let off = Int(nameClasses.base[cls]), n = Int(nameClasses.base[cls &+ 1])
                var j = 0
                while j < n {
                    best = min(best, pairAnswer(from: from, to: pool[off &+ j], key: key, slot: slot))
                    j &+= 1
                }
                c &+= 1
            }
            f &+= 1
        }
        var w = addrWorkload.base[di]
        let ws = addrWorkload.base[si]
        // A quarantined end cuts the flow, rules and modes notwithstanding.
        if w >= 0 && workloadQuarantined.base[Int(w)] || ws >= 0 && workloadQuarantined.base[Int(ws)] {
            var d = Decision(status: .decided, ruleIndex: .max, ruleID: nil, action: .deny, mode: .protect,
                             workload: w >= 0 && workloadQuarantined.base[Int(w)] ? w : ws)
            d.quarantined = true
            return d
        }
        if w < 0 { w = ws }
        let mode = w >= 0 ? workloadModes.base[Int(w)] : topMode
        if best == .max {
            return Decision(status: .decided, ruleIndex: .max, ruleID: nil, action: defaultAction, mode: mode, workload: w)
        }
        let i = Int(best)
        let status: Decision.Status = app == .unknown && ruleHasApps.base[i] ? .needsApp : .decided
        return Decision(status: status, ruleIndex: best, ruleID: ruleIDs.base[i], action: ruleActions.base[i],
                        mode: mode, workload: w)
    }

    /// Whether a rule naming an FQDN group, earlier than `before` (a ``Decision/ruleIndex``),
    /// could still allow a flow from `src` to this protocol and port once the client names its
    /// host: only such a flow is worth holding for its SNI or Host. Every other flow is decided
    /// at its first packet, so a SYN to a port no name could open is dropped (and logged)
    /// before it reaches the server. A rule that names apps counts as "could allow" while the
    /// app is unknown, since a later rule for the same name may allow another app.
    @inlinable public func fqdnCouldAllow(src: IPAddress, proto: UInt8, dstPort: UInt16, before: UInt32) -> Bool {
        guard fqdnGroupIDs.count > 0 else { return false }
        let si = addressInterval(src)
        let sc = Int(addrClass.base[si]) &* 4
        let key = PortKey.of(proto: proto, port: dstPort)
        let slot = Int(AppProto.unknown.rawValue)
        let pool = groupPool.base
        let fromOff = Int(addrClasses.base[sc]), fromCount = Int(addrClasses.base[sc &+ 1])
        var f = -1
        while f < fromCount {
            let from = f < 0 ? 0 : pool[fromOff &+ f]
            var g = 0
            while g < fqdnGroupIDs.count {
                let answer = pairAnswer(from: from, to: fqdnGroupIDs.base[g], key: key, slot: slot)
                if answer < before {
                    let i = Int(answer)
                    if ruleActions.base[i] == .allow || ruleHasApps.base[i] { return true }
                }
                g &+= 1
            }
            f &+= 1
        }
        return false
    }
}
