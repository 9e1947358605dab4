import Codecs
import Engine
import Flow
import L7Core
import Output
import Stream
import Threats
import TLS

/// A flow's TLS handshake: a parser per direction, and whether its `tls` record was written.
/// Done once either side goes encrypted or stops looking like TLS (and on a gap: record
/// boundaries cannot be found again); the record is written then, or when the flow ends.
@usableFromInline
struct TLSSession {
    @usableFromInline var client = TLSHandshakeParser()
    @usableFromInline var server = TLSHandshakeParser()
    @usableFromInline var logged = false
    @usableFromInline init() {}
}

extension TLSSession: StreamParser {
    @inlinable mutating func reset(for app: AppProto) {
        client.reset()
        server.reset()
        logged = false
    }

    @inlinable
    mutating func feed(_ bytes: UnsafeRawBufferPointer, direction: Direction, sink: inout L7Stage) -> ParserStatus {
        if direction == .toServer {
            client.feed(bytes)
            if client.info.clientHelloSeen {
                // By address: the SNI is 256 bytes and the parser 22 KB; neither is copied.
                withUnsafeMutablePointer(to: &client) { sink.clientNamedHost(sni: $0.pointer(to: \.info.sni)!) }
            }
        } else {
            server.feed(bytes)
        }
        guard server.encrypted || server.failed || (client.failed && server.info.serverHelloSeen) else { return .more }
        finish(sink: &sink)
        return .done
    }

    @inlinable
    mutating func gap(direction: Direction, length: Int, sink: inout L7Stage) -> ParserStatus {
        finish(sink: &sink)
        return .done
    }

    /// Writes the `tls` record once, if either hello was seen.
    @inlinable mutating func finish(sink: inout L7Stage) {
        guard !logged, client.info.clientHelloSeen || server.info.serverHelloSeen else { return }
        logged = true
        withUnsafeMutablePointer(to: &client) { c in
            withUnsafeMutablePointer(to: &server) { s in sink.tlsHandshake(client: c, server: s) }
        }
    }

    @inlinable mutating func writeRecord(into out: inout JSONBuffer) -> Bool {
        withUnsafeMutablePointer(to: &client) { c in
            withUnsafeMutablePointer(to: &server) { s in TLSEve.write(client: c, server: s, into: &out) }
        }
        return true
    }
}

extension L7Stage {
    /// The client's hello named `sni`: the flow's named host, unless it already has one.
    @inlinable
    mutating func clientNamedHost(sni: UnsafePointer<FixedBytes<256>>) {
        let s = state! + Int(current)
        guard s.pointee.namedHost.count == 0 else { return }
        FixedBytes.withBytes(at: sni) { s.pointee.namedHost.set($0) }
    }

    /// Writes the current flow's `tls` record.
    @inlinable
    mutating func tlsHandshake(client: UnsafePointer<TLSHandshakeParser>, server: UnsafePointer<TLSHandshakeParser>) {
        counters.tlsEvents &+= 1
        if threats.isEnabled && server.pointee.info.serverHelloSeen {
            threats.tlsServerVersion(server.pointee.info.serverVersion, flow: current, entry: flows! + Int(current),
                                     now: flows![Int(current)].lastSeen)
        }
        guard eve != nil else { return }
        let e = UnsafePointer(flows! + Int(current))
        eve!.reserve(16384)
        FlowRecord.header(e, timestamp: e.pointee.lastSeen, eventType: "tls", into: &eve!)
        TLSEve.write(client: client, server: server, into: &eve!)
        eve!.endObject()
        eve!.endLine()
    }
}
