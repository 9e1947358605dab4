#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock workers time packets and loops with: CLOCK_MONOTONIC in nanoseconds (a vDSO call
/// on Linux, no system call, no allocation).
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point; never goes back.
    @inlinable public static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
