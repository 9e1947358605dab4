#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure to read a file, with the system's reason.
public struct FileReadError: Error, CustomStringConvertible {
    /// strerror's text.
    public var description: String
}

/// Reads a whole file as UTF-8 text (config files, small and read once).
public func readFile(_ path: String) throws(FileReadError) -> String {
    guard let f = fopen(path, "rb") else { throw FileReadError(description: String(cString: strerror(errno))) }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        if n < chunk.count { break }
    }
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
