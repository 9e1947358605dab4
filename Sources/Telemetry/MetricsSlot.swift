import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one worker publishes its `WorkerMetrics` for the scraper: a seqlock. One writer (the
/// worker) and any number of readers (scrapes), no locks, no allocation, no reference
/// counting on either side; the writer never waits.
///
/// Why a seqlock rather than double buffering: with two buffers and an index, a reader that
/// is slow (descheduled mid-copy) can still be overtaken by two publications and read a
/// buffer being rewritten, so the reader needs a sequence check anyway, or the writer must
/// wait for readers, which a worker must never do. The seqlock is that sequence check on a
/// single buffer: the writer makes the sequence odd, copies, makes it even; a reader copies
/// between two loads of an even, unchanged sequence, else retries. Publications are ~100 ms
/// apart and take about a microsecond, so a reader almost never retries.
///
/// Memory ordering follows Boehm's seqlock recipe: writer `seq = odd` (relaxed), release
/// fence, data, `seq = even` (release); reader `seq` (acquire), data, acquire fence, `seq`
/// (relaxed). The data is copied as raw bytes; a torn copy is possible only while the
/// sequence moves, and then it is thrown away.
public final class MetricsSlot: @unchecked Sendable {
    private let sequence = Atomic<UInt64>(0)
    let storage: UnsafeMutableRawPointer

    /// An empty slot: reads return all-zero metrics until the first publication.
    public init() {
        storage = .allocate(byteCount: MemoryLayout<WorkerMetrics>.size, alignment: 64)
        storage.initializeMemory(as: WorkerMetrics.self, to: WorkerMetrics())
    }

    deinit { storage.deallocate() }

    /// Publishes a copy of `metrics`. Only the slot's one worker may call this. Copies
    /// `MemoryLayout<WorkerMetrics>.size` bytes; allocation-free.
    public func publish(_ metrics: borrowing WorkerMetrics) {
        let s = sequence.load(ordering: .relaxed)
        sequence.store(s &+ 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        withUnsafePointer(to: metrics) { storage.copyMemory(from: $0, byteCount: MemoryLayout<WorkerMetrics>.size) }
        sequence.store(s &+ 2, ordering: .releasing)
    }

    /// A consistent copy of the last publication (all zero before the first). Any thread.
    public func read() -> WorkerMetrics {
        var out = WorkerMetrics()
        readInto(&out)
        return out
    }

    /// Copies the last publication into `out` and returns how many times the copy was retried
    /// because a publication was in progress or overlapped it. After 64 retries in a row the
    /// reader yields its core, so a writer preempted mid-publication gets to finish.
    @discardableResult
    public func readInto(_ out: inout WorkerMetrics) -> Int {
        var retries = 0
        while true {
            let s1 = sequence.load(ordering: .acquiring)
            if s1 & 1 == 0 {
                withUnsafeMutablePointer(to: &out) {
                    UnsafeMutableRawPointer($0).copyMemory(from: storage, byteCount: MemoryLayout<WorkerMetrics>.size)
                }
                atomicMemoryFence(ordering: .acquiring)
                if sequence.load(ordering: .relaxed) == s1 { return retries }
            }
            retries &+= 1
            if retries & 63 == 0 { sched_yield() }
        }
    }

    /// Publications so far.
    public var publications: UInt64 { sequence.load(ordering: .acquiring) / 2 }
}
