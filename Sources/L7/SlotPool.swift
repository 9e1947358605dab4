/// A fixed set of parser slots that flows borrow while they need a parser and give back when
/// done: parsers are kilobytes each, far too large to keep one per flow-table entry. Storage
/// is allocated once; borrowing and returning are a stack push and pop. A handle: copies share
/// the storage (the free list and counts too), and the owner frees it with `deallocate()`.
@usableFromInline
struct SlotPool<Element: ~Copyable> {
    @usableFromInline let items: UnsafeMutablePointer<Element>
    @usableFromInline let free: UnsafeMutablePointer<Int32>
    /// The pool's free-list depth and counts, kept by the owner (`ParserPools` keeps those
    /// of all its pools side by side, to report them by kind).
    @usableFromInline let counts: UnsafeMutablePointer<SlotCounts>

    /// `slots` slots, each set to `initial(index)`, counting into `counts` (uninitialized).
    @usableFromInline
    init(slots: Int, counts: UnsafeMutablePointer<SlotCounts>, initial: (Int) -> Element) {
        let n = max(1, slots)
        items = .allocate(capacity: n)
        for i in 0..<n { (items + i).initialize(to: initial(i)) }
        free = .allocate(capacity: n)
        for i in 0..<n { free[i] = Int32(n - 1 - i) }
        self.counts = counts
        counts.initialize(to: SlotCounts(freeCount: n, slots: n))
    }

    /// Frees the storage; the pool is unusable afterwards.
    func deallocate() {
        items.deinitialize(count: counts.pointee.slots)
        items.deallocate()
        free.deallocate()
    }

    /// Borrow attempts that found every slot taken.
    @inlinable var exhausted: UInt64 { counts.pointee.exhausted }

    /// A free slot's index, or nil (counted) when every slot is taken.
    @inlinable
    func borrow() -> Int32? {
        guard counts.pointee.freeCount > 0 else { counts.pointee.exhausted &+= 1; return nil }
        counts.pointee.freeCount -= 1
        counts.pointee.highWater = max(counts.pointee.highWater, counts.pointee.slots - counts.pointee.freeCount)
        return free[counts.pointee.freeCount]
    }

    /// Gives slot `i` back.
    @inlinable
    func giveBack(_ i: Int32) {
        free[counts.pointee.freeCount] = i
        counts.pointee.freeCount += 1
    }

    /// The parser in slot `i`.
    @inlinable
    func slot(_ i: Int32) -> UnsafeMutablePointer<Element> { items + Int(i) }
}

/// A pool's free-list depth and what it went through.
@usableFromInline
struct SlotCounts {
    @usableFromInline var freeCount: Int
    /// Borrow attempts that found the pool empty (the flow is then inspected no further).
    @usableFromInline var exhausted: UInt64 = 0
    /// Slots in use at most at once.
    @usableFromInline var highWater = 0
    @usableFromInline let slots: Int
}
