import Flow
import L7Core

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
}
