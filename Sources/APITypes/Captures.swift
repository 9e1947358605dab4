/// `POST /v1/captures`'s body: `interface` or `workload`, a filter, limits. Clients encode it;
/// the daemon reads it with `CaptureStartRequest.parse` (ControlAPI), which checks every
/// field's type and range and refuses unknown fields, rather than with `Decodable`.
public struct CaptureStartRequest: Encodable, Sendable, Equatable {
    /// The interface to capture on (its name in the daemon config)...
    public var interface: String?
    /// ...or every interface of this workload.
    public var workload: String?
    /// A tcpdump expression ("" for every frame), at most ``maxFilterBytes``.
    public var filter = ""
    /// Stop after this many frames (0: no limit).
    public var packets = 0
    /// Stop after this many captured bytes (0: no limit).
    public var bytes = 0
    /// Stop after this many seconds (0: no limit).
    public var seconds = 0.0
    /// Bytes kept of each frame.
    public var snaplen = 262_144

    /// The longest filter accepted. libpcap's optimizer is superlinear in the terms: the worst
    /// 2 KiB expression (180 `port N` terms) compiles in about 2 s, the worst 4 KiB one in 12 s.
    public static let maxFilterBytes = 2048
    /// The limits' ranges.
    public static let packetRange = 0...1_000_000_000
    public static let byteRange = 0...(1 << 40)
    public static let secondRange = 0.0...(7 * 86400.0)
    public static let snaplenRange = 1...262_144

    /// A request for `interface` or `workload`.
    public init(interface: String? = nil, workload: String? = nil) {
        self.interface = interface
        self.workload = workload
    }
}

/// One capture: `POST /v1/captures` (201), `GET /v1/captures/ID`, `POST .../stop`.
public struct CaptureResponse: Codable, Sendable, Equatable {
    /// `cap-N`.
    public var id: String
    /// `interface web` or `workload web`.
    public var target: String
    /// The interfaces it records.
    public var interfaces: [String]
    public var filter: String
    public var snaplen: Int
    /// `running`, `done (packet limit)`, ...
    public var state: String
    /// Whether its files are complete.
    public var closed: Bool
    public var limits: CaptureLimitsInfo
    public var counters: CaptureCountersInfo

    public init(id: String, target: String, interfaces: [String], filter: String, snaplen: Int, state: String, closed: Bool,
                limits: CaptureLimitsInfo, counters: CaptureCountersInfo) {
        self.id = id; self.target = target; self.interfaces = interfaces; self.filter = filter; self.snaplen = snaplen
        self.state = state; self.closed = closed; self.limits = limits; self.counters = counters
    }
}

/// A capture's limits (0: none).
public struct CaptureLimitsInfo: Codable, Sendable, Equatable {
    public var packets: Int
    public var bytes: Int
    public var seconds: Double

    public init(packets: Int, bytes: Int, seconds: Double) {
        self.packets = packets; self.bytes = bytes; self.seconds = seconds
    }
}

/// What a capture saw and wrote.
public struct CaptureCountersInfo: Codable, Sendable, Equatable {
    public var seen: Int
    public var matched: Int
    public var written: Int
    public var bytes: Int
    public var fileBytes: Int

    enum CodingKeys: String, CodingKey {
        case seen, matched, written, bytes
        case fileBytes = "file_bytes"
    }

    public init(seen: Int, matched: Int, written: Int, bytes: Int, fileBytes: Int) {
        self.seen = seen; self.matched = matched; self.written = written; self.bytes = bytes; self.fileBytes = fileBytes
    }
}

/// `GET /v1/captures`.
public struct CapturesResponse: Codable, Sendable, Equatable {
    public var captures: [CaptureResponse]

    public init(captures: [CaptureResponse]) { self.captures = captures }
}

/// `DELETE /v1/captures/ID`.
public struct CaptureDeletedResponse: Codable, Sendable, Equatable {
    /// The id deleted.
    public var deleted: String

    public init(deleted: String) { self.deleted = deleted }
}
