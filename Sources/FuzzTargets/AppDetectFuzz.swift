import L7

/// The content-based app detector on the first bytes of each direction, fed as `L7Stage`
/// feeds it: a chunk of 64 bytes or more on an empty prefix is probed in place, anything
/// else joins a 64-byte prefix that is probed whole. Every prefix of each chunk is probed
/// too (a stream may be cut anywhere), and each chunk as a UDP payload.
///
/// Input: records of a direction byte and a length-prefixed chunk.
enum AppDetectFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var prefixes: [[UInt8]] = [[], []]
        while !input.isAtEnd {
            let toServer = input.byte() & 1 == 0
            guard let chunk = input.record() else { break }
            let d = toServer ? 0 : 1
            for n in 0...min(chunk.count, 80) {
                _ = AppDetector.probeStream(UnsafeRawBufferPointer(rebasing: chunk[0..<n]), toServer: toServer)
            }
            _ = AppDetector.probeStream(chunk, toServer: toServer)
            _ = AppDetector.probeDatagram(chunk, toServer: toServer)
            if prefixes[d].isEmpty && chunk.count >= 64 { continue }
            prefixes[d].append(contentsOf: chunk.prefix(64 - prefixes[d].count))
            prefixes[d].withUnsafeBytes { _ = AppDetector.probeStream($0, toServer: toServer) }
        }
    }
}
