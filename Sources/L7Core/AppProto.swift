/// The application protocol of a flow, as detected from its content (never from its port).
/// Names are Suricata's `app_proto` values where Suricata has the protocol.
public enum AppProto: UInt8, CaseIterable, Sendable {
    /// Not decided yet.
    case unknown = 0
    case http, http2, tls, dns, ssh, mysql, pgsql, redis, mongodb, kafka, cassandra, zookeeper
    case memcached, amqp, mqtt, dhcp, ntp
    /// Inspected as far as detection looks and matched nothing ("failed" in Suricata's EVE).
    case failed

    /// The EVE `app_proto` spelling.
    public var name: StaticString {
        switch self {
        case .unknown: return "unknown"
        case .http: return "http"
        case .http2: return "http2"
        case .tls: return "tls"
        case .dns: return "dns"
        case .ssh: return "ssh"
        case .mysql: return "mysql"
        case .pgsql: return "pgsql"
        case .redis: return "redis"
        case .mongodb: return "mongodb"
        case .kafka: return "kafka"
        case .cassandra: return "cassandra"
        case .zookeeper: return "zookeeper"
        case .memcached: return "memcached"
        case .amqp: return "amqp"
        case .mqtt: return "mqtt"
        case .dhcp: return "dhcp"
        case .ntp: return "ntp"
        case .failed: return "failed"
        }
    }

    /// Whether commands are extracted from it by the datastore parser (datastores, brokers and
    /// coordination services).
    @inlinable public var isDatastore: Bool {
        switch self {
        case .mysql, .pgsql, .redis, .mongodb, .kafka, .cassandra, .zookeeper, .memcached, .amqp, .mqtt: return true
        default: return false
        }
    }

    /// Looks a protocol up by its EVE name (policy files name apps this way).
    public init?(name: String) {
        guard let p = AppProto.allCases.first(where: { "\($0.name)" == name }) else { return nil }
        self = p
    }
}
