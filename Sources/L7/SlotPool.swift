/// A fixed set of parser slots that flows borrow while they need a parser and give back when
/// done: parsers are kilobytes each, far too large to keep one per flow-table entry. Storage
/// is allocated once; borrowing and returning are a stack push and pop. The owner frees it
/// with `deallocate()` (a deinit here trips the optimizer when the pool is a stored property
/// of a `~Copyable` stage; a copy of a pool shares its storage, so the owner keeps one).
@usableFromInline
struct SlotPool<Element: ~Copyable> {
    /// The slots; `perSlot` consecutive elements make one slot (both directions of a flow).
    @usableFromInline let items: UnsafeMutablePointer<Element>
    @usableFromInline let free: UnsafeMutablePointer<Int32>
    @usableFromInline var freeCount: Int
    @usableFromInline let perSlot: Int
    /// Borrow attempts that found the pool empty (the flow is then inspected no further).
    @usableFromInline var exhausted: UInt64 = 0
    /// Slots in use at most at once.
    @usableFromInline var highWater = 0
    @usableFromInline let slots: Int

    /// `slots` slots of `perSlot` elements, each element set to `initial(index)`.
    @usableFromInline
    init(slots: Int, perSlot: Int = 1, initial: (Int) -> Element) {
        let n = max(1, slots)
        self.slots = n
        self.perSlot = perSlot
        items = .allocate(capacity: n * perSlot)
        for i in 0..<(n * perSlot) { (items + i).initialize(to: initial(i)) }
        free = .allocate(capacity: n)
        for i in 0..<n { free[i] = Int32(n - 1 - i) }
        freeCount = n
    }

    /// Frees the storage; the pool is unusable afterwards.
    func deallocate() {
        items.deinitialize(count: slots * perSlot)
        items.deallocate()
        free.deallocate()
    }

    /// A free slot's index, or nil (counted) when every slot is taken.
    @inlinable
    mutating func borrow() -> Int32? {
        guard freeCount > 0 else { exhausted &+= 1; return nil }
        freeCount -= 1
        highWater = max(highWater, slots - freeCount)
        return free[freeCount]
    }

    /// Gives slot `i` back.
    @inlinable
    mutating func giveBack(_ i: Int32) {
        free[freeCount] = i
        freeCount += 1
    }

    /// The first element of slot `i`; the slot's other elements follow it.
    @inlinable
    func slot(_ i: Int32) -> UnsafeMutablePointer<Element> { items + Int(i) * perSlot }
}
