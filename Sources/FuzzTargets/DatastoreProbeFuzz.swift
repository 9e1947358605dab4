import Datastore
import L7Core

/// The datastore and service probes on a stream prefix or a datagram, every probe on its
/// own (detection stops at the first match, which would hide the later ones) and on every
/// prefix up to 64 bytes, as detection calls them while a stream's first bytes arrive; a
/// match is then parsed as the L7 stage would.
///
/// Input: one flag byte (bit 0: toward the server), then the bytes.
enum DatastoreProbeFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let toServer = input.byte() & 1 != 0
        let b = input.rest()
        var matched: AppProto? = nil
        var n = 0
        while true {
            let prefix = UnsafeRawBufferPointer(rebasing: b[0..<n])
            if case .match(let app) = probeAll(prefix, toServer: toServer) { matched = app }
            if n == b.count { break }
            n = n < 64 ? n + 1 : b.count
        }
        _ = DatastoreProbes.probeDatagram(b, toServer: toServer)
        guard let app = matched, app.isDatastore else { return }
        var p = DatastoreParser(app: app)
        var sink = DatastoreFuzzSink()
        p.feed(b, toServer: toServer, sink: &sink)
        _ = sink.sum
    }

    /// Runs every probe; returns the last match (or the stream verdict).
    static func probeAll(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        var v = DatastoreProbes.probeStream(b, toServer: toServer)
        for probe in [DatastoreProbes.amqp, DatastoreProbes.mqtt, DatastoreProbes.pgsql, DatastoreProbes.mysql,
                      DatastoreProbes.mongodb, DatastoreProbes.cassandra, DatastoreProbes.zookeeper, DatastoreProbes.kafka,
                      DatastoreProbes.memcached, DatastoreProbes.redis, DatastoreProbes.dhcp, DatastoreProbes.ntp] {
            let r = probe(b, toServer)
            if case .match = r { v = r }
        }
        return v
    }
}
