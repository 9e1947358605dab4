/// A fixed array in raw memory for the compiled policy's tables. The owner (a final class that
/// never mutates after init) frees it, so lookups read plain pointers: no bounds-check
/// traps on the packet path, no reference counting, no copy-on-write checks.
@usableFromInline struct RawArray<Element> {
    @usableFromInline let base: UnsafeMutablePointer<Element>
    @usableFromInline let count: Int

    /// Copies `array` (at least one slot is allocated so `base` is always valid).
    init(_ array: [Element]) {
        count = array.count
        base = .allocate(capacity: max(array.count, 1))
        array.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { base.initialize(from: s, count: array.count) }
        }
    }

    @inlinable subscript(i: Int) -> Element {
        @inline(__always) get { base[i] }
    }

    func free() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
