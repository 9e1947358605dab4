import L7Core
import Output

/// Writes Suricata's EVE `"tls":{...}` object for one connection. The caller writes the event
/// header (timestamp, flow, event_type) and closes the record.
public enum TLSEve {
    /// Writes `"tls":{...}` from the client→server parser's ClientHello and the
    /// server→client parser's ServerHello/Certificate, with Suricata's field names and order:
    /// subject, issuerdn, serial, fingerprint, sni, version, notbefore, notafter, ja3, ja3s,
    /// ja4, client_alpns, server_alpns. Fields without a value are left out, except
    /// `version`, which Suricata always writes ("UNDETERMINED" before a ServerHello).
    public static func write(client: borrowing TLSHandshakeParser, server: borrowing TLSHandshakeParser,
                             into out: inout JSONBuffer) {
        let c = client.info
        let s = server.info
        out.objectKey("tls")
        if s.certificateSeen {
            // Suricata writes empty DNs as "" rather than leaving the key out.
            s.subject.withBytes { out.field("subject", bytes: $0) }
            s.issuer.withBytes { out.field("issuerdn", bytes: $0) }
            if s.serial.count > 0 { s.serial.withBytes { out.field("serial", bytes: $0) } }
            s.fingerprint.withBytes { out.field("fingerprint", bytes: $0) }
        }
        if c.sni.count > 0 { c.sni.withBytes { out.field("sni", bytes: $0) } }
        out.field("version", TLSVersion.name(s.serverHelloSeen ? s.serverVersion : 0))
        if s.certificateSeen {
            if s.notBefore.count > 0 { s.notBefore.withBytes { out.field("notbefore", bytes: $0) } }
            if s.notAfter.count > 0 { s.notAfter.withBytes { out.field("notafter", bytes: $0) } }
        }
        if c.clientHelloSeen {
            out.objectKey("ja3")
            c.ja3Hash.withBytes { out.field("hash", bytes: $0) }
            c.ja3.withBytes { out.field("string", bytes: $0) }
            out.endObject()
        }
        if s.serverHelloSeen {
            out.objectKey("ja3s")
            s.ja3sHash.withBytes { out.field("hash", bytes: $0) }
            s.ja3s.withBytes { out.field("string", bytes: $0) }
            out.endObject()
        }
        if c.clientHelloSeen { c.ja4.withBytes { out.field("ja4", bytes: $0) } }
        if c.clientALPNs.count > 0 { c.clientALPNs.withBytes { writeALPNs("client_alpns", $0, into: &out) } }
        if s.serverALPNs.count > 0 { s.serverALPNs.withBytes { writeALPNs("server_alpns", $0, into: &out) } }
        out.endObject()
    }

    /// Writes a wire-form ALPN list (1-byte length, name)* as a JSON array of strings.
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
