#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure to read a file, with the system's reason.
public struct FileReadError: Error, CustomStringConvertible {
    /// strerror's text, or what is wrong with the file.
    public var description: String
}

/// The largest file `readFile` reads: config, policy and sensor files are far smaller, and a
/// path such as `/dev/zero` or a runaway file must not be read until memory runs out.
public let maxReadFileBytes = YAMLLimits.maxDocumentBytes

/// Reads a whole regular file of at most `limit` bytes as UTF-8 text (config files, small
/// and read once). Devices, FIFOs and folders are refused: they can block or never end.
public func readFile(_ path: String, limit: Int = maxReadFileBytes) throws(FileReadError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw FileReadError(description: String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw FileReadError(description: String(cString: strerror(errno))) }
    guard st.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { throw FileReadError(description: "not a regular file") }
    let tooLarge = FileReadError(description: "larger than \(limit) bytes (\(limit >> 20) MiB), the most a file may be")
    guard st.st_size <= limit else { throw tooLarge }
    // The size is checked again while reading: the file may grow after fstat.
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(st.st_size))
    var chunk = [UInt8](repeating: 0, count: 65536)
    while bytes.count <= limit {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw FileReadError(description: String(cString: strerror(errno)))
        }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    guard bytes.count <= limit else { throw tooLarge }
    return String(decoding: bytes, as: UTF8.self)
}

/// Reads a config file, a failure being a `ConfigError` that names the file.
public func readConfigFile(_ path: String) throws(ConfigError) -> String {
    do {
        return try readFile(path)
    } catch {
        throw ConfigError(file: path, line: 0, column: 0, key: "", reason: "cannot read: \(error)")
    }
}
