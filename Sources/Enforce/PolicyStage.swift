#if canImport(Glibc)
import Glibc
#endif
import Codecs
import Engine
import Flow
import L7
import L7Core
import Output
import Policy
import Sensors
import Stream
import Threats

/// The inspection stage with a whitelist policy: the L7 stage first (it detects the app and
/// learns names), then the policy's verdict for the packet's flow. The verdict is computed
/// when the flow's app is known (or its byte budget ran out), cached on the flow, and written
/// as an EVE `policy` record when it is a violation or a deny; denied flows' packets are
/// dropped from then on and a TCP flow gets resets toward both ends.
public struct PolicyStage: InspectionStage, ~Copyable {
    /// The application layer; its EVE buffer carries the policy records too.
    public var l7: L7Stage
    /// The policy in force (an immutable snapshot, shared between workers).
    public private(set) var policy: CompiledPolicy
    /// Bumped by `apply`: verdicts made under an older policy are made again.
    public private(set) var generation: UInt32 = 0
    /// Flow bytes (both directions) after which a flow still without an app is decided as
    /// `failed`: rules that name apps cannot match it.
    public let appBudget: UInt64
    /// A second policy each flow is also classified under, to report where the two differ
    /// (`sluice replay --policy NEW --against OLD`); it never drops anything.
    public let against: CompiledPolicy?
    /// Flows whose effect differs between `policy` and `against`, up to the table's size.
    public var differences: PolicyDifferences
    /// What was decided.
    public var counters = PolicyCounters()
    /// Flows decided by each rule of the policy in force (index = rule position in id order),
    /// and by the default; they restart when a new policy is applied.
    public var ruleHits: UnsafeMutablePointer<UInt64>
    /// Flows decided by the default action.
    public var defaultHits: UInt64 = 0
    /// Bumped by `replaceSensors`: flows bind their sensors again.
    @usableFromInline var sensorsGeneration: UInt32 = 0
    /// Interfaces (bit = the flow's interface number) whose workload the policy does not
    /// define: their flows get the policy's `unknown` action instead of being classified, so
    /// a workload the policy has not caught up with is never silently open.
    public var unknownWorkloadInterfaces: UInt64 = 0
    @usableFromInline var verdicts: UnsafeMutablePointer<FlowVerdict>?
    /// Workload names as bytes, for the records (no String on the packet path).
    @usableFromInline let workloadNames: UnsafeMutableRawBufferPointer
    @usableFromInline let workloadOffsets: [Int]
    @usableFromInline var flowTable: UnsafeMutablePointer<FlowEntry>?
    /// Bounds the violate and deny records per rule and source address (a flood of denied
    /// SYNs is one record per flow otherwise); off unless ``limitRecords(perSource:perWorker:windowNanos:)``
    /// turns it on, as the daemon does. Suppressed records are counted in `suppressedRecords`
    /// and summed up in aggregate records (`"aggregated": true, "count": N`); the flows they
    /// count get no `flow` record either.
    public var recordLimiter = RecordLimiter()
    /// What discover mode learned: the shape (client, server, protocol/port, app) of every flow
    /// a discover-mode workload had, as `sluice policy learn` would from the same traffic.
    public var learned: LearnedTable
    @usableFromInline var flowCapacity = 0
    /// The threats that block, per workload index of the policy in force (the engine config's
    /// `threats.actions` with its per-workload overrides); a block takes effect only where
    /// the workload is in protect mode.
    @usableFromInline var threatBlockMasks: [ThreatMask] = []

    /// A stage enforcing `policy` over `l7`.
    /// `learnCapacity` bounds the distinct shapes discover mode keeps.
    public init(l7: consuming L7Stage, policy: CompiledPolicy, against: CompiledPolicy? = nil, appBudget: UInt64 = 8192,
                learnCapacity: Int = 4096) {
        self.l7 = l7
        learned = LearnedTable(capacity: learnCapacity)
        self.policy = policy
        self.against = against
        differences = PolicyDifferences(capacity: against == nil ? 1 : 4096)
        self.appBudget = appBudget
        var offsets = [0]
        var bytes: [UInt8] = []
        for name in policy.workloadNames { bytes += Array(name.utf8); offsets.append(bytes.count) }
        workloadNames = .allocate(byteCount: max(1, bytes.count), alignment: 1)
        workloadNames.copyBytes(from: bytes)
        workloadOffsets = offsets
        ruleHits = .allocate(capacity: max(1, policy.ruleCount))
        ruleHits.initialize(repeating: 0, count: max(1, policy.ruleCount))
        bindSensors(of: policy)
        self.l7.threats.deferToPolicy = true
        threatBlockMasks = policy.workloadNames.map { self.l7.threats.config.blockMask(workload: $0) }
    }

