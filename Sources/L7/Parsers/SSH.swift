import Codecs
import L7Core
import Output
import SSH
import Stream
import Threats

// SSH: each side's identification string and HASSH, up to NEWKEYS; after that the flow is
// encrypted and the parser is done (its `ssh` record written then, or when the flow ends).

extension SSHParser: StreamParser {
    @inlinable mutating func reset(for app: AppProto) { reset() }

    @inlinable
    mutating func feed(_ bytes: UnsafeRawBufferPointer, direction: Direction, sink: inout L7Stage) -> ParserStatus {
        feed(bytes, toServer: direction == .toServer, sink: &sink)
        return finished ? .done : .more
    }

    /// Packet boundaries cannot be found again after a hole: report and stop.
    @inlinable
    mutating func gap(direction: Direction, length: Int, sink: inout L7Stage) -> ParserStatus {
        gap(toServer: direction == .toServer)
        end(sink: &sink)
        return .done
    }

    @inlinable mutating func finish(sink: inout L7Stage) { end(sink: &sink) }

    @inlinable mutating func release(errors: inout ReasonCounts) { errors.add(counters) }

    @inlinable mutating func writeRecord(into out: inout JSONBuffer) -> Bool {
        writeEve(into: &out)
        return true
    }
}

extension L7Stage: SSHSink {
    public mutating func sshHandshake(client: UnsafePointer<SSHSide>, server: UnsafePointer<SSHSide>) {
        counters.sshEvents &+= 1
        if threats.isEnabled {
            let e = flows! + Int(current), now = flows![Int(current)].lastSeen, flow = current
            client.pointee.protoVersion.withBytes { threats.sshVersion($0, server: false, flow: flow, entry: e, now: now) }
            server.pointee.protoVersion.withBytes { threats.sshVersion($0, server: true, flow: flow, entry: e, now: now) }
        }
        guard eve != nil else { return }
        beginRecord("ssh", txID: 0)
        SSHEve.write(client: client, server: server, into: &eve!)
        endRecord()
    }
}

extension ReasonCounts {
    @inlinable mutating func add(_ c: SSHCounters) {
        count(.sshBadBanner, UInt64(c.badBanners))
        count(.sshBadPacketLength, UInt64(c.badPacketLengths))
        count(.sshMalformedKexInit, UInt64(c.malformedKexInits))
        count(.sshOversizedKexInit, UInt64(c.oversizedKexInits))
    }
}
