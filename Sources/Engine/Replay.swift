import Codecs
import PacketIO

/// Feeds a packet source through a worker until the source ends.
public enum Replay {
    /// Runs every frame of `source` through `worker`; returns the number of frames.
    /// Generic over both, so the loop is specialised for the concrete source and stage.
    @inlinable
    public static func run<Source: PacketSource & ~Copyable, Stage: InspectionStage & ~Copyable>(
        _ source: inout Source, through worker: inout Worker<Stage>, iface: UInt16 = 0
    ) throws(PacketSourceError) -> Int {
        var n = 0
        while let p = try source.nextPacket() {
            // Read per frame: a pcapng file's interfaces may differ in link type.
            _ = worker.process(frame: p.data, wireLength: p.wireLength, timestamp: p.timestamp,
                               linkType: source.linkType, iface: iface)
            n += 1
        }
        return n
    }
}
