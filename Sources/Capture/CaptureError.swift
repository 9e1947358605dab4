#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What can go wrong when starting, writing or reading a capture, with what a person needs
/// to act on it.
public enum CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The filter did not compile.
    case filter(PacketFilterError)
    /// A system call on `path` failed with `errno`.
    case system(operation: String, path: String, errno: Int32)
    /// No capture has this id.
    case unknownCapture(String)
    /// No interface or workload has this name.
    case unknownTarget(String)
    /// A request's value is out of range (`what` says which).
    case invalidRequest(String)
    /// Starting the capture would take the capture directory past its byte budget.
    case diskBudgetExceeded(used: Int, budget: Int)
    /// Workers did not close their part of the capture in time (they close it at their next
    /// batch; a worker that is not running never does).
    case busy(String)
    /// A pcapng file is not one this writer produced (`reason` says what did not fit).
    case malformedFile(path: String, reason: String)
    /// Every flow-save slot is taken.
    case tooManyFlowSaves(Int)
    /// The capture limit named in the text (running or kept captures) is reached.
    case tooManyCaptures(String)

    /// One line naming the failure.
    public var description: String {
        switch self {
        case let .filter(e): return e.description
        case let .system(op, path, code): return "\(op) \(path): \(String(cString: strerror(code)))"
        case let .unknownCapture(id): return "no capture '\(id)'"
        case let .unknownTarget(name): return "no interface or workload '\(name)'"
        case let .invalidRequest(what): return "invalid capture request: \(what)"
        case let .diskBudgetExceeded(used, budget): return "capture directory budget exhausted (\(used) of \(budget) bytes used)"
        case let .busy(id): return "capture '\(id)' is still being written by a worker"
        case let .malformedFile(path, reason): return "\(path): not a Sluice pcapng file (\(reason))"
        case let .tooManyFlowSaves(n): return "all \(n) flow-save slots are in use"
        case let .tooManyCaptures(why): return why
        }
    }
}
