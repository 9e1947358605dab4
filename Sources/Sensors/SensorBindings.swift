/// What a fired rule does on one flow, from the bindings of the flow's workloads.
public enum SensorOutcome: UInt8, Sendable, Comparable {
    /// The rule is disabled for every workload of the flow that runs its sensor.
    case off
    /// Alert; the traffic passes.
    case alert
    /// Alert; the traffic passes, but a protect-mode workload would have blocked it.
    case wouldBlock
    /// Alert and block the flow.
    case block

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// How one workload runs the sensors: which run, which block whatever their rules say, which
/// only alert, whether blocks are enforced (protect mode), and its disabled rules.
public struct WorkloadSensorPlan: Sendable, Equatable {
    /// Sensors bound (bit = sensor index in the set).
    public var sensors: UInt64 = 0
    /// Sensors bound with `action: block`.
    public var blocking: UInt64 = 0
    /// Sensors bound with `action: alert`.
    public var alerting: UInt64 = 0
    /// The workload is in protect mode: a block is enforced, not only reported.
    public var enforces = false
    /// Rule ids turned off for this workload (ids of rules its sensors do not hold are ignored).
    public var disabledRuleIDs: [UInt32] = []

    /// A plan from its parts.
    public init(sensors: UInt64 = 0, blocking: UInt64 = 0, alerting: UInt64 = 0, enforces: Bool = false,
                disabledRuleIDs: [UInt32] = []) {
        self.sensors = sensors; self.blocking = blocking; self.alerting = alerting
        self.enforces = enforces; self.disabledRuleIDs = disabledRuleIDs
    }
}

/// The per-workload sensor plans of one policy over one sensor set, in fixed tables the packet
/// path reads without allocating: a plan per workload and a bitmap of disabled rules per
/// workload (one bit per rule of the set). Immutable; a new policy or set is a new value.
public final class SensorBindings: @unchecked Sendable {
    @usableFromInline struct Entry {
        @usableFromInline var sensors: UInt64
        @usableFromInline var blocking: UInt64
        @usableFromInline var alerting: UInt64
        @usableFromInline var enforces: Bool
        @usableFromInline var anyDisabled: Bool
    }

    @usableFromInline let entries: UnsafeMutablePointer<Entry>
    @usableFromInline let disabled: UnsafeMutablePointer<UInt64>
    /// Workloads (index = the policy's workload index).
    public let count: Int
    /// 64-bit words of disabled-rule bitmap per workload.
    @usableFromInline let words: Int

    /// The tables for `plans` (index = workload) over `set`'s rules.
    public init(plans: [WorkloadSensorPlan], set: SensorSet) {
        count = plans.count
        words = max(1, (set.rules.count + 63) / 64)
        entries = .allocate(capacity: max(1, count))
        disabled = .allocate(capacity: max(1, count) * words)
        disabled.initialize(repeating: 0, count: max(1, count) * words)
        var ruleIndex: [UInt32: Int] = [:]
        for (i, r) in set.rules.enumerated() { ruleIndex[r.id] = i }
        for (w, p) in plans.enumerated() {
            var any = false
            for id in p.disabledRuleIDs {
                guard let r = ruleIndex[id] else { continue }
                disabled[w * words + r / 64] |= 1 << UInt64(r % 64)
                any = true
            }
            (entries + w).initialize(to: Entry(sensors: p.sensors, blocking: p.blocking, alerting: p.alerting,
                                              enforces: p.enforces, anyDisabled: any))
        }
    }

    deinit {
        entries.deinitialize(count: count)
        entries.deallocate()
        disabled.deallocate()
    }

    /// What rule `rule` (index in the set) of sensor `sensor` does for workload `w`, the rule's
    /// own action being `ruleBlocks`; `.off` when the workload does not run the sensor or
    /// disabled the rule.
    @inlinable
    public func outcome(workload w: Int, rule: Int, sensor: Int, ruleBlocks: Bool) -> SensorOutcome {
        guard w >= 0 && w < count else { return .off }
        let e = entries[w]
        let bit: UInt64 = 1 << UInt64(sensor & 63)
        guard e.sensors & bit != 0 else { return .off }
        if e.anyDisabled && disabled[w * words + rule / 64] & (1 << UInt64(rule % 64)) != 0 { return .off }
        let blocks = e.blocking & bit != 0 || (e.alerting & bit == 0 && ruleBlocks)
        guard blocks else { return .alert }
        return e.enforces ? .block : .wouldBlock
    }

    /// The sensors workload `w` runs (0 for an index out of range).
    @inlinable
    public func sensors(ofWorkload w: Int) -> UInt64 { w >= 0 && w < count ? entries[w].sensors : 0 }
}
