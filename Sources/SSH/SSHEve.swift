import L7Core
import Output

/// The `ssh` object of an EVE record, in Suricata 7's shape:
/// `{"client": {"proto_version", "software_version", "hassh": {"hash", "string"}}, "server": {...}}`,
/// a side left out when it sent no identification string, a field when it is empty.
public enum SSHEve {
    /// Writes `"ssh": {...}` for the two sides.
    public static func write(client: UnsafePointer<SSHSide>, server: UnsafePointer<SSHSide>, into out: inout JSONBuffer) {
        out.objectKey("ssh")
        if client.pointee.protoVersion.count > 0 { writeSide("client", client, into: &out) }
        if server.pointee.protoVersion.count > 0 { writeSide("server", server, into: &out) }
        out.endObject()
    }

    static func writeSide(_ name: StaticString, _ side: UnsafePointer<SSHSide>, into out: inout JSONBuffer) {
        out.objectKey(name)
        side.pointee.protoVersion.withBytes { out.field("proto_version", bytes: $0) }
        if side.pointee.softwareVersion.count > 0 {
            side.pointee.softwareVersion.withBytes { out.field("software_version", bytes: $0) }
        }
        let string = side.pointer(to: \.hasshString)!
        if side.pointee.hassh.count > 0 || string.pointee.count > 0 {
            out.objectKey("hassh")
            if side.pointee.hassh.count > 0 { side.pointee.hassh.withBytes { out.field("hash", bytes: $0) } }
            // In place: the string is 8 KB, a copy per record would be wasted.
            if string.pointee.count > 0 { FixedBytes.withBytes(at: string) { out.field("string", bytes: $0) } }
            out.endObject()
        }
        out.endObject()
    }
}
