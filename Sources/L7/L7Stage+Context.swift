import Flow
import HTTP
import L7Core
import Output
import TLS

// What the L7 stage knows about a flow, for the stages after it (policy, sensors).

extension L7Stage {
    /// The flow's application protocol as detected so far (`unknown` while undecided).
    @inlinable
    public func app(of flow: UInt32) -> AppProto {
        guard let state, flows![Int(flow)].flowID == state[Int(flow)].flowID else { return .unknown }
        return state[Int(flow)].app
    }

    /// Calls `body` with the last command the flow's client sent to a datastore or broker
    /// (`GET`, `SELECT`, `basic.publish`, ...), empty when there was none.
    @inlinable
    public func withLastCommand<R>(of flow: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let state, flows![Int(flow)].flowID == state[Int(flow)].flowID else {
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return FixedBytes.withBytes(at: UnsafePointer(state + Int(flow)).pointer(to: \.lastCommand)!, body)
    }

    /// Calls `body` with the host the flow's client named (TLS SNI, HTTP Host or HTTP/2
    /// :authority, the first seen), empty when it named none (yet).
    @inlinable
    public func withNamedHost<R>(of flow: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let state, flows![Int(flow)].flowID == state[Int(flow)].flowID else {
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return FixedBytes.withBytes(at: UnsafePointer(state + Int(flow)).pointer(to: \.namedHost)!, body)
    }

    /// Writes the flow's application record as far as the L7 stage knows it, into the record
    /// being written (a `policy` record): the TLS handshake so far, the pending HTTP request (what the flow's parser
    /// writes, `StreamParser.writeRecord`), the host an HTTP/2 client named, or a datastore flow's last command. Nothing for other
    /// apps, or when EVE is off.
    public mutating func writeAppRecord(of flow: UInt32) {
        guard eve != nil, let state, flows![Int(flow)].flowID == state[Int(flow)].flowID else { return }
        let s = state + Int(flow)
        if writeParserRecord(s) { return }
        switch s.pointee.app {
        case .tls:
            writeNamedHost(s, "tls", "sni")
        case .http, .http2:
            writeNamedHost(s, "http", "hostname")
        case let app where app.isDatastore && s.pointee.lastCommand.count > 0:
            FixedBytes.withBytes(at: UnsafePointer(s).pointer(to: \.lastCommand)!) {
                DatastoreEve.write(app, command: $0, detail: UnsafeRawBufferPointer(start: nil, count: 0), into: &eve!)
            }
        default:
            break
        }
    }

    @inlinable
    mutating func writeNamedHost(_ s: UnsafeMutablePointer<L7Flow>, _ object: StaticString, _ field: StaticString) {
        guard s.pointee.namedHost.count > 0 else { return }
        eve!.objectKey(object)
        FixedBytes.withBytes(at: UnsafePointer(s).pointer(to: \.namedHost)!) { eve!.field(field, bytes: $0) }
        eve!.endObject()
    }
}
