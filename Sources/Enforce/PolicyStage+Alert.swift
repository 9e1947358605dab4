import Engine
import L7
import Flow
import Output
import Policy

extension PolicyStage {
    /// Suricata's `alert` record for a flow the policy denies (`action: blocked`) or, in
    /// monitor mode, would deny (`action: allowed`), written beside the `policy` record so that
    /// dashboards counting blocked or alerted traffic (EveBox, Kibana's Suricata views, jq
    /// recipes on `.alert.action`) see policy verdicts without knowing Sluice's own record.
    /// Generator 2 is the policy (1 is the sensors); the signature id is the rule's id, 0 when
    /// the default decided. The same limiter admits both records, so a flood of denies writes
    /// its aggregates and no alert per SYN.
    @inlinable
    mutating func writePolicyAlert(_ d: Decision, deny: Bool, _ e: UnsafeMutablePointer<FlowEntry>, _ flow: UInt32) {
        e.pointee.alerted = true
        guard l7.eve != nil else { return }
        l7.eve!.reserve(4096)
        FlowRecord.header(UnsafePointer(e), timestamp: e.pointee.lastSeen, eventType: "alert", into: &l7.eve!)
        l7.eve!.field("direction", "to_server")
        l7.eve!.objectKey("alert")
        l7.eve!.field("action", deny ? "blocked" : "allowed")
        l7.eve!.field("gid", UInt64(2))
        l7.eve!.field("signature_id", UInt64(d.ruleID.map { UInt32(truncatingIfNeeded: $0) } ?? 0))
        l7.eve!.field("rev", UInt64(1))
        if d.quarantined {
            l7.eve!.field("signature", "Sluice policy: workload quarantined")
        } else if d.ruleID == nil {
            l7.eve!.field("signature", deny ? "Sluice policy: denied by default" : "Sluice policy: not allowed by any rule (monitor)")
        } else {
            l7.eve!.field("signature", deny ? "Sluice policy: denied by rule" : "Sluice policy: violates a deny rule (monitor)")
        }
        l7.eve!.field("category", "policy")
        l7.eve!.field("severity", UInt64(deny ? 2 : 3))
        l7.eve!.endObject()
        l7.writeAppRecord(of: flow)
        l7.eve!.endObject()
        l7.eve!.endLine()
    }
}
