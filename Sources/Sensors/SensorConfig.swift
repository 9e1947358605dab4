/// Limits of the sensor runtime for one worker.
public struct SensorConfig: Sendable, Equatable {
    /// Raw stream bytes inspected per flow direction (`packet`/`request`/`response` rules);
    /// beyond it the direction is counted in ``SensorCounters/depthExceeded`` and not scanned.
    public var streamDepth: UInt64 = 1 << 20
    /// Body bytes inspected per HTTP body (after decompression); beyond it, counted likewise.
    public var bodyDepth: UInt64 = 1 << 20
    /// Raw-stream scanners lent at once (one per flow direction being inspected).
    public var rawStreams = 4096
    /// Body scanners lent at once (one per HTTP body being inspected).
    public var bodyStreams = 1024
    /// Matches one scan call can report before the rest are only counted.
    public var matchesPerScan = 512

    /// The defaults.
    public init() {}
}

/// What the sensors did on one worker.
public struct SensorCounters: Sendable, Equatable {
    /// Scan calls made.
    public var scans: UInt64 = 0
    /// Bytes scanned, all contexts.
    public var bytesScanned: UInt64 = 0
    /// Pattern matches Hyperscan reported.
    public var matches: UInt64 = 0
    /// Rules that fired (alerts written).
    public var alerts: UInt64 = 0
    /// Flows blocked by a `block` rule.
    public var blockedFlows: UInt64 = 0
    /// Matches whose validation (Luhn, IBAN, SSN) failed, or whose bytes were out of reach.
    public var validationRejected: UInt64 = 0
    /// Flow directions or bodies that reached the inspection depth; the rest was not scanned.
    public var depthExceeded: UInt64 = 0
    /// Streams or bodies not inspected because every scanner was lent.
    public var scannersExhausted: UInt64 = 0
    /// Matches beyond ``SensorConfig/matchesPerScan`` in one call, counted but not checked.
    public var matchesDropped: UInt64 = 0
    /// Hyperscan calls that returned an error.
    public var scanErrors: UInt64 = 0
    /// Alerts that would have blocked, were the workload in protect mode.
    public var wouldBlock: UInt64 = 0
    /// Matches of rules a workload's binding disabled (not reported).
    public var disabledMatches: UInt64 = 0
    /// Prefiltered validated matches whose start was found by a confirm scan (``SensorSet/confirm``).
    public var confirmScans: UInt64 = 0
    /// Prefiltered validated matches not checked because they could not change the outcome:
    /// their rule had already fired on the unit, or the pattern already counted in it.
    public var redundantMatches: UInt64 = 0

    /// All zero.
    public init() {}

    /// Adds `other` (workers are summed for reports).
    public mutating func add(_ o: SensorCounters) {
        scans &+= o.scans; bytesScanned &+= o.bytesScanned; matches &+= o.matches; alerts &+= o.alerts
        blockedFlows &+= o.blockedFlows; validationRejected &+= o.validationRejected
        depthExceeded &+= o.depthExceeded; scannersExhausted &+= o.scannersExhausted
        matchesDropped &+= o.matchesDropped; scanErrors &+= o.scanErrors
        wouldBlock &+= o.wouldBlock; disabledMatches &+= o.disabledMatches
        confirmScans &+= o.confirmScans; redundantMatches &+= o.redundantMatches
    }
}
