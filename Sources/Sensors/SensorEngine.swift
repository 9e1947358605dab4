import PatternMatch

/// One worker's sensor runtime: its scratch, its stream scanners, its per-flow state, and the
/// logic that turns Hyperscan matches into fired rules (sensor mask, direction, validation,
/// all-patterns-in-one-unit, once per unit). It never writes records itself: fired rules
/// collect in ``fired`` for the caller, which knows the flow's application record.
///
/// Nothing here allocates after `init` and `attach`: scans write matches into a fixed
/// buffer, streams come from fixed slots, and normalization works in a fixed scratch area.
public struct SensorEngine: ~Copyable {
    /// The compiled sensors (kept alive for the handles below).
    public let set: SensorSet?
    /// Limits.
    public let config: SensorConfig
    /// What the sensors did.
    public var counters = SensorCounters()
    /// Alerts per rule (index = rule number in the set).
    public let ruleAlerts: UnsafeMutablePointer<UInt64>
    /// The policy's sensor plans per workload (kept alive for `bindingsRef`, which the packet
    /// path reads without reference counting).
    public private(set) var bindingsOwner: SensorBindings?
    @usableFromInline var bindingsRef: Unmanaged<SensorBindings>?

    @usableFromInline let scratchOwner: HyperscanScratch?
    @usableFromInline let scratch: ScratchHandle?
    @usableFromInline let matches: MatchBuffer
    @usableFromInline let urlDB: DatabaseHandle?
    @usableFromInline let headerDB: DatabaseHandle?
    @usableFromInline let queryDB: DatabaseHandle?
    /// Start tracking for prefiltered validated patterns (``SensorSet/confirm``).
    @usableFromInline let confirmDB: DatabaseHandle?
    /// The confirm scan's matches (the scan's own are still being read meanwhile).
    @usableFromInline let confirmMatches: MatchBuffer
    /// When set (benchmarks), every scan's bytes are recorded, to replay them through raw
    /// Hyperscan; nil on the packet path.
    @usableFromInline var recorderRef: Unmanaged<ScanRecorder>?
    /// Keeps ``recorderRef`` alive.
    public private(set) var recorder: ScanRecorder?
    @usableFromInline let raw: ScannerSlots
    @usableFromInline let body: ScannerSlots
    /// Numbers block scans, so patterns of a multi-pattern rule combine only within one.
    @usableFromInline var blockSeq: UInt64 = 0
    @usableFromInline let rules: UnsafeMutablePointer<RuleInfo>?
    @usableFromInline let patterns: UnsafeMutablePointer<PatternInfo>?
    /// Normalization output (URL, header line, decoded form piece).
    @usableFromInline let work: UnsafeMutableRawBufferPointer
    @usableFromInline var flows: UnsafeMutablePointer<SensorFlow>?
    @usableFromInline var capacity = 0
    /// Rules fired by the last call, for the caller to report; it empties them with
    /// ``clearFired()``.
    @usableFromInline let firedStorage: UnsafeMutablePointer<FiredAlert>
    @usableFromInline var firedTotal = 0
    /// How many of ``fired(_:)`` are set.
    @inlinable public var firedCount: Int { firedTotal }
    /// Room in the fired list per call; more are counted as alerts but not reported.
    public static let firedCapacity = 16
    /// Bytes of work space: the longest URL or header line normalized.
    public static let workSize = 16384
    /// Matches a confirm scan keeps (it scans at most 129 bytes).
    static let confirmCapacity = 64

    /// Records every scan from now on into `recorder` (benchmarks: raw Hyperscan over the
    /// bytes the engine inspected); nil stops.
    public mutating func record(into recorder: ScanRecorder?) {
        self.recorder = recorder
        recorderRef = recorder.map { Unmanaged.passUnretained($0) }
    }

    /// A runtime with no sensors: every call returns at once.
    public init() {
        set = nil; config = SensorConfig(); scratchOwner = nil; scratch = nil
        matches = MatchBuffer(capacity: 1)
        confirmMatches = MatchBuffer(capacity: 1)
        urlDB = nil; headerDB = nil; queryDB = nil; confirmDB = nil; raw = ScannerSlots(); body = ScannerSlots(); rules = nil; patterns = nil
        work = .allocate(byteCount: 1, alignment: 16)
        ruleAlerts = .allocate(capacity: 1)
        ruleAlerts.initialize(to: 0)
        firedStorage = .allocate(capacity: Self.firedCapacity)
        firedStorage.initialize(repeating: FiredAlert(), count: Self.firedCapacity)
    }

