import Foundation
import Stream

/// The TCP streams of a capture, per connection and direction, as Sluice's own pipeline
/// reassembles them: libpcap reads the file and a real `Worker` decodes, tracks and reassembles
/// it. A direction's bytes stop at its first gap, since a TLS parser cannot resync past a hole.
public struct PcapStreams {
    /// One TCP connection's streams.
    public struct Connection {
        public var key: String
        public var toServer: [[UInt8]] = []
        public var toClient: [[UInt8]] = []
        /// Gaps the engine reported in either direction.
        public var gaps = 0
    }

    /// The connections, in the order they ended.
    public var connections: [Connection] = []
    /// Why the capture could not be read, if it could not.
    public var error: String?

    /// Reassembles every TCP connection of the capture at `path`.
    public init(path: String) {
        let stage: CollectingStage
        do { stage = try TestReplay.run(path).stage } catch { self.error = "\(error)"; return }
        for f in stage.finished where f.proto == 6 {
            var c = Connection(key: "\(f.client):\(f.clientPort)-\(f.server):\(f.serverPort)")
            func upToGap(_ chunks: [Chunk]) -> [[UInt8]] {
                var out: [[UInt8]] = []
                for chunk in chunks {
                    guard case .data(let bytes) = chunk else { c.gaps += 1; break }
                    out.append(bytes)
                }
                return out
            }
            c.toServer = upToGap(f.toServer)
            c.toClient = upToGap(f.toClient)
            connections.append(c)
        }
    }
}
