import APITypes
import Telemetry
import Threats

extension Daemon {
    /// `GET /v1/threats`: each threat with its settings and the workers' detections summed.
    public func threats() -> ThreatsResponse {
        let c = settings.l7.threats
        let totals = MetricsTotals(board.read()).sum.threats
        let list = ThreatID.allCases.map { id in
            ThreatInfo(id: Int(id.rawValue), name: "\(id.name)", signature: "\(id.title)", classification: "\(id.classification)",
                       severity: Int(id.severity), enabled: c.isEnabled(id), action: c.blocking & id.bit != 0 ? "block" : "alert",
                       threshold: c.thresholdText(id), detections: totals[id])
        }
        return ThreatsResponse(threats: list, workers: board.slots.count)
    }
}