    /// A runtime for `set` with its own scratch (clone one per worker).
    public init(set: SensorSet, config: SensorConfig = SensorConfig()) throws {
        // Everything that can throw comes first: a noncopyable value cannot be left
        // half-initialized by a throw.
        let dbs = [set.url, set.header, set.query, set.body, set.stream, set.confirm].compactMap { $0 }
        var s: HyperscanScratch? = nil
        for db in dbs {
            if let s { try s.grow(for: db) } else { s = try HyperscanScratch(for: db) }
        }
        let rawSlots = try set.stream.map { try ScannerSlots(database: $0, count: config.rawStreams) }
        let bodySlots = try set.body.map { try ScannerSlots(database: $0, count: config.bodyStreams) }
        raw = rawSlots ?? ScannerSlots()
        body = bodySlots ?? ScannerSlots()
        self.set = set
        self.config = config
        scratchOwner = s
        scratch = s?.handle
        matches = MatchBuffer(capacity: config.matchesPerScan)
        urlDB = set.url?.handle; headerDB = set.header?.handle; queryDB = set.query?.handle
        confirmDB = set.confirm?.handle
        confirmMatches = MatchBuffer(capacity: Self.confirmCapacity)
        rules = set.ruleInfo
        patterns = set.patternInfo
        work = .allocate(byteCount: Self.workSize, alignment: 16)
        ruleAlerts = .allocate(capacity: max(1, set.rules.count))
        ruleAlerts.initialize(repeating: 0, count: max(1, set.rules.count))
        firedStorage = .allocate(capacity: Self.firedCapacity)
        firedStorage.initialize(repeating: FiredAlert(), count: Self.firedCapacity)
    }

    deinit {
        raw.deallocate()
        body.deallocate()
        matches.deallocate()
        confirmMatches.deallocate()
        ruleAlerts.deallocate()
        work.deallocate()
        firedStorage.deallocate()
        flows?.deallocate()
    }

    /// Whether any sensor is loaded.
    @inlinable public var isEnabled: Bool { rules != nil }

    /// Sizes per-flow state for the worker's flow table.
    public mutating func attach(capacity: Int) {
        guard isEnabled else { return }
        self.capacity = capacity
        flows = .allocate(capacity: capacity)
        flows!.initialize(repeating: SensorFlow(), count: capacity)
    }

    /// The `i`th rule fired by the last calls.
    @inlinable public func fired(_ i: Int) -> FiredAlert { firedStorage[i] }

    /// Forgets the fired list (after the caller reported it).
    @inlinable public mutating func clearFired() { firedTotal = 0 }

    /// Forgets the fired alerts of `flow`, keeping those of other flows (a URL alert waits
    /// for its request's headers, while other flows' packets may come between).
    @inlinable public mutating func clearFired(flow: UInt32) {
        var kept = 0
        for i in 0..<firedTotal where firedStorage[i].flow != flow {
            firedStorage[kept] = firedStorage[i]
            kept += 1
        }
        firedTotal = kept
    }

    // MARK: - Flows

    /// The flow's state, reset when the table gave slot `flow` to a new flow (which starts
    /// with every sensor applying, until ``setSensors(flow:flowID:mask:)`` narrows it).
    @inlinable
    mutating func state(_ flow: UInt32, _ flowID: UInt64) -> UnsafeMutablePointer<SensorFlow> {
        let f = flows! + Int(flow)
        if f.pointee.flowID != flowID {
            release(f)
            f.pointee = SensorFlow()
            f.pointee.flowID = flowID
            f.pointee.mask = ~0
        }
        return f
    }

    /// Which sensors apply to the flow (the policy binds sensors to workloads).
    @inlinable
    public mutating func setSensors(flow: UInt32, flowID: UInt64, mask: UInt64) {
        guard isEnabled else { return }
        state(flow, flowID).pointee.mask = mask
    }

