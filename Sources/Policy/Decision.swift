/// What the policy says about a flow: which rule matched (or the default), its action, the mode
/// that applies, and whether the answer must wait for the flow's application protocol.
public struct Decision: Sendable, Equatable {
    /// Whether the decision is final.
    public enum Status: UInt8, Sendable {
        /// Final for this flow under this policy.
        case decided
        /// The first candidate rule names apps and the app is not known yet: pass the flow
        /// for a bounded number of bytes, then classify again with the detected app (or
        /// `.failed`). `ruleID` and `action` are that candidate's.
        case needsApp
    }

    /// What the data plane does, from the action and the mode together.
    public enum Effect: UInt8, Sendable {
        /// Pass; nothing to report.
        case allow
        /// Pass, and record the flow's (from, to, port, app) for a learned policy.
        case learn
        /// Pass, and write a `violate` event (monitor mode, not allowed).
        case violate
        /// Drop (and reset TCP), and write a `deny` event (protect mode, not allowed).
        case deny
        /// Pass for now: the verdict waits for the application protocol.
        case pending
    }

    /// Final or waiting for the app.
    public var status: Status
    /// The matching rule's position in id order (`UInt32.max` for the default); combine and
    /// compare with this, report `ruleID`.
    public var ruleIndex: UInt32
    /// The matching rule's id; nil when no rule matched and the default applies.
    public var ruleID: Int?
    /// The rule's action, or the policy's default.
    public var action: PolicyAction
    /// The mode of the workload the decision applies to.
    public var mode: PolicyMode
    /// Index of that workload in `CompiledPolicy.workloadNames`, or -1 when neither endpoint
    /// is a workload (the top-level mode applies).
    public var workload: Int32
    /// The workload is quarantined: all its traffic is denied, whatever the rules and mode.
    public var quarantined = false

    /// Creates a decision (the classifier builds these; tests compare with them).
    @inlinable public init(status: Status, ruleIndex: UInt32, ruleID: Int?, action: PolicyAction, mode: PolicyMode, workload: Int32) {
        self.status = status; self.ruleIndex = ruleIndex; self.ruleID = ruleID
        self.action = action; self.mode = mode; self.workload = workload
    }

    /// What to do with the flow now.
    @inlinable public var effect: Effect {
        if status == .needsApp { return .pending }
        switch mode {
        case .discover: return .learn
        case .monitor: return action == .allow ? .allow : .violate
        case .protect: return action == .allow ? .allow : .deny
        }
    }

    /// Of two decisions for the same flow made with different parts of its FQDN groups, the
    /// one first-match semantics picks over the union (the earlier rule wins).
    @inlinable public static func earliest(_ a: Decision, _ b: Decision) -> Decision {
        b.ruleIndex < a.ruleIndex ? b : a
    }
}
