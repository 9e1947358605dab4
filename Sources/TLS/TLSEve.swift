import L7Core
import Output

/// Writes Suricata's EVE `"tls":{...}` object for one connection. The caller writes the event
/// header (timestamp, flow, event_type) and closes the record.
public enum TLSEve {
    /// Writes `"tls":{...}` from the client→server parser's ClientHello and the
    /// server→client parser's ServerHello/Certificate, with Suricata's field names and order:
    /// subject, issuerdn, serial, fingerprint, sni, version, notbefore, notafter, ja3, ja3s,
    /// ja4; then the ALPN lists, client_alpns and server_alpns, in a `tls` item of
    /// `metadata.flowvars`. Fields without a value are left out, except
    /// `version`, which Suricata always writes ("UNDETERMINED" before a ServerHello).
    /// The parsers are passed by address: they are 22 KB each and a by-value argument was
    /// copied at every call.
    public static func write(client: UnsafePointer<TLSHandshakeParser>, server: UnsafePointer<TLSHandshakeParser>,
                             into out: inout JSONBuffer) {
        out.objectKey("tls")
        if server.pointee.info.certificateSeen {
            // Suricata writes empty DNs as "" rather than leaving the key out.
            server.pointee.info.subject.withBytes { out.field("subject", bytes: $0) }
            server.pointee.info.issuer.withBytes { out.field("issuerdn", bytes: $0) }
            if server.pointee.info.serial.count > 0 { server.pointee.info.serial.withBytes { out.field("serial", bytes: $0) } }
            server.pointee.info.fingerprint.withBytes { out.field("fingerprint", bytes: $0) }
        }
        if client.pointee.info.sni.count > 0 { client.pointee.info.sni.withBytes { out.field("sni", bytes: $0) } }
        out.field("version", TLSVersion.name(server.pointee.info.serverHelloSeen ? server.pointee.info.serverVersion : 0))
        if server.pointee.info.certificateSeen {
            if server.pointee.info.notBefore.count > 0 { server.pointee.info.notBefore.withBytes { out.field("notbefore", bytes: $0) } }
            if server.pointee.info.notAfter.count > 0 { server.pointee.info.notAfter.withBytes { out.field("notafter", bytes: $0) } }
        }
        if client.pointee.info.clientHelloSeen {
            out.objectKey("ja3")
            client.pointee.info.ja3Hash.withBytes { out.field("hash", bytes: $0) }
            client.pointee.info.ja3.withBytes { out.field("string", bytes: $0) }
            out.endObject()
        }
        if server.pointee.info.serverHelloSeen {
            out.objectKey("ja3s")
            server.pointee.info.ja3sHash.withBytes { out.field("hash", bytes: $0) }
            server.pointee.info.ja3s.withBytes { out.field("string", bytes: $0) }
            out.endObject()
        }
        if client.pointee.info.clientHelloSeen { client.pointee.info.ja4.withBytes { out.field("ja4", bytes: $0) } }
        out.endObject()
        // Suricata 7's schema has no ALPN fields (8 adds them to `tls`): Sluice's own `tls`
        // item of metadata.flowvars carries them (docs/eve.md).
        let clientALPN = client.pointee.info.clientALPNs.count > 0, serverALPN = server.pointee.info.serverALPNs.count > 0
        if clientALPN || serverALPN {
            out.beginVendorObject("tls")
            if clientALPN { client.pointee.info.clientALPNs.withBytes { writeALPNs("client_alpns", $0, into: &out) } }
            if serverALPN { server.pointee.info.serverALPNs.withBytes { writeALPNs("server_alpns", $0, into: &out) } }
            out.endVendorObject()
        }
    }

    /// Writes a wire-form ALPN list (1-byte length, name)* as a JSON array of strings.
    /// The same from parser values (tests; copies both parsers).
    public static func write(client: TLSHandshakeParser, server: TLSHandshakeParser, into out: inout JSONBuffer) {
        withUnsafePointer(to: client) { c in withUnsafePointer(to: server) { s in write(client: c, server: s, into: &out) } }
    }

    static func writeALPNs(_ name: StaticString, _ wire: UnsafeRawBufferPointer, into out: inout JSONBuffer) {
        out.key(name)
        out.byte(UInt8(ascii: "["))
        var r = ByteReader(wire)
        var first = true
        while let len = r.u8(), let value = r.sub(Int(len)) {
            if !first { out.byte(UInt8(ascii: ",")) }
            first = false
            out.string(value.rest)
        }
        out.byte(UInt8(ascii: "]"))
    }
}
