import Codecs
import L7Core

/// How a workload's traffic is treated when no rule allows it.
public enum PolicyMode: UInt8, Sendable, CaseIterable {
    /// Everything passes; each distinct (from, to, port, app) is learned for a future policy.
    case discover
    /// Everything passes; a flow no rule allows is reported as a violation.
    case monitor
    /// A flow no rule allows is blocked and reported as a deny.
    case protect

    /// The spelling policy files and events use.
    public var name: String {
        switch self {
        case .discover: return "discover"
        case .monitor: return "monitor"
        case .protect: return "protect"
        }
    }

    /// Parses a policy file's spelling.
    public init?(name: String) {
        guard let m = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = m
    }
}

/// What a rule (or the default) says about the traffic it matches.
public enum PolicyAction: UInt8, Sendable, CaseIterable {
    /// The traffic is whitelisted.
    case allow
    /// The traffic is not allowed: reported in monitor mode, blocked in protect mode.
    case deny

    /// The spelling policy files and events use.
    public var name: String { self == .allow ? "allow" : "deny" }

    /// Parses a policy file's spelling.
    public init?(name: String) {
        switch name {
        case "allow": self = .allow
        case "deny": self = .deny
        default: return nil
        }
    }
}

/// A named set of endpoints: addresses by CIDR and/or destinations by DNS name.
public struct PolicyGroup: Sendable, Equatable {
    /// The name rules and workloads use.
    public var name: String
    /// Address blocks; an address in any of them is in the group.
    public var cidrs: [CIDR]
    /// Name patterns; a destination whose name matches one is in the group (destinations only).
    public var fqdns: [FQDNPattern]

    /// A group from its parts.
    public init(name: String, cidrs: [CIDR] = [], fqdns: [FQDNPattern] = []) {
        self.name = name; self.cidrs = cidrs; self.fqdns = fqdns
    }
}

/// A DLP/WAF sensor bound to a workload, with what its matches do there: a sensor is bound to
/// a group with an action, as in the system Sluice replaces, so the built-in sets can block
/// without being copied into a file that rewrites every rule's action.
public struct SensorBinding: Sendable, Equatable {
    /// What a match of the bound sensor does.
    public enum Action: UInt8, Sendable, CaseIterable {
        /// Every rule only alerts, even one whose own action is `block`.
        case alert
        /// Every rule blocks the flow: enforced when the workload is in protect mode, logged as
        /// `allowed` with `would_block` in monitor and discover mode.
        case block

        /// The spelling policy files use.
        public var name: String { self == .alert ? "alert" : "block" }
    }

    /// The sensor's name (built-in set or loaded sensor file).
    public var name: String
    /// The binding's action; nil keeps each rule's own (`action:` in the sensor file).
    public var action: Action?
    /// Rule ids of the sensor that do not fire for this workload (its trusted events: a noisy
    /// rule turned off here without copying the set).
    public var disabledRules: [UInt32]

    /// A binding from its parts.
    public init(name: String, action: Action? = nil, disabledRules: [UInt32] = []) {
        self.name = name; self.action = action; self.disabledRules = disabledRules
    }
}

/// A protected endpoint: the addresses of one group, with its own mode and sensors.
public struct Workload: Sendable, Equatable {
    /// The workload's name (events report it).
    public var name: String
    /// The CIDR group whose addresses are this workload.
    public var group: String
    /// The workload's mode; nil means the policy's top-level mode.
    public var mode: PolicyMode?
    /// The DLP/WAF sensors run on its traffic, each with its action and disabled rules.
    public var bindings: [SensorBinding]
    /// Quarantined: every flow to or from it is denied (protect), whatever the rules say.
    public var quarantine = false

    /// Names of the sensors bound to it (setting them binds each with the rules' own actions).
    public var sensors: [String] {
        get { bindings.map(\.name) }
        set { bindings = newValue.map { SensorBinding(name: $0) } }
    }

    /// A workload from its parts.
    public init(name: String, group: String, mode: PolicyMode? = nil, sensors: [String] = []) {
        self.name = name; self.group = group; self.mode = mode
        bindings = sensors.map { SensorBinding(name: $0) }
    }
}

/// One whitelist rule. Rules are tried in ascending `id`; the first that matches decides.
public struct PolicyRule: Sendable, Equatable {
    /// Order and identity of the rule; unique in a policy.
    public var id: Int
    /// Source groups (`any` is the keyword for every address); a rule matches when the
    /// source is in one of them.
    public var from: [String]
    /// Destination groups (`any` allowed); a rule matches when the destination is in one of them.
    public var to: [String]
    /// Protocol and destination port ranges; a rule matches when one contains the flow's.
    public var ports: [PortRange]
    /// Application protocols; empty means any. A rule with apps cannot decide before the
    /// flow's app is known.
    public var apps: [AppProto]
    /// What the rule says.
    public var action: PolicyAction

    /// A rule from its parts.
    public init(id: Int, from: [String], to: [String], ports: [PortRange] = [.any], apps: [AppProto] = [],
                action: PolicyAction) {
        self.id = id; self.from = from; self.to = to; self.ports = ports; self.apps = apps; self.action = action
    }
}

/// A whole policy, as loaded from YAML (the document the control plane pushes), validated:
/// every group a rule or workload names exists, ids are unique, CIDRs and ports are well formed.
public struct PolicyDocument: Sendable, Equatable {
    /// The group keyword that matches every address.
    public static let anyGroup = "any"

    /// Format version (1).
    public var version: Int = 1
    /// The mode of traffic whose endpoints are no workload, and of workloads that set none.
    public var mode: PolicyMode = .protect
    /// The action for traffic no rule matches.
    public var defaultAction: PolicyAction = .deny
    /// The action for traffic of workloads the policy does not know yet (or before any policy
    /// arrived); nil means the top-level mode's verdict for unmatched traffic, never "open".
    public var unknownAction: PolicyAction?
    /// Groups in file order.
    public var groups: [PolicyGroup] = []
    /// Workloads in file order.
    public var workloads: [Workload] = []
    /// Rules in file order (evaluation order is by id, not by position).
    public var rules: [PolicyRule] = []

    /// An empty policy: protect mode, default deny.
    public init() {}
}
