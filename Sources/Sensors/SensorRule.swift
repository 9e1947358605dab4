/// Where in the traffic a rule's patterns are matched.
public enum SensorContext: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Either direction's raw reassembled TCP stream, and UDP payloads.
    case packet
    /// The HTTP request target after WAF normalization (see ``WAFNormalizer``).
    case url
    /// Each HTTP request or response header, as the line `Name: value`.
    case header
    /// HTTP bodies after de-chunking and decompression; form bodies also percent-decoded.
    case body
    /// The client-to-server raw stream.
    case request
    /// The server-to-client raw stream.
    case response
    /// One datastore command's text (SQL statement, Redis command line, ...).
    case query

    /// The name used in sensor files and events.
    public var description: String { "\(name)" }

    /// The name as a static string, for records written on the packet path.
    @inlinable public var name: StaticString {
        switch self {
        case .packet: return "packet"
        case .url: return "url"
        case .header: return "header"
        case .body: return "body"
        case .request: return "request"
        case .response: return "response"
        case .query: return "query"
        }
    }

    /// The context named `name` in a sensor file.
    public init?(name: String) {
        guard let c = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = c
    }

    /// Whether the context is matched in stream mode, so a match may span packets or chunks.
    public var isStreamed: Bool { self == .packet || self == .request || self == .response || self == .body }
}

/// A check on the bytes the first pattern matched, for patterns whose shape alone gives too
/// many false positives.
public enum Validation: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// No check.
    case none
    /// Payment card number: the Luhn checksum over its digits (separators ignored).
    case luhn
    /// IBAN: the ISO 13616 mod-97 check and a plausible length.
    case iban
    /// US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000.
    case ssn

    /// The name used in sensor files.
    public var description: String {
        switch self {
        case .none: return "none"
        case .luhn: return "luhn"
        case .iban: return "iban"
        case .ssn: return "ssn"
        }
    }
}

/// What a rule does when it fires.
public enum SensorAction: UInt8, Sendable, CustomStringConvertible {
    /// Write an alert; the traffic passes.
    case alert
    /// Write an alert and block the flow: its packets are dropped from then on and a TCP flow
    /// is reset toward both ends.
    case block

    /// The name used in sensor files.
    public var description: String { self == .alert ? "alert" : "block" }
}

/// One detection rule of a sensor.
public struct SensorRule: Sendable, Equatable {
    /// The signature id (`alert.signature_id`); unique across every loaded sensor.
    public var id: UInt32
    /// The signature text (`alert.signature`).
    public var name: String
    /// Regular expressions in Hyperscan's PCRE subset; all must match within the same unit of
    /// the context (one URL, one header, one body, one stream direction) for the rule to fire.
    public var patterns: [String]
    /// Where the patterns are matched.
    public var context: SensorContext
    /// The check on the first pattern's match.
    public var validate: Validation = .none
    /// 1 (highest) to 4.
    public var severity: UInt8 = 2
    /// What firing does.
    public var action: SensorAction = .alert
    /// Match without regard to ASCII case.
    public var nocase = false
    /// Where the rule was defined (`file:line`), for error messages.
    public var origin = ""

    /// A rule with the given fields.
    public init(id: UInt32, name: String, patterns: [String], context: SensorContext,
                validate: Validation = .none, severity: UInt8 = 2, action: SensorAction = .alert,
                nocase: Bool = false, origin: String = "") {
        self.id = id
        self.name = name
        self.patterns = patterns
        self.context = context
        self.validate = validate
        self.severity = severity
        self.action = action
        self.nocase = nocase
        self.origin = origin
    }
}

/// A named set of rules (NeuVector's DLP or WAF sensor): what the policy binds to workloads.
public struct Sensor: Sendable, Equatable {
    /// The name (`alert.category` of its alerts).
    public var name: String
    /// Its rules.
    public var rules: [SensorRule]

    /// A sensor named `name` with `rules`.
    public init(name: String, rules: [SensorRule]) {
        self.name = name
        self.rules = rules
    }
}
