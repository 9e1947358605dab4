import L7Core
import Output

/// Writes Suricata's EVE `"http":{...}` object for one transaction. The caller writes the
/// event header and closes the record.
public enum HTTPEve {
    /// Writes `"http":{...}` with Suricata's names and order: hostname, url, http_user_agent,
    /// http_content_type, http_refer, http_method, protocol, status, length. Fields with no
    /// value are left out, as Suricata does; `length` is always written.
    public static func write(_ tx: borrowing HTTPTransaction, into out: inout JSONBuffer) {
        out.objectKey("http")
        if tx.host.count > 0 { tx.host.withBytes { out.field("hostname", bytes: $0) } }
        if tx.uri.count > 0 { tx.uri.withBytes { out.field("url", bytes: $0) } }
        if tx.userAgent.count > 0 { tx.userAgent.withBytes { out.field("http_user_agent", bytes: $0) } }
        if tx.responseContentType.count > 0 { tx.responseContentType.withBytes { out.field("http_content_type", bytes: $0) } }
        if tx.referer.count > 0 { tx.referer.withBytes { out.field("http_refer", bytes: $0) } }
        if tx.method.count > 0 { tx.method.withBytes { out.field("http_method", bytes: $0) } }
        if tx.requestProtocol.count > 0 { tx.requestProtocol.withBytes { out.field("protocol", bytes: $0) } }
        if tx.status > 0 { out.field("status", UInt64(tx.status)) }
        out.field("length", tx.responseBodyLength)
        out.endObject()
    }
}
