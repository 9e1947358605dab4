/// A histogram of durations in nanoseconds with fixed log-scale buckets: bucket `k` (0..<25)
/// holds durations in (64·2^(k-1), 64·2^k] ns, so the upper bounds run 64 ns, 128 ns, ...
/// 2^30 ns (about 1.07 s); bucket 25 holds everything longer. Inline storage, allocation-free
/// `record`, mergeable by addition.
///
/// Exposed in Prometheus as a histogram in seconds: `le` is each upper bound, cumulative.
public struct LatencyHistogram: BitwiseCopyable, Sendable {
    /// Counts per bucket; index `finiteBuckets` is the overflow (`le="+Inf"` only).
    public var buckets = Counters32()
    /// Sum of every duration recorded, nanoseconds (wrapping).
    public var sumNanos: UInt64 = 0
    /// Durations recorded.
    public var count: UInt64 = 0

    /// Buckets with a finite upper bound.
    public static let finiteBuckets = 25
    /// The smallest upper bound, nanoseconds (`64 = 1 << 6`).
    public static let firstBoundShift = 6

    /// Empty.
    @inlinable public init() {}

    /// The bucket a duration of `nanos` falls in: the first whose upper bound is at least it.
    @inlinable public static func bucket(for nanos: UInt64) -> Int {
        if nanos <= 64 { return 0 }
        // ceil(log2(nanos)) - 6: the number of bits in nanos - 1, less the first bound's.
        let k = (64 - (nanos &- 1).leadingZeroBitCount) &- firstBoundShift
        return k < finiteBuckets ? k : finiteBuckets
    }

    /// The upper bound of finite bucket `k`, nanoseconds.
    public static func upperBoundNanos(_ k: Int) -> UInt64 { UInt64(1) << UInt64(k + firstBoundShift) }

    /// Records one duration. No allocation, no branches beyond the bucket choice.
    @inlinable public mutating func record(nanos: UInt64) {
        buckets.add(1, at: Self.bucket(for: nanos))
        sumNanos &+= nanos
        count &+= 1
    }

    /// Adds every bucket, the sum and the count of `other` (another worker's histogram).
    public mutating func add(_ other: LatencyHistogram) {
        buckets.add(other.buckets)
        sumNanos &+= other.sumNanos
        count &+= other.count
    }

    /// Durations at most `upperBoundNanos(k)`: buckets 0 through `k` added up (Prometheus' `le`).
    public func cumulative(through k: Int) -> UInt64 {
        var t: UInt64 = 0
        for i in 0...min(k, Self.finiteBuckets) { t &+= buckets[i] }
        return t
    }
}
