/// The L7 parser pools a worker lends parsers from; a flow that finds its pool empty is not
/// parsed (counted per pool in `WorkerMetrics.parserPoolExhausted`).
public enum ParserPool: Int, CaseIterable, Sendable {
    /// TLS handshakes.
    case tls = 0
    /// DNS over TCP framing.
    case dnsTCP
    /// HTTP/1.
    case http
    /// HTTP/2 and gRPC.
    case http2
    /// Datastore commands (Redis, PostgreSQL, MySQL, Kafka, ...).
    case datastore

    /// The `parser` label value.
    public var label: String {
        switch self {
        case .tls: return "tls"
        case .dnsTCP: return "dns_tcp"
        case .http: return "http"
        case .http2: return "http2"
        case .datastore: return "datastore"
        }
    }
}
