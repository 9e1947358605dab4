#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// write(2), retried on EINTR; returns the bytes written or -1.
@usableFromInline
func writeBytes(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
    while true {
        let r = write(fd, p, n)
        if r < 0 && errno == EINTR { continue }
        return r
    }
}
