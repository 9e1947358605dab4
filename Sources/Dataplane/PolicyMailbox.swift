import Policy
import Synchronization

/// How a new policy reaches running workers: the control side stores an immutable
/// `CompiledPolicy` and bumps a generation; each worker compares the generation (one atomic
/// load, no lock) between batches of packets and only when it moved takes the new snapshot
/// and applies it. No packet waits for a reload.
public final class PolicyMailbox: Sendable {
    let generationCounter = Atomic<UInt64>(0)
    let current: Mutex<CompiledPolicy>
    let unknown: Mutex<UInt64>

    /// A mailbox holding `policy` as generation 0; `unknownInterfaces` marks the interfaces
    /// (bit = interface number) whose flows get the policy's `unknown` action.
    public init(_ policy: CompiledPolicy, unknownInterfaces: UInt64) {
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
        generationCounter.add(1, ordering: .releasing)
    }
}
