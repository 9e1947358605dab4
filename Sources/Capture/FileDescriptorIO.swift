#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small wrappers over the POSIX calls the capture files need, so each caller gets a
/// `CaptureError` naming the file instead of a bare -1.
enum FileDescriptorIO {
    /// Opens `path` for writing, created (mode 0640: captures hold payloads) or truncated.
    static func create(_ path: String) throws(CaptureError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CaptureError.system(operation: "open", path: path, errno: errno) }
        return fd
    }

    /// Writes all `count` bytes at `base`, going on after short writes and EINTR.
    static func writeAll(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int, path: String) throws(CaptureError) {
        var done = 0
        while done < count {
            let n = write(fd, base + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw CaptureError.system(operation: "write", path: path, errno: errno)
            }
            done += n
        }
    }

    /// The whole file at `path`.
    static func readAll(_ path: String) throws(CaptureError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CaptureError.system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CaptureError.system(operation: "read", path: path, errno: errno)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// The size of the file at `path`, 0 when it cannot be read.
    static func size(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
}
