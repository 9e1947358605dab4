import Codecs

/// All workers' metrics summed (scrape side: allocates freely). Everything but the two hit
/// tables is summed into `sum`; the tables are summed into dictionaries, which unlike one
/// worker's table have no bound. `workers` keeps each worker's busy time for per-worker output.
public struct MetricsTotals: Sendable {
    /// Every counter and histogram summed; `sum.ruleHits` and `sum.sensorMatches` are left empty.
    public var sum = WorkerMetrics()
    /// Verdicts per policy rule id, all workers.
    public var ruleHits: [Int: UInt64] = [:]
    /// Rule hits workers could not attribute because their table was full.
    public var ruleHitOverflow: UInt64 = 0
    /// Sensor rules fired per sid, all workers.
    public var sensorMatches: [Int: UInt64] = [:]
    /// Sensor matches workers could not attribute because their table was full.
    public var sensorMatchOverflow: UInt64 = 0
    /// Each worker's busy time, in worker order.
    public var busy: [BusyTime] = []

    /// The totals of `workers`.
    public init(_ workers: [WorkerMetrics]) {
        for w in workers {
            sum.interfaces.add(w.interfaces)
            sum.drops.add(w.drops)
            sum.flowsActive &+= w.flowsActive
            sum.flowsCreated &+= w.flowsCreated
            sum.flowsTimedOut &+= w.flowsTimedOut
            sum.flowsEvicted &+= w.flowsEvicted
            sum.flowsReused &+= w.flowsReused
            sum.flowsCapacity &+= w.flowsCapacity
            sum.parserPoolExhausted.add(w.parserPoolExhausted)
            sum.sensorScannersExhausted &+= w.sensorScannersExhausted
            sum.flowsByApp.add(w.flowsByApp)
            sum.l7ParseErrors.add(w.l7ParseErrors)
            sum.verdicts.add(w.verdicts)
            sum.defaultRuleHits &+= w.defaultRuleHits
            sum.eveSuppressed &+= w.eveSuppressed
            sum.learnedShapes &+= w.learnedShapes
            sum.learnedOverflow &+= w.learnedOverflow
            sum.sensorWouldBlock &+= w.sensorWouldBlock
            sum.sensorDisabledMatches &+= w.sensorDisabledMatches
            sum.threats.add(w.threats)
            w.ruleHits.forEach { id, n in ruleHits[id, default: 0] &+= n }
            ruleHitOverflow &+= w.ruleHits.overflow
            w.sensorMatches.forEach { id, n in sensorMatches[id, default: 0] &+= n }
            sensorMatchOverflow &+= w.sensorMatches.overflow
            sum.decode.add(w.decode)
            sum.defrag.add(w.defrag)
            sum.stream.add(w.stream)
            sum.latency.add(w.latency)
            busy.append(w.busy)
        }
    }
}
