import Glibc
import Policy
import Sensors
import Synchronization

/// How a new policy reaches running workers: the control side stores an immutable
/// `CompiledPolicy` and bumps a generation; each worker compares the generation (one atomic
/// load, no lock) between batches of packets and only when it moved takes the new snapshot
/// and applies it. No packet waits for a reload.
public final class PolicyMailbox: Sendable {
    /// One worker's acknowledgment: the generation it applied and when (monotonic ns).
    final class Ack: Sendable {
        let generation = Atomic<UInt64>(0)
        let at = Atomic<UInt64>(0)
    }
    let generationCounter = Atomic<UInt64>(0)
    let publishedAt = Atomic<UInt64>(0)
    let acks: [Ack]
    let current: Mutex<CompiledPolicy>
    let unknown: Mutex<UInt64>

    /// A mailbox holding `policy` as generation 0; `unknownInterfaces` marks the interfaces
    /// (bit = interface number) whose flows get the policy's `unknown` action.
    public init(_ policy: CompiledPolicy, unknownInterfaces: UInt64, workers: Int = 1) {
        acks = (0..<max(1, workers)).map { _ in Ack() }
        current = Mutex(policy)
        unknown = Mutex(unknownInterfaces)
    }

    /// The interfaces whose workload the policy in the mailbox does not know.
    public var unknownInterfaces: UInt64 { unknown.withLock { $0 } }

    /// The generation of the policy in the mailbox.
    public var generation: UInt64 { generationCounter.load(ordering: .acquiring) }

    /// The policy in the mailbox.
    public var policy: CompiledPolicy { current.withLock { $0 } }

    /// Puts `policy` in force for every worker, at each one's next batch.
    public func publish(_ policy: CompiledPolicy, unknownInterfaces: UInt64) {
        current.withLock { $0 = policy }
        unknown.withLock { $0 = unknownInterfaces }
        publishedAt.store(monotonicNanos(), ordering: .relaxed)
        generationCounter.add(1, ordering: .releasing)
    }

    /// Worker `index` applied `generation` (called by the worker, between batches).
    public func acknowledge(worker index: Int, generation: UInt64) {
        guard index < acks.count else { return }
        acks[index].at.store(monotonicNanos(), ordering: .relaxed)
        acks[index].generation.store(generation, ordering: .releasing)
    }

    /// Waits up to `timeoutMs` until every worker applied the current generation; returns the
    /// time from publication to the last worker's switch in ns, nil on timeout.
    public func waitApplied(timeoutMs: Int) -> UInt64? {
        let g = generation
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        while monotonicNanos() < deadline {
            if acks.allSatisfy({ $0.generation.load(ordering: .acquiring) >= g }) {
                let last = acks.map { $0.at.load(ordering: .relaxed) }.max() ?? 0
                let published = publishedAt.load(ordering: .relaxed)
                return last > published ? last - published : 0
            }
            usleep(200)
        }
        return nil
    }
}

/// How a new sensor set reaches running workers, like ``PolicyMailbox``: one atomic load per
/// batch; a worker that sees a new generation builds its own runtime for the new set.
public final class SensorMailbox: Sendable {
    let generationCounter = Atomic<UInt64>(0)
    let current: Mutex<SensorSet?>

    /// A mailbox holding `set` as generation 0.
    public init(_ set: SensorSet?) { current = Mutex(set) }

    /// The generation of the set in the mailbox.
    public var generation: UInt64 { generationCounter.load(ordering: .acquiring) }

    /// The set in the mailbox.
    public var set: SensorSet? { current.withLock { $0 } }

    /// Puts `set` in force for every worker, at each one's next batch.
    public func publish(_ set: SensorSet?) {
        current.withLock { $0 = set }
        generationCounter.add(1, ordering: .releasing)
    }
}
