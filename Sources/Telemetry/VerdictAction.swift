/// What a policy verdict did to a flow (`PolicyCounters`' verdict kinds).
public enum VerdictAction: Int, CaseIterable, Sendable {
    /// A rule or the default allowed the flow.
    case allow = 0
    /// Monitor mode let the flow through but reported it.
    case violate
    /// Protect mode blocked the flow.
    case deny
    /// Discover mode learned the flow.
    case learn
    /// The flow's interface names a workload the policy does not define: it got the policy's
    /// unknown action.
    case unknown
    /// The policy does not govern the flow (neighbour discovery, multicast, broadcast).
    case exempt

    /// The `action` label value.
    public var label: String {
        switch self {
        case .allow: return "allow"
        case .violate: return "violate"
        case .deny: return "deny"
        case .learn: return "learn"
        case .unknown: return "unknown"
        case .exempt: return "exempt"
        }
    }
}
