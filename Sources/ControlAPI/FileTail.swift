#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The last lines of a growing file (the EVE file), read backwards from its end in blocks, so
/// the cost follows what is asked for, never the file's size.
enum FileTail {
    /// The last `count` complete lines of `path` (a record still being written, after the last
    /// newline, is left for the follower) and the offset just past them, where following
    /// starts. Reads at most `maxBytes`: when `count` lines are longer, fewer are returned.
    static func lastLines(path: String, count: Int, blockSize: Int = 64 << 10,
                          maxBytes: Int = 32 << 20) -> (bytes: [UInt8], end: UInt64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        var block = [UInt8](repeating: 0, count: blockSize)
        var end: Int?            // just past the last newline
        var start: Int?          // where the first returned line starts
        var earliest: Int?       // the earliest newline before `end` seen so far
        var found = 0            // newlines seen before `end`
        var pos = size
        scan: while pos > 0, start == nil {
            // Past the byte cap, the lines found so far are the answer (whole lines only).
            if size - pos >= maxBytes { start = earliest.map { $0 + 1 } ?? end; break }
            let n = min(blockSize, pos)
            pos -= n
            let got = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(pos)) }
            guard got == n else { return nil }
            for i in stride(from: n - 1, through: 0, by: -1) where block[i] == 0x0A {
                guard end != nil else {
                    end = pos + i + 1
                    if count == 0 { start = end; break scan }
                    continue
                }
                found += 1
                earliest = pos + i
                if found == count { start = pos + i + 1; break scan }
            }
        }
        guard let last = end else { return ([], 0) }
        let first = start ?? 0
        var out = [UInt8](repeating: 0, count: last - first)
        if last > first {
            let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, last - first, off_t(first)) }
            guard got == last - first else { return nil }
        }
        return (out, UInt64(last))
    }
}
