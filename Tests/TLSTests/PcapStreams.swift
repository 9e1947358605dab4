import Foundation
import SluiceTestSupport
import Stream

/// The TCP streams of a capture, per connection and direction, as Sluice's own pipeline
/// reassembles them: libpcap reads the file and a real `Worker` decodes, tracks and reassembles
/// it. A direction's bytes stop at its first gap, since a TLS parser cannot resync past a hole.
struct PcapStreams {
    struct Connection {
        var key: String
        var toServer: [[UInt8]] = []
        var toClient: [[UInt8]] = []
        /// Gaps the engine reported in either direction.
        var gaps = 0
    }

    var connections: [Connection] = []
    var error: String?

    init(path: String) {
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
