/// `GET /v1/threats`: every network threat the dataplane detects, its settings and counts.
public struct ThreatsResponse: Codable, Sendable, Equatable {
    public var threats: [ThreatInfo]
    /// Workers the counts are summed over; each compares rates against its share of a threshold.
    public var workers: Int

    public init(threats: [ThreatInfo], workers: Int) { self.threats = threats; self.workers = workers }
}

/// One threat (docs/threats.md).
public struct ThreatInfo: Codable, Sendable, Equatable {
    /// The stable id: the EVE alert's `signature_id` (generator 3).
    public var id: Int
    /// The short name used in the config, metrics and EVE (`sluice.threat`).
    public var name: String
    /// The alert's `signature`.
    public var signature: String
    /// Suricata's classification for it.
    public var classification: String
    public var severity: Int
    public var enabled: Bool
    /// `alert` or `block` (the global action; workloads may override it, and a block takes
    /// effect only in protect mode).
    public var action: String
    /// The threshold in force, in words ("1000 SYNs/s to one destination"); absent when the
    /// threat is a fixed check.
    public var threshold: String?
    /// Detections since the daemon started, summed over workers.
    public var detections: UInt64

    public init(id: Int, name: String, signature: String, classification: String, severity: Int, enabled: Bool, action: String,
                threshold: String?, detections: UInt64) {
        self.id = id; self.name = name; self.signature = signature; self.classification = classification
        self.severity = severity; self.enabled = enabled; self.action = action; self.threshold = threshold
        self.detections = detections
    }
}