    deinit {
        ruleHits.deallocate()
        verdicts?.deallocate()
        workloadNames.deallocate()
    }

    public mutating func attach(flows: UnsafeMutablePointer<FlowEntry>, capacity: Int) {
        flowTable = flows
        flowCapacity = capacity
        l7.attach(flows: flows, capacity: capacity)
        verdicts = .allocate(capacity: capacity)
        verdicts!.initialize(repeating: FlowVerdict(), count: capacity)
    }

    public mutating func finish() {
        if recordLimiter.isEnabled {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            recordLimiter.sweep(now: UInt64(truncatingIfNeeded: ts.tv_sec) &* 1_000_000_000 &+ UInt64(truncatingIfNeeded: ts.tv_nsec))
            writeDueSummaries()
        }
        l7.finish()
    }

    /// Turns on the record limiter: at most `perSource` violate/deny records per rule and
    /// source address, and `perWorker` in all, per window.
    public mutating func limitRecords(perSource: UInt32, perWorker: UInt32, windowNanos: UInt64) {
        recordLimiter = RecordLimiter(perKey: perSource, perWorker: perWorker, windowNanos: windowNanos)
    }

    /// Writes the aggregate records of every suppressed count, due or not (a daemon stopping).
    public mutating func flushSuppressedRecords() {
        guard recordLimiter.isEnabled else { return }
        var more = true
        while more {
            more = recordLimiter.sweep(now: .max)
            writeDueSummaries()
        }
    }

    /// Violate and deny records suppressed so far.
    public var suppressedRecords: UInt64 { recordLimiter.suppressedTotal }

