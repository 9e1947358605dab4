import Codecs

/// A count-min sketch over fixed windows of packet time: two rows of `width` 32-bit cells,
/// zeroed when a new window starts. Counting never fails and never grows, so no traffic,
/// however many distinct keys it carries, can fill it up to hide an attack; collisions only
/// ever over-count (a key's estimate is the smaller of its two cells), which is why
/// thresholds are far above what one benign key reaches.
public struct RateSketch: ~Copyable {
    @usableFromInline let cells: UnsafeMutablePointer<UInt32>
    @usableFromInline let shift: UInt64
    @usableFromInline let width: Int
    /// Window length in nanoseconds; 0 for a sketch without windows (counts up and down).
    @usableFromInline let windowNanos: UInt64
    /// The window the cells count, `now / windowNanos`.
    public var window: UInt64 = 0

    /// A sketch of two rows of `width` cells (rounded up to a power of two, at least 64).
    public init(width: Int, windowNanos: UInt64) {
        var w = 64
        while w < width && w < (1 << 24) { w <<= 1 }
        self.width = w
        shift = UInt64(64 - w.trailingZeroBitCount)
        self.windowNanos = windowNanos
        cells = .allocate(capacity: 2 * w)
        cells.initialize(repeating: 0, count: 2 * w)
    }

    deinit { cells.deallocate() }

    @inlinable func slots(_ key: UInt64) -> (Int, Int) {
        let a = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        let b = Int(truncatingIfNeeded: ((key ^ 0x5851_F42D_4C95_7F2D) &* 0xC2B2_AE3D_27D4_EB4F) >> shift)
        return (a, width &+ b)
    }

    /// Starts a new window when `now` is past the current one.
    @inlinable mutating func roll(_ now: UInt64) {
        guard windowNanos > 0 else { return }
        let w = now / windowNanos
        if w != window {
            window = w
            cells.update(repeating: 0, count: 2 * width)
        }
    }

    /// Counts one more for `key` in the window of `now` and returns the key's estimate.
    @inlinable public mutating func add(_ key: UInt64, now: UInt64) -> UInt32 {
        roll(now)
        let (a, b) = slots(key)
        cells[a] = cells[a] &+ (cells[a] == .max ? 0 : 1)
        cells[b] = cells[b] &+ (cells[b] == .max ? 0 : 1)
        return min(cells[a], cells[b])
    }

    /// Counts one less for `key` (windowless sketches: a flow ended).
    @inlinable public mutating func remove(_ key: UInt64) {
        let (a, b) = slots(key)
        if cells[a] > 0 { cells[a] &-= 1 }
        if cells[b] > 0 { cells[b] &-= 1 }
    }

    /// The key's estimate in the current window.
    @inlinable public func estimate(_ key: UInt64) -> UInt32 {
        let (a, b) = slots(key)
        return min(cells[a], cells[b])
    }

    /// The sketch key of an address for one threat: its own hash per threat, so the same
    /// address counts apart for each.
    @inlinable public static func key(_ a: IPAddress, _ id: ThreatID) -> UInt64 {
        (a.hi &* 0xFF51_AFD7_ED55_8CCD) ^ (a.lo &* 0xC4CE_B9FE_1A85_EC53) ^ (UInt64(id.rawValue) &* 0x1656_67B1_9E37_79F9)
    }
}

/// Which (threat, key) pairs already had their alert in the current window: a fixed table
/// indexed by key hash. A collision can only cause one more alert; the per-window alert
/// budget of `ThreatEngine` bounds those.
public struct ReportedTable: ~Copyable {
    @usableFromInline let tags: UnsafeMutablePointer<UInt64>
    @usableFromInline let windows: UnsafeMutablePointer<UInt64>
    @usableFromInline let mask: Int

    /// A table of 1024 entries.
    public init() {
        mask = 1023
        tags = .allocate(capacity: mask + 1)
        tags.initialize(repeating: 0, count: mask + 1)
        windows = .allocate(capacity: mask + 1)
        windows.initialize(repeating: .max, count: mask + 1)
    }

    deinit {
        tags.deallocate()
        windows.deallocate()
    }

    /// Whether `key` has not been reported in `window` yet; marks it reported.
    @inlinable public mutating func first(_ key: UInt64, window: UInt64) -> Bool {
        let i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 54) & mask
        if tags[i] == key && windows[i] == window { return false }
        tags[i] = key
        windows[i] = window
        return true
    }
}