    /// Binds the flow to its workloads under the engine's ``SensorBindings``: the sensors of
    /// both ends run, and what a fired rule does comes from their bindings and modes.
    @inlinable
    public mutating func setSensors(flow: UInt32, flowID: UInt64, serverWorkload: Int32, clientWorkload: Int32) {
        guard isEnabled else { return }
        let f = state(flow, flowID)
        f.pointee.serverWorkload = serverWorkload
        f.pointee.clientWorkload = clientWorkload
        guard let b = bindingsRef else { f.pointee.mask = 0; return }
        f.pointee.mask = b._withUnsafeGuaranteedRef {
            $0.sensors(ofWorkload: Int(serverWorkload)) | $0.sensors(ofWorkload: Int(clientWorkload))
        }
    }

    /// Puts the policy's per-workload sensor plans in force (flows bind again with
    /// ``setSensors(flow:flowID:serverWorkload:clientWorkload:)``); nil: each rule's own action.
    public mutating func bind(_ bindings: SensorBindings?) {
        bindingsOwner = bindings
        bindingsRef = bindings.map { Unmanaged.passUnretained($0) }
    }

    /// What rule `rule` (index in the set) does on flow `f`: the strongest outcome over the
    /// flow's workloads that run its sensor and did not disable it; the rule's own action when
    /// the flow has no workload or no bindings are in force.
    @inlinable
    func outcome(_ f: UnsafeMutablePointer<SensorFlow>, rule: UInt32, sensor: UInt8, ruleBlocks: Bool) -> SensorOutcome {
        let ws = f.pointee.serverWorkload, wc = f.pointee.clientWorkload
        guard let b = bindingsRef, ws >= 0 || wc >= 0 else { return ruleBlocks ? .block : .alert }
        return b._withUnsafeGuaranteedRef {
            max($0.outcome(workload: Int(ws), rule: Int(rule), sensor: Int(sensor), ruleBlocks: ruleBlocks),
                $0.outcome(workload: Int(wc), rule: Int(rule), sensor: Int(sensor), ruleBlocks: ruleBlocks))
        }
    }

    /// Whether a `block` rule fired on the flow.
    @inlinable
    public mutating func isBlocked(flow: UInt32, flowID: UInt64) -> Bool {
        guard isEnabled else { return false }
        let f = flows! + Int(flow)
        return f.pointee.flowID == flowID && f.pointee.blocked
    }

    /// The flow ended: streams report their end-of-data matches and go back to their pools.
    @inlinable
    public mutating func flowEnded(flow: UInt32, flowID: UInt64) {
        guard isEnabled else { return }
        let f = flows! + Int(flow)
        guard f.pointee.flowID == flowID else { return }
        // Two directions spelled out: a `for` over an array literal would allocate.
        if f.pointee.toServer.rawSlot >= 0 { finishStream(f, raw: true, toServer: true, unit: 0) }
        if f.pointee.toClient.rawSlot >= 0 { finishStream(f, raw: true, toServer: false, unit: 0) }
        if f.pointee.toServer.bodySlot >= 0 { finishStream(f, raw: false, toServer: true, unit: f.pointee.toServer.bodyUnit) }
        if f.pointee.toClient.bodySlot >= 0 { finishStream(f, raw: false, toServer: false, unit: f.pointee.toClient.bodyUnit) }
        f.pointee.flowID = 0
    }

    @inlinable
    mutating func release(_ f: UnsafeMutablePointer<SensorFlow>) {
        releaseDirection(direction(f, true))
        releaseDirection(direction(f, false))
    }

    @inlinable
    mutating func releaseDirection(_ d: UnsafeMutablePointer<SensorDirection>) {
        if d.pointee.rawSlot >= 0 { raw.giveBack(d.pointee.rawSlot); d.pointee.rawSlot = -1 }
        if d.pointee.bodySlot >= 0 { body.giveBack(d.pointee.bodySlot); d.pointee.bodySlot = -1 }
    }

    @inlinable
    func direction(_ f: UnsafeMutablePointer<SensorFlow>, _ toServer: Bool) -> UnsafeMutablePointer<SensorDirection> {
        toServer ? f.pointer(to: \.toServer)! : f.pointer(to: \.toClient)!
    }
}
