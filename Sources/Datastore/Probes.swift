import L7Core

/// Content probes for datastore and service protocols. Each looks at the start of one direction
/// of a TCP stream (or one UDP payload) and never at ports. They are strict on purpose: a probe
/// that answers `match` for HTTP, TLS, SSH, DNS or random bytes would steal those flows, so each
/// checks several independent fields (exact magic values, lengths consistent with each other,
/// printable names from closed lists) before it answers.
public enum DatastoreProbes {
    /// Runs the TCP probes in order (most specific magic first) and returns the first match;
    /// `needMore` if none matched but one could still match with more bytes.
    @inlinable public static func probeStream(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        var more = false
        for probe in 0..<10 {
            let v: DatastoreVerdict
            switch probe {
            case 0: v = amqp(b, toServer: toServer)
            case 1: v = mqtt(b, toServer: toServer)
            case 2: v = pgsql(b, toServer: toServer)
            case 3: v = mysql(b, toServer: toServer)
            case 4: v = mongodb(b, toServer: toServer)
            case 5: v = cassandra(b, toServer: toServer)
            case 6: v = zookeeper(b, toServer: toServer)
            case 7: v = kafka(b, toServer: toServer)
            case 8: v = memcached(b, toServer: toServer)
            default: v = redis(b, toServer: toServer)
            }
            switch v {
            case .match: return v
            case .needMore: more = true
            case .noMatch: break
            }
        }
        return more ? .needMore : .noMatch
    }

    /// Runs the UDP probes (DHCP, then NTP) on one datagram. A datagram is whole, so the answer
    /// is never `needMore`.
    @inlinable public static func probeDatagram(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        if case .match = dhcp(b, toServer: toServer) { return .match(.dhcp) }
        if case .match = ntp(b, toServer: toServer) { return .match(.ntp) }
        return .noMatch
    }
}
