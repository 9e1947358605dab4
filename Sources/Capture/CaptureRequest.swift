/// Where a capture listens.
public enum CaptureTarget: Sendable, Equatable, CustomStringConvertible {
    /// One interface, by its name in the daemon config (an inline pair or a tap).
    case interface(String)
    /// Every interface whose workload is this one.
    case workload(String)

    /// "interface NAME" or "workload NAME".
    public var description: String {
        switch self {
        case let .interface(n): return "interface \(n)"
        case let .workload(n): return "workload \(n)"
        }
    }
}

/// When a capture ends on its own. Zero means no limit of that kind.
public struct CaptureLimits: Sendable, Equatable {
    /// Frames written.
    public var packets: UInt64
    /// Frame bytes written (captured bytes, after the snap length); no frame that would pass
    /// the limit is written.
    public var bytes: UInt64
    /// Seconds from the start, at most ``maxSeconds``.
    public var seconds: Double

    /// The longest time limit (a week): what a capture may ask for, and what fits a deadline
    /// in nanoseconds with room to spare.
    public static let maxSeconds = 7 * 86400.0

    /// Limits on packets, bytes and seconds (0: none).
    public init(packets: UInt64 = 0, bytes: UInt64 = 0, seconds: Double = 0) {
        self.packets = packets
        self.bytes = bytes
        self.seconds = seconds
    }
}

/// What the control API asks for.
public struct CaptureRequest: Sendable, Equatable {
    /// The interface or workload.
    public var target: CaptureTarget
    /// A tcpdump expression ("" for every frame).
    public var filter: String
    /// Bytes kept of each frame.
    public var snapLength: Int
    /// When to stop.
    public var limits: CaptureLimits

    /// A request; the snap length defaults to 262144 as tcpdump's does.
    public init(target: CaptureTarget, filter: String = "", snapLength: Int = 262_144, limits: CaptureLimits = CaptureLimits()) {
        self.target = target
        self.filter = filter
        self.snapLength = snapLength
        self.limits = limits
    }
}

/// Why a capture ended.
public enum CaptureStopReason: UInt8, Sendable, Equatable, CustomStringConvertible {
    /// The packet limit was reached.
    case packetLimit = 1
    /// The next frame would have passed the byte limit.
    case byteLimit = 2
    /// The time limit passed.
    case timeLimit = 3
    /// The API stopped it.
    case stopped = 4
    /// The capture directory's byte budget was used up.
    case diskBudget = 5
    /// Writing the file failed (disk full, I/O error).
    case writeFailed = 6
    /// Written by an earlier run of the daemon (found in the capture directory at start).
    case previousRun = 7

    /// The reason as the API reports it.
    public var description: String {
        switch self {
        case .packetLimit: return "packet limit"
        case .byteLimit: return "byte limit"
        case .timeLimit: return "time limit"
        case .stopped: return "stopped"
        case .diskBudget: return "disk budget"
        case .writeFailed: return "write failed"
        case .previousRun: return "previous run"
        }
    }
}

/// Whether a capture is still writing.
public enum CaptureState: Sendable, Equatable, CustomStringConvertible {
    /// Frames are being written.
    case running
    /// It ended for `reason`.
    case done(CaptureStopReason)

    /// "running" or "done (REASON)".
    public var description: String {
        switch self {
        case .running: return "running"
        case let .done(r): return "done (\(r))"
        }
    }
}

/// Frame counts of a capture, summed over its workers.
public struct CaptureCounters: Sendable, Equatable {
    /// Frames on the capture's interfaces that reached the filter.
    public var seen: UInt64 = 0
    /// Frames the filter matched.
    public var matched: UInt64 = 0
    /// Frames written to the file.
    public var written: UInt64 = 0
    /// Captured bytes written (frame data, after the snap length).
    public var bytes: UInt64 = 0
    /// Bytes of the pcapng files on disk (blocks and headers included).
    public var fileBytes: UInt64 = 0

    /// Counters at zero.
    public init() {}
}

/// A capture as the API lists it.
public struct CaptureInfo: Sendable, Equatable {
    /// The capture's id, used to stop, download and delete it.
    public var id: String
    /// What it listens on.
    public var target: CaptureTarget
    /// The interfaces that resolved from the target.
    public var interfaces: [String]
    /// The tcpdump expression.
    public var filter: String
    /// Bytes kept of each frame.
    public var snapLength: Int
    /// The limits.
    public var limits: CaptureLimits
    /// Start time, nanoseconds since the epoch.
    public var startedAt: UInt64
    /// Running or done.
    public var state: CaptureState
    /// Whether every worker has closed its file (the download is then complete).
    public var closed: Bool
    /// Counts.
    public var counters: CaptureCounters
    /// The capture's folder: one pcapng file per worker, merged by ``CaptureRegistry/pcapng(id:)``.
    public var directory: String
}