    public mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
        _ = verdictSlot(flow)
        l7.streamData(flow: flow, direction: direction, bytes: bytes)
        // A blocking threat found in the stream blocks the flow; the packet that carried it
        // is dropped by its own `packet` call.
        if l7.threats.pendingCount > 0 { _ = actOnThreats() }
    }

    public mutating func fragment(_ p: borrowing DecodedPacket, overlapped: Bool, now: UInt64) {
        l7.fragment(p, overlapped: overlapped, now: now)
    }

    public mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {
        l7.streamGap(flow: flow, direction: direction, length: length)
    }

    public mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason) {
        if let verdicts, verdicts[Int(flow)].learnPending, verdicts[Int(flow)].flowID == entry.pointee.flowID {
            learned.insert(LearnedFlow(entry.pointee, app: l7.app(of: flow)))
            verdicts[Int(flow)].learnPending = false
            verdicts[Int(flow)].learnRecorded = true
        }
        l7.flowEnded(flow: flow, entry: entry, reason: reason)
        if l7.threats.pendingCount > 0 { _ = actOnThreats() }
    }

    /// Calls `body` with each learned shape, then with the shape so far of each open flow that
    /// waits to be learned (its app not known yet), so a review sees long-lived connections
    /// before they end. Off the packet path (the API asks); a shape may come twice.
    public func forEachLearned(_ body: (LearnedFlow) -> Void) {
        learned.forEach(body)
        guard let verdicts, let flowTable else { return }
        for i in 0..<flowCapacity where verdicts[i].learnPending && verdicts[i].flowID == flowTable[i].flowID {
            body(LearnedFlow(flowTable[i], app: l7.app(of: UInt32(i))))
        }
    }

    /// No flow record for a flow whose policy record the limiter suppressed (a flood's).
    @inlinable
    public func wantsFlowRecord(flow: UInt32, entry: UnsafePointer<FlowEntry>) -> Bool {
        guard let verdicts else { return true }
        let v = verdicts[Int(flow)]
        return !(v.recordSuppressed && v.flowID == entry.pointee.flowID)
    }

    public mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                                direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict {
        guard let flow, let entry else {
            let verdict = l7.packet(p, bytes: bytes, flow: flow, direction: direction, entry: entry)
            if l7.threats.pendingCount > 0 && actOnThreats() { return .drop }
            return verdict
        }
        let v = verdictSlot(flow)
        var l7Verdict = l7.packet(p, bytes: bytes, flow: flow, direction: direction, entry: entry)
        if l7.threats.pendingCount > 0 && actOnThreats() { l7Verdict = .drop }
        if !v.pointee.decided || v.pointee.generation != generation { decide(v, flow, entry, p) }
        if v.pointee.learnPending { learnIfAppKnown(v, flow, entry) }
        guard v.pointee.decided, v.pointee.effect == Decision.Effect.deny.rawValue else { return l7Verdict }
        counters.droppedPackets &+= 1
        return .drop
    }

    /// Learns a discover-mode flow's shape as soon as its app is known (the rest wait for
    /// their end, as `policy learn` records them).
    @inlinable
    mutating func learnIfAppKnown(_ v: UnsafeMutablePointer<FlowVerdict>, _ flow: UInt32, _ e: UnsafeMutablePointer<FlowEntry>) {
        let app = l7.app(of: flow)
        guard app != .unknown else { return }
        learned.insert(LearnedFlow(e.pointee, app: app))
        v.pointee.learnPending = false
        v.pointee.learnRecorded = true
    }

    /// Puts a new sensor runtime in force between two packets, binding its sensors to the
    /// policy's workloads again. Flows already open are bound at their next new flow slot
    /// use; until then every sensor inspects them.
    public mutating func replaceSensors(_ engine: consuming SensorEngine) {
        l7.replaceSensors(engine)
        bindSensors(of: policy)
        // Cached verdicts are kept; each open flow's sensor mask is set again at its next packet.
        sensorsGeneration &+= 1
    }

    /// The cached effect of flow slot `flow` (a `Decision.Effect` raw value), 255 while the flow
    /// is undecided or the slot holds another flow.
    public func effect(of flow: UInt32, flowID: UInt64) -> UInt8 {
        guard let verdicts, verdicts[Int(flow)].flowID == flowID, verdicts[Int(flow)].decided else { return 255 }
        return verdicts[Int(flow)].effect
    }

    /// Puts `new` in force between two packets: every flow's cached verdict is made again, under
    /// `new`, at its next packet (a flow the old policy denied may pass again, and the reverse).
    /// Hit counters follow rule ids: a rule whose id the new policy keeps keeps its count (a
    /// push that edits other rules does not zero a dashboard), a new id starts at 0, and the
    /// default's count carries over.
    public mutating func apply(_ new: CompiledPolicy) {
        let old = policy
        let hits = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, new.ruleCount))
        hits.initialize(repeating: 0, count: max(1, new.ruleCount))
        // Both id lists are in ascending id order: one merge pass.
        var i = 0
        for j in 0..<new.ruleCount {
            let id = new.ruleID(at: j)
            while i < old.ruleCount && old.ruleID(at: i) < id { i += 1 }
            if i < old.ruleCount && old.ruleID(at: i) == id { hits[j] = ruleHits[i] }
        }
        ruleHits.deallocate()
        ruleHits = hits
        policy = new
        threatBlockMasks = new.workloadNames.map { l7.threats.config.blockMask(workload: $0) }
        bindSensors(of: new)
        generation &+= 1
        counters.policiesApplied &+= 1
    }

    /// The flow's cached verdict, reset (and its sensors bound) when the table gave the slot
    /// to a new flow. Called before the L7 stage sees any of the flow's bytes, so sensors
    /// start with the right mask.
    @inlinable
    mutating func verdictSlot(_ flow: UInt32) -> UnsafeMutablePointer<FlowVerdict> {
        let v = verdicts! + Int(flow)
        let e = flowTable! + Int(flow)
        if v.pointee.flowID != e.pointee.flowID {
            v.pointee = FlowVerdict()
            v.pointee.flowID = e.pointee.flowID
        }
        if v.pointee.sensorsBound != sensorsGeneration {
            v.pointee.sensorsBound = sensorsGeneration
            if l7.sensors.isEnabled {
                let ws = policy.workload(of: e.pointee.server), wc = policy.workload(of: e.pointee.client)
                l7.sensors.setSensors(flow: flow, flowID: e.pointee.flowID, serverWorkload: ws, clientWorkload: wc)
            }
        }
        return v
    }

    /// Puts each workload's sensor plan under `policy` in force: the sensors it binds, their
    /// actions, its disabled rules, and whether its mode enforces blocks (sensors it names that
    /// are not loaded bind nothing; `sluice replay` and the daemon refuse such a policy up front).
    mutating func bindSensors(of policy: CompiledPolicy) {
        guard let set = l7.sensors.set else { l7.sensors.bind(nil); return }
        let plans = (0..<policy.workloadNames.count).map { w in
            Self.sensorPlan(policy.sensorBindings(ofWorkload: Int32(w)), mode: policy.mode(ofWorkload: Int32(w)), set: set)
        }
        l7.sensors.bind(SensorBindings(plans: plans, set: set))
    }

    /// One workload's sensor plan: what it binds with which action, in which mode.
    public static func sensorPlan(_ bindings: [SensorBinding], mode: PolicyMode, set: SensorSet) -> WorkloadSensorPlan {
        var plan = WorkloadSensorPlan(enforces: mode == .protect)
        for b in bindings {
            let bit = set.mask(for: [b.name])
            plan.sensors |= bit
            if b.action == .block { plan.blocking |= bit }
            if b.action == .alert { plan.alerting |= bit }
            plan.disabledRuleIDs += b.disabledRules
        }
        return plan
    }

    @inlinable
    mutating func decide(_ v: UnsafeMutablePointer<FlowVerdict>, _ flow: UInt32, _ e: UnsafeMutablePointer<FlowEntry>,
                         _ p: borrowing DecodedPacket) {
        let wasDecided = v.pointee.decided
        if Self.isLinkPlumbing(server: e.pointee.server, proto: p.ipProto, icmpType: p.icmpType) {
            if !wasDecided { counters.exempt &+= 1 }
            v.pointee.decided = true
            v.pointee.effect = Decision.Effect.allow.rawValue
            v.pointee.generation = generation
            return
        }
        let iface = e.pointee.iface
        if iface < 64 && unknownWorkloadInterfaces & (1 << UInt64(iface)) != 0 {
            let d = policy.unknownDecision
            if !wasDecided { counters.unknownWorkload &+= 1 }
            settle(v, d, e, flow, wasDecided: wasDecided, unknown: true)
            return
        }
        var app = l7.app(of: flow)
        let fqdn = fqdnGroups(under: policy, flow, server: e.pointee.server, now: e.pointee.lastSeen)
        var d = policy.classify(src: e.pointee.client, dst: e.pointee.server, proto: e.pointee.proto,
                                dstPort: e.pointee.serverPort, app: app, fqdn: fqdn)
        // A TCP flow not allowed by address may still be allowed by name: wait (within the
        // app budget) for the client to name its host in a TLS SNI or HTTP Host, as a flow
        // whose rule names an app waits for the app, but only when a rule naming an FQDN
        // group could allow it ahead of the rule (or default) that decided it. Any other flow
        // is decided now: a SYN to a port no name opens is denied before the handshake.
        if app == .unknown && d.status == .decided && d.effect != .allow && policy.hasFQDNRules
            && e.pointee.proto == IPProto.tcp && fqdn.count == 0
            && e.pointee.bytesToServer &+ e.pointee.bytesToClient <= appBudget
            && policy.fqdnCouldAllow(src: e.pointee.client, proto: e.pointee.proto, dstPort: e.pointee.serverPort,
                                     before: d.ruleIndex) {
            return
        }
        if d.status == .needsApp {
            guard app == .unknown, e.pointee.bytesToServer &+ e.pointee.bytesToClient > appBudget else { return }
            app = .failed
            counters.decidedWithoutApp &+= 1
            d = policy.classify(src: e.pointee.client, dst: e.pointee.server, proto: e.pointee.proto,
                                dstPort: e.pointee.serverPort, app: app, fqdn: fqdn)
        }
        if let against, !wasDecided {
            let oldFQDN = fqdnGroups(under: against, flow, server: e.pointee.server, now: e.pointee.lastSeen)
            let old = against.classify(src: e.pointee.client, dst: e.pointee.server, proto: e.pointee.proto,
                                       dstPort: e.pointee.serverPort, app: app, fqdn: oldFQDN).effect
            v.pointee.againstEffect = old.rawValue
            if old != d.effect { differences.add(e.pointee, new: d.effect, old: old) }
        }
        settle(v, d, e, flow, wasDecided: wasDecided, unknown: false)
    }

    /// Caches decision `d` on the flow and, when it is new or changed, counts and records it.
    @inlinable
    mutating func settle(_ v: UnsafeMutablePointer<FlowVerdict>, _ d: Decision, _ e: UnsafeMutablePointer<FlowEntry>,
                         _ flow: UInt32, wasDecided: Bool, unknown: Bool) {
        let effect = d.effect
        // A verdict made again under a new policy is reported only when it changed.
        let changed = !wasDecided || v.pointee.effect != effect.rawValue
        v.pointee.decided = true
        v.pointee.effect = effect.rawValue
        v.pointee.generation = generation
        if effect == .learn && !v.pointee.learnRecorded { v.pointee.learnPending = true }
        guard changed else { return }
        if d.ruleIndex != .max && Int(d.ruleIndex) < policy.ruleCount { ruleHits[Int(d.ruleIndex)] &+= 1 } else { defaultHits &+= 1 }
        switch effect {
        case .allow: counters.allowed &+= 1
        case .learn: counters.learned &+= 1
        case .violate: counters.violations &+= 1; record(d, "violate", e, flow, unknown: unknown, deny: false)
        case .deny:
            counters.denied &+= 1
            if e.pointee.proto == IPProto.tcp { counters.resets &+= 2 }
            record(d, "deny", e, flow, unknown: unknown, deny: true)
        case .pending: break
        }
    }

    /// Neighbour discovery and multicast/broadcast traffic is link plumbing, not workload
    /// traffic: a protect policy must not cut a pod's IPv6 off its neighbours.
    @inlinable
    public static func isLinkPlumbing(server dst: IPAddress, proto: UInt8, icmpType: UInt8) -> Bool {
        if dst.isV4 {
            let a = dst.v4Value
            if a >> 28 == 0xE || a == 0xFFFF_FFFF { return true }
        } else if dst.hi >> 56 == 0xFF {
            return true
        }
        // ICMPv6 router/neighbour solicitation and advertisement, redirect (133–137).
        return proto == 58 && icmpType >= 133 && icmpType <= 137
    }

    /// The destination's FQDN groups under `policy`: those of the host the client named, when
    /// it named one (the name asked for wins over the address), else of every name the DNS
    /// answers gave the address that is still live at `now` (the flow's own clock).
    @inlinable
    func fqdnGroups(under policy: CompiledPolicy, _ flow: UInt32, server: IPAddress, now: UInt64) -> GroupSet {
        let named = l7.withNamedHost(of: flow) { $0.count > 0 ? policy.fqdnGroups(matching: $0) : nil }
        if let named { return named }
        var groups = GroupSet.empty
        l7.names.forEachName(of: server, now: now) { groups.formUnion(policy.fqdnGroups(matching: $0)) }
        return groups
    }

    @inlinable
    mutating func record(_ d: Decision, _ action: StaticString, _ e: UnsafeMutablePointer<FlowEntry>, _ flow: UInt32,
                         unknown: Bool = false, deny: Bool) {
        guard l7.eve != nil else { return }
        if recordLimiter.isEnabled {
            // The tag holds what the aggregate record says: rule id, action, mode, workload.
            let rule = d.ruleID.map { UInt64(UInt32(truncatingIfNeeded: $0)) } ?? 0xFFFF_FFFF
            let tag = rule | (deny ? 1 << 32 : 0) | UInt64(d.mode.rawValue) << 40 | UInt64(UInt16(truncatingIfNeeded: d.workload &+ 1)) << 48
            let c = e.pointee.client
            let key = (c.hi &* 0x9E37_79B9_7F4A_7C15) ^ (c.lo &* 0xC2B2_AE3D_27D4_EB4F) ^ (tag &* 0x1656_67B1_9E37_79F9)
            let admitted = recordLimiter.admit(key: key, tag: tag, source: c, now: e.pointee.lastSeen)
            writeDueSummaries()
            guard admitted else {
                if let verdicts { verdicts[Int(flow)].recordSuppressed = true }
                return
            }
        }
        l7.eve!.reserve(4096)
        FlowRecord.header(UnsafePointer(e), timestamp: e.pointee.lastSeen, eventType: "policy", into: &l7.eve!)
        if let c = l7.alertCapture { c.write(flowID: e.pointee.flowID, into: &l7.eve!) }
        // The flow's app record as far as it is known when the verdict is made.
        l7.writeAppRecord(of: flow)
        // The verdict is Sluice's own: an item of metadata.flowvars, last (docs/eve.md).
        l7.eve!.beginVendorObject("policy")
        l7.eve!.field("action", action)
        if let id = d.ruleID { l7.eve!.field("rule_id", UInt64(id)) } else { l7.eve!.nullField("rule_id") }
        l7.eve!.field("mode", Self.modeName(d.mode))
        if d.workload >= 0 && Int(d.workload) + 1 < workloadOffsets.count {
            let from = workloadOffsets[Int(d.workload)], to = workloadOffsets[Int(d.workload) + 1]
            l7.eve!.field("workload", bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(workloadNames)[from..<to]))
        } else {
            l7.eve!.nullField("workload")
        }
        if unknown { l7.eve!.field("unknown_workload", true) }
        if d.quarantined { l7.eve!.field("quarantine", true) }
        l7.eve!.endVendorObject()
        l7.eve!.endObject()
        l7.eve!.endLine()
        writePolicyAlert(d, deny: deny, e, flow)
    }

    /// One aggregate record per count the limiter handed over: the rule, action, mode and
    /// workload, the source (absent for the worker-wide bound: many sources) and how many
    /// records were suppressed.
    @inlinable
    mutating func writeDueSummaries() {
        while let sum = recordLimiter.nextDue() {
            guard l7.eve != nil else { continue }
            l7.eve!.reserve(1024)
            l7.eve!.beginRecord("policy")
            l7.eve!.timestampField("timestamp", nanos: sum.last)
            l7.eve!.field("event_type", "policy")
            if !sum.isWorkerWide { l7.eve!.field("src_ip", sum.source) }
            l7.eve!.beginVendorObject("policy")
            if sum.isWorkerWide {
                l7.eve!.field("sources", "many")
            } else {
                l7.eve!.field("action", sum.tag >> 32 & 1 == 1 ? "deny" : "violate")
                let rule = sum.tag & 0xFFFF_FFFF
                if rule != 0xFFFF_FFFF { l7.eve!.field("rule_id", rule) } else { l7.eve!.nullField("rule_id") }
                l7.eve!.field("mode", Self.modeName(PolicyMode(rawValue: UInt8(truncatingIfNeeded: sum.tag >> 40)) ?? .protect))
                let w = Int(UInt16(truncatingIfNeeded: sum.tag >> 48)) - 1
                if w >= 0 && w + 1 < workloadOffsets.count {
                    let from = workloadOffsets[w], to = workloadOffsets[w + 1]
                    l7.eve!.field("workload", bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(workloadNames)[from..<to]))
                } else {
                    l7.eve!.nullField("workload")
                }
            }
            l7.eve!.field("aggregated", true)
            l7.eve!.field("count", sum.suppressed)
            l7.eve!.timestampField("window_start", nanos: sum.windowStart)
            l7.eve!.endVendorObject()
            l7.eve!.endObject()
            l7.eve!.endLine()
        }
    }

    @inlinable
    static func modeName(_ m: PolicyMode) -> StaticString {
        switch m {
        case .discover: return "discover"
        case .monitor: return "monitor"
        case .protect: return "protect"
        }
    }
}
