/// Why the dataplane dropped a frame it had read (kernel drops are counted per interface).
public enum DropReason: Int, CaseIterable, Sendable {
    /// The flow's policy verdict was deny.
    case policyDeny = 0
    /// A sensor `block` rule fired on the flow.
    case sensorBlock
    /// The frame was older than `fail_after_ms` and the dataplane fails closed.
    case failClosed
    /// The ring held only part of the frame.
    case truncated
    /// The kernel refused to send the frame out of the other interface.
    case sendFailure

    /// The `reason` label value.
    public var label: String {
        switch self {
        case .policyDeny: return "policy_deny"
        case .sensorBlock: return "sensor_block"
        case .failClosed: return "fail_closed"
        case .truncated: return "truncated"
        case .sendFailure: return "send_failure"
        }
    }
}
