import Output
import SSH

/// Both directions of an SSH connection's cleartext start through `SSHParser`: lines before
/// and in the identification strings, binary packets with lengths the input chooses, KEXINIT
/// name-lists and HASSH, NEWKEYS, gaps; then the EVE `ssh` object for what was found.
///
/// Input: records of a control byte and a length-prefixed chunk. Bit 0 picks the direction
/// (0: client to server); bit 1 reports a gap in that direction before the chunk.
enum SSHFuzz {
    struct Sink: SSHSink, ~Copyable {
        var json = JSONBuffer(fd: -1, capacity: 1 << 16)
        mutating func sshHandshake(client: UnsafePointer<SSHSide>, server: UnsafePointer<SSHSide>) {
            json.beginObject()
            SSHEve.write(client: client, server: server, into: &json)
            json.endObject()
        }
    }

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var parser = SSHParser()
        var sink = Sink()
        while !input.isAtEnd {
            let control = input.byte()
            guard let chunk = input.record() else { break }
            let toServer = control & 1 == 0
            if control & 2 != 0 { parser.gap(toServer: toServer) }
            parser.feed(chunk, toServer: toServer, sink: &sink)
        }
        parser.end(sink: &sink)
        var json = JSONBuffer(fd: -1, capacity: 1 << 16)
        json.beginObject()
        parser.writeEve(into: &json)
        json.endObject()
    }
}
