import L7
import Policy
import Threats

extension PolicyStage {
    /// Acts on the threat engine's pending hits by workload: a threat blocks when the
    /// workload at either end of it (destination or source address) has it in its block set
    /// and is in protect mode; in monitor or discover mode the alert says `would_block`.
    /// Returns whether the current packet is dropped. Runs only when a threat fired.
    @inlinable
    mutating func actOnThreats() -> Bool {
        let policy = self.policy
        let masks = threatBlockMasks
        return l7.actOnThreats { h in
            var block = false, would = false
            func judge(_ w: Int32) {
                guard w >= 0 && Int(w) < masks.count, masks[Int(w)] & h.id.bit != 0 else { return }
                if policy.mode(ofWorkload: w) == .protect { block = true } else { would = true }
            }
            judge(policy.workload(of: h.dst))
            judge(policy.workload(of: h.src))
            return (block: block, wouldBlock: would && !block)
        }
    }
}
