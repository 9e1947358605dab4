import L7Core
import Output

/// Writes the EVE `"http":{...}` object of one HTTP/2 stream, as Suricata 7 does for an
/// HTTP/2 transaction (event_type "http"). The caller writes the common header (timestamp,
/// flow_id, addresses, `"event_type":"http"`) and closes the record.
public enum HTTP2Eve {
    /// Field order: hostname, url, http_user_agent, http_content_type, http_method, protocol,
    /// status, length, version, then `"http2":{"stream_id":N,"request":{},"response":{}}`; for
    /// gRPC, Sluice's own `grpc` object follows as an item of `metadata.flowvars` (docs/eve.md). Suricata's HTTP/2 logger writes `"version":"2"` where its
    /// HTTP/1 logger writes `"protocol"`; both are written so queries made for either work.
    /// `length` is content-length when the response had one, else the response DATA bytes
    /// (what Suricata's HTTP/1 records count). A reset stream gets Suricata's `error_code`
    /// in the object of the side that sent RST_STREAM.
    public static func write(_ s: borrowing HTTP2StreamInfo, into out: inout JSONBuffer) {
        out.objectKey("http")
        if s.authority.count > 0 { s.authority.withBytes { out.field("hostname", bytes: $0) } }
        if s.path.count > 0 { s.path.withBytes { out.field("url", bytes: $0) } }
        if s.userAgent.count > 0 { s.userAgent.withBytes { out.field("http_user_agent", bytes: $0) } }
        if s.responseContentType.count > 0 {
            s.responseContentType.withBytes { out.field("http_content_type", bytes: $0) }
        } else if s.requestContentType.count > 0 {
            s.requestContentType.withBytes { out.field("http_content_type", bytes: $0) }
        }
        if s.method.count > 0 { s.method.withBytes { out.field("http_method", bytes: $0) } }
        out.field("protocol", "HTTP/2")
        if s.status > 0 { out.field("status", UInt64(s.status)) }
        if s.contentLength >= 0 {
            out.field("length", UInt64(s.contentLength))
        } else {
            out.field("length", s.responseBytes)
        }
        out.field("version", "2")
        out.objectKey("http2")
        out.field("stream_id", UInt64(s.streamID))
        out.objectKey("request")
        if let code = s.resetCode, !s.resetByServer { errorCode(code, into: &out) }
        out.endObject()
        out.objectKey("response")
        if let code = s.resetCode, s.resetByServer { errorCode(code, into: &out) }
        out.endObject()
        out.endObject()
        out.endObject()
        if s.grpc.isGRPC { writeGRPC(s, into: &out) }
    }

    /// `{"grpc":{"service":…,"method":…,"status":N,"message":…,"request_messages":N,
    /// "response_messages":N}}` (Sluice's own object; Suricata has none, so it is an item of
    /// `metadata.flowvars`). Service and method are left out when the path is not
    /// `/service/method`; status when no grpc-status came.
    static func writeGRPC(_ s: borrowing HTTP2StreamInfo, into out: inout JSONBuffer) {
        out.beginVendorObject("grpc")
        s.path.withBytes { p in
            if let (service, method) = GRPC.split(path: p) {
                out.field("service", bytes: service)
                out.field("method", bytes: method)
            }
        }
        if s.grpc.status >= 0 { out.field("status", UInt64(s.grpc.status)) }
        if s.grpc.message.count > 0 { s.grpc.message.withBytes { out.field("message", bytes: $0) } }
        out.field("request_messages", UInt64(s.grpc.requestMessages))
        out.field("response_messages", UInt64(s.grpc.responseMessages))
        out.endVendorObject()
    }

    /// The `"http":{...}` object of Suricata's stream-0 transaction: `"version":"2"` and
    /// `"http2":{"stream_id":0,"request":{"settings":[{"settings_id":…,"settings_value":N}],
    /// "error_code":…},"response":{…}}`, each side with its SETTINGS entries and the error code
    /// of its GOAWAY (upper case, as Suricata 7 writes a GOAWAY's).
    public static func writeConnection(_ c: borrowing HTTP2Connection, into out: inout JSONBuffer) {
        out.objectKey("http")
        out.field("version", "2")
        out.objectKey("http2")
        out.field("stream_id", UInt64(0))
        for side in 0..<2 {
            let client = side == 0
            out.objectKey(client ? "request" : "response")
            let n = c.settingsCount(client: client)
            if n > 0 {
                out.key("settings")
                out.byte(UInt8(ascii: "["))
                for i in 0..<n {
                    if i > 0 { out.byte(UInt8(ascii: ",")) }
                    let s = c.setting(i, client: client)
                    out.beginObject()
                    out.field("settings_id", settingName(s.id))
                    out.field("settings_value", UInt64(s.value))
                    out.endObject()
                }
                out.byte(UInt8(ascii: "]"))
            }
            if let code = c.goawayCode(client: client) {
                if let name = HTTP2ErrorCode.upperName(code) {
                    out.field("error_code", name)
                } else {
                    errorCode(code, into: &out)
                }
            }
            out.endObject()
        }
        out.endObject()
        out.endObject()
    }

    /// Suricata's spelling of a SETTINGS identifier ("SETTINGS" and the name, upper case).
    static func settingName(_ id: UInt16) -> StaticString {
        switch id {
        case 1: return "SETTINGSHEADERTABLESIZE"
        case 2: return "SETTINGSENABLEPUSH"
        case 3: return "SETTINGSMAXCONCURRENTSTREAMS"
        case 4: return "SETTINGSINITIALWINDOWSIZE"
        case 5: return "SETTINGSMAXFRAMESIZE"
        default: return "SETTINGSMAXHEADERLISTSIZE"
        }
    }

    static func errorCode(_ code: UInt32, into out: inout JSONBuffer) {
        if let name = HTTP2ErrorCode.name(code) {
            out.field("error_code", name)
        } else {
            out.key("error_code")
            out.byte(UInt8(ascii: "\""))
            out.number(UInt64(code))
            out.byte(UInt8(ascii: "\""))
        }
    }
}
