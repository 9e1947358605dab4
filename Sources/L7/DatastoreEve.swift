import L7Core
import Output

/// The app object of a datastore or broker command. PostgreSQL and MQTT get Suricata 7's
/// `pgsql` and `mqtt` objects, as far as the command parser sees them; the protocols Suricata
/// has no record for (Redis, memcached, MySQL, MongoDB, Kafka, Cassandra, ZooKeeper, AMQP) get
/// Sluice's own `{"command":…,"detail":…}` as an item of `metadata.flowvars`, named by the
/// protocol, where Suricata's schema allows extra data (docs/eve.md).
public enum DatastoreEve {
    public static func write(_ app: AppProto, command: UnsafeRawBufferPointer, detail: UnsafeRawBufferPointer,
                             into out: inout JSONBuffer) {
        switch app {
        case .pgsql: pgsql(command, detail, into: &out)
        case .mqtt: mqtt(command, detail, into: &out)
        default:
            out.beginVendorObject(app.name)
            out.field("command", bytes: command)
            if detail.count > 0 { out.field("detail", bytes: detail) }
            out.endVendorObject()
        }
    }

    /// `"pgsql":{"request":{…}}`: a statement as `simple_query` (the first 64 bytes the parser
    /// keeps), a startup message's user as `startup_parameters.user`, any other message by name
    /// as `message`.
    static func pgsql(_ command: UnsafeRawBufferPointer, _ detail: UnsafeRawBufferPointer, into out: inout JSONBuffer) {
        out.objectKey("pgsql")
        out.objectKey("request")
        if named(command, "StartupMessage") {
            if detail.count > 0 {
                out.objectKey("startup_parameters")
                out.field("user", bytes: detail)
                out.endObject()
            } else {
                out.field("message", bytes: command)
            }
        } else if detail.count > 0 {
            out.field("simple_query", bytes: detail)
        } else {
            out.field("message", bytes: command)
        }
        out.endObject()
        out.endObject()
    }

    /// `"mqtt":{"connect":{"client_id":…}}`, `{"publish":{"topic":…}}`,
    /// `{"subscribe":{"topics":[{"topic":…}]}}`, `{"unsubscribe":{"topics":[…]}}`, and an empty
    /// object named by the message type for the others; AUTH and unknown types, which Suricata 7
    /// does not name, as Sluice's own `mqtt` item of `metadata.flowvars`.
    static func mqtt(_ command: UnsafeRawBufferPointer, _ detail: UnsafeRawBufferPointer, into out: inout JSONBuffer) {
        if named(command, "CONNECT") {
            out.objectKey("mqtt"); out.objectKey("connect")
            if detail.count > 0 { out.field("client_id", bytes: detail) }
        } else if named(command, "PUBLISH") {
            out.objectKey("mqtt"); out.objectKey("publish")
            if detail.count > 0 { out.field("topic", bytes: detail) }
        } else if named(command, "SUBSCRIBE") {
            out.objectKey("mqtt"); out.objectKey("subscribe")
            if detail.count > 0 {
                out.key("topics")
                out.byte(UInt8(ascii: "["))
                out.beginObject()
                out.field("topic", bytes: detail)
                out.endObject()
                out.byte(UInt8(ascii: "]"))
            }
        } else if named(command, "UNSUBSCRIBE") {
            out.objectKey("mqtt"); out.objectKey("unsubscribe")
            if detail.count > 0 {
                out.key("topics")
                out.byte(UInt8(ascii: "["))
                out.string(detail)
                out.byte(UInt8(ascii: "]"))
            }
        } else if let name = mqttName(command) {
            out.objectKey("mqtt"); out.objectKey(name)
        } else {
            out.beginVendorObject("mqtt")
            out.field("command", bytes: command)
            if detail.count > 0 { out.field("detail", bytes: detail) }
            out.endVendorObject()
            return
        }
        out.endObject()
        out.endObject()
    }

    /// Suricata's object name for a message type without fields here.
    static func mqttName(_ command: UnsafeRawBufferPointer) -> StaticString? {
        if named(command, "PUBACK") { return "puback" }
        if named(command, "PUBREC") { return "pubrec" }
        if named(command, "PUBREL") { return "pubrel" }
        if named(command, "PUBCOMP") { return "pubcomp" }
        if named(command, "PINGREQ") { return "pingreq" }
        if named(command, "DISCONNECT") { return "disconnect" }
        return nil
    }

    static func named(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        for i in 0..<bytes.count where bytes[i] != name.utf8Start[i] { return false }
        return true
    }
}
