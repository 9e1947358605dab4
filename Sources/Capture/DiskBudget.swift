import Synchronization

/// A byte budget for a capture directory, shared by every writer in it (all workers' capture
/// sessions and flow saves), so their files together stay under a bound.
///
/// Writers reserve a block's bytes before writing it: one atomic add, taken only for frames
/// that are written (never on the non-matching path).
public final class DiskBudget: Sendable {
    /// The most bytes the directory may hold.
    public let limit: Int
    let used: Atomic<Int>

    /// A budget of `limit` bytes of which `alreadyUsed` are taken (files already on disk).
    public init(limit: Int, alreadyUsed: Int = 0) {
        self.limit = limit
        used = Atomic(alreadyUsed)
    }

    /// Bytes reserved so far.
    public var usedBytes: Int { used.load(ordering: .relaxed) }

    /// Takes `bytes` from the budget; false (and nothing taken) when that would pass the limit.
    /// Add-then-undo rather than a compare-exchange loop: under contention it may refuse a
    /// small write next to a large refused one, which errs on the side of the bound.
    @inline(__always)
    public func reserve(_ bytes: Int) -> Bool {
        let after = used.wrappingAdd(bytes, ordering: .relaxed).newValue
        if after > limit {
            used.wrappingSubtract(bytes, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Takes `bytes` even past the limit (a file header that is already written).
    public func force(_ bytes: Int) { used.wrappingAdd(bytes, ordering: .relaxed) }

    /// Gives back `bytes` (their file was deleted).
    public func release(_ bytes: Int) { used.wrappingSubtract(bytes, ordering: .relaxed) }
}
