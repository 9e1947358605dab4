import DNS
import Codecs
import L7Core
import Stream

/// DNS over TCP (RFC 1035 4.2.2): the message framing of both directions of a flow, over
/// storage the pool owns. Each whole message goes to the stage like a UDP payload. A gap
/// costs the message it hits; framing resynchronises at the next message (`DNSTCPReassembly.gap`).
@usableFromInline
struct DNSFraming {
    @usableFromInline var toServer: DNSTCPReassembly
    @usableFromInline var toClient: DNSTCPReassembly

    /// Framing that gathers split messages into `bytesEach` bytes per direction from `storage`.
    @usableFromInline init(storage: UnsafeMutableRawPointer, bytesEach: Int) {
        toServer = DNSTCPReassembly(storage: UnsafeMutableRawBufferPointer(start: storage, count: bytesEach))
        toClient = DNSTCPReassembly(storage: UnsafeMutableRawBufferPointer(start: storage + bytesEach, count: bytesEach))
    }
}

extension DNSFraming: StreamParser {
    @inlinable mutating func reset(for app: AppProto) {
        toServer.reset()
        toClient.reset()
    }

    @inlinable
    mutating func feed(_ bytes: UnsafeRawBufferPointer, direction: Direction, sink: inout L7Stage) -> ParserStatus {
        if direction == .toServer {
            toServer.feed(bytes) { (message: UnsafeRawBufferPointer) throws(Never) in sink.dnsMessage(message) }
        } else {
            toClient.feed(bytes) { (message: UnsafeRawBufferPointer) throws(Never) in sink.dnsMessage(message) }
        }
        return .more
    }

    /// A hole costs the message it falls in; framing resumes at the next message.
    @inlinable
    mutating func gap(direction: Direction, length: Int, sink: inout L7Stage) -> ParserStatus {
        if direction == .toServer { toServer.gap(length) } else { toClient.gap(length) }
        return .more
    }

    @inlinable mutating func finish(sink: inout L7Stage) {}
}

extension L7Stage {
    /// A whole DNS message of the current flow.
    @inlinable
    mutating func dnsMessage(_ bytes: UnsafeRawBufferPointer) {
        dnsMessage(state! + Int(current), current, bytes)
    }
}
