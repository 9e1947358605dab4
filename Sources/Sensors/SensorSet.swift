import Foundation
import PatternMatch

/// Why a set of sensors could not be compiled, naming the rule's file and line.
public struct SensorSetError: Error, CustomStringConvertible, Equatable {
    /// `file:line` of the rule (or sensor) at fault; empty when the problem is set-wide.
    public var origin: String
    /// What is wrong.
    public var reason: String

    /// An error at `origin`.
    public init(origin: String, reason: String) {
        self.origin = origin
        self.reason = reason
    }

    /// `file:line: reason`.
    public var description: String { origin.isEmpty ? reason : "\(origin): \(reason)" }
}

/// What the packet path knows of a rule: fixed-size fields, no strings.
@usableFromInline
struct RuleInfo {
    @usableFromInline var sid: UInt32
    @usableFromInline var sensor: UInt8
    @usableFromInline var severity: UInt8
    @usableFromInline var action: SensorAction
    @usableFromInline var validate: Validation
    @usableFromInline var context: SensorContext
    /// One bit per pattern; the rule fires when all are set.
    @usableFromInline var fullMask: UInt8
}

/// What the packet path knows of a pattern: its rule and its bit there.
@usableFromInline
struct PatternInfo {
    @usableFromInline var rule: UInt32
    @usableFromInline var bit: UInt8
    /// Hyperscan reports the match's true start (else `from` is 0).
    @usableFromInline var som: Bool = false
}

/// Every loaded sensor compiled into Hyperscan databases: one per context family (URL,
/// header and query in block mode; body, and the raw streams of `packet`/`request`/`response`
/// in stream mode), compiled once off the packet path and shared read-only by all workers.
/// Immutable: a new sensor configuration is a new set, swapped in whole.
public final class SensorSet: @unchecked Sendable {
    /// The sensors, in load order (their index is the bit in a flow's sensor mask).
    public let sensors: [Sensor]
    /// Rules in a flat list (index = rule number in matches).
    public let rules: [SensorRule]
    /// Databases by family; nil where no rule has that context.
    public let url: HyperscanDatabase?
    /// Header lines.
    public let header: HyperscanDatabase?
    /// Datastore queries.
    public let query: HyperscanDatabase?
    /// HTTP bodies (stream mode).
    public let body: HyperscanDatabase?
    /// Raw streams and datagrams (stream mode): `packet`, `request` and `response` rules.
    public let stream: HyperscanDatabase?
    /// Whether each database came from the disk cache, was compiled, or both (for logs).
    public let origins: [String]

    @usableFromInline let ruleInfo: UnsafeMutablePointer<RuleInfo>
    @usableFromInline let patternInfo: UnsafeMutablePointer<PatternInfo>
    @usableFromInline let patternCount: Int
    /// Rule and sensor names as bytes, for alert records without String on the packet path.
    @usableFromInline let names: UnsafeMutableRawBufferPointer
    @usableFromInline let ruleNameOffsets: UnsafeMutablePointer<Int>
    @usableFromInline let sensorNameOffsets: UnsafeMutablePointer<Int>

    /// The most sensors a set holds: a flow's sensor mask is 64 bits.
    public static let maxSensors = 64
    /// The most patterns a rule holds: a rule's pattern mask is 8 bits.
    public static let maxPatternsPerRule = 8

    /// Compiles `sensors`. With `cacheDirectory`, each database is loaded from there when a
    /// previous run compiled the same patterns, and stored there otherwise.
    ///
    /// - Throws: ``SensorSetError`` for duplicate names or ids, a pattern Hyperscan rejects
    ///   (with the rule's file and line), or too many sensors or patterns.
    public init(sensors: [Sensor], cacheDirectory: URL? = nil) throws(SensorSetError) {
        guard sensors.count <= Self.maxSensors else {
            throw SensorSetError(origin: "", reason: "\(sensors.count) sensors loaded; at most \(Self.maxSensors)")
        }
        var sensorNames = Set<String>(), ids: [UInt32: String] = [:]
        var flat: [SensorRule] = [], infos: [RuleInfo] = [], pinfo: [PatternInfo] = []
        var families: [Family: [Pattern]] = [:]
        for (si, sensor) in sensors.enumerated() {
            guard sensorNames.insert(sensor.name).inserted else {
                throw SensorSetError(origin: sensor.rules.first?.origin ?? "", reason: "sensor \"\(sensor.name)\" is defined twice")
            }
            for rule in sensor.rules {
                if let other = ids[rule.id] {
                    throw SensorSetError(origin: rule.origin, reason: "rule id \(rule.id) is already used at \(other)")
                }
                ids[rule.id] = rule.origin.isEmpty ? "sensor \(sensor.name)" : rule.origin
                guard !rule.patterns.isEmpty, rule.patterns.count <= Self.maxPatternsPerRule else {
                    throw SensorSetError(origin: rule.origin, reason: "rule \(rule.id) needs 1 to \(Self.maxPatternsPerRule) patterns")
                }
                let r = UInt32(flat.count)
                let family = Family(rule.context)
                for (k, p) in rule.patterns.enumerated() {
                    var flags: Pattern.Flags = rule.nocase ? [.caseless] : []
                    // Exact starts only where validation needs the matched bytes: tracking
                    // them costs scan speed and stream state, and some patterns cannot have
                    // them at all. Excerpts of other matches end at the match's end.
                    if k == 0 && rule.validate != .none {
                        flags.insert(.leftmostStart)
                    } else {
                        flags.insert(.singleMatch)
                    }
                    families[family, default: []].append(Pattern(id: UInt32(pinfo.count), expression: p, flags: flags))
                    pinfo.append(PatternInfo(rule: r, bit: UInt8(k)))
                }
                flat.append(rule)
                infos.append(RuleInfo(sid: rule.id, sensor: UInt8(si), severity: rule.severity, action: rule.action,
                                      validate: rule.validate, context: rule.context,
                                      fullMask: UInt8(truncatingIfNeeded: (1 << rule.patterns.count) - 1)))
            }
        }
        var origins: [String] = []
        func build(_ f: Family) throws(SensorSetError) -> HyperscanDatabase? {
            guard let patterns = families[f], !patterns.isEmpty else { return nil }
            do {
                let db = try cacheDirectory.map { try HyperscanDatabase.cached(patterns: patterns, mode: f.mode, directory: $0) }
                    ?? HyperscanDatabase.compile(patterns, mode: f.mode)
                origins.append("\(f): \(patterns.count) patterns, \(db.origin)")
                for p in patterns where p.flags.contains(.leftmostStart) { pinfo[Int(p.id)].som = true }
                return db
            } catch let HyperscanError.compile(id?, _, message) {
                let info = pinfo[Int(id)]
                let rule = flat[Int(info.rule)]
                throw SensorSetError(origin: rule.origin,
                                     reason: "rule \(rule.id) pattern \(info.bit + 1) /\(rule.patterns[Int(info.bit)])/ does not compile: \(message)")
            } catch {
                throw SensorSetError(origin: "", reason: "\(f) patterns: \(error)")
            }
        }
        url = try build(.url); header = try build(.header); query = try build(.query)
        body = try build(.body); stream = try build(.stream)
        self.origins = origins
        self.sensors = sensors
        rules = flat
        patternCount = pinfo.count
        ruleInfo = .allocate(capacity: max(1, infos.count))
        ruleInfo.initialize(from: infos, count: infos.count)
        patternInfo = .allocate(capacity: max(1, pinfo.count))
        patternInfo.initialize(from: pinfo, count: pinfo.count)
        var bytes: [UInt8] = [], ruleOffsets = [0]
        for r in flat { bytes += Array(r.name.utf8); ruleOffsets.append(bytes.count) }
        var sensorOffsets = [bytes.count]
        for s in sensors { bytes += Array(s.name.utf8); sensorOffsets.append(bytes.count) }
        names = .allocate(byteCount: max(1, bytes.count), alignment: 1)
        names.copyBytes(from: bytes)
        ruleNameOffsets = .allocate(capacity: ruleOffsets.count)
        ruleNameOffsets.initialize(from: ruleOffsets, count: ruleOffsets.count)
        sensorNameOffsets = .allocate(capacity: sensorOffsets.count)
        sensorNameOffsets.initialize(from: sensorOffsets, count: sensorOffsets.count)
    }

    deinit {
        ruleInfo.deallocate(); patternInfo.deallocate(); names.deallocate()
        ruleNameOffsets.deallocate(); sensorNameOffsets.deallocate()
    }

    /// The mask of the sensors named in `names` (unknown names are ignored; check them with
    /// ``unknownSensors(in:)``).
    public func mask(for names: [String]) -> UInt64 {
        var m: UInt64 = 0
        for (i, s) in sensors.enumerated() where names.contains(s.name) { m |= 1 << UInt64(i) }
        return m
    }

    /// The mask of every sensor.
    public var allSensors: UInt64 { sensors.count >= 64 ? ~0 : (1 << UInt64(sensors.count)) - 1 }

    /// The names in `names` that no loaded sensor has.
    public func unknownSensors(in names: [String]) -> [String] {
        names.filter { n in !sensors.contains { $0.name == n } }
    }

    /// The index of rule `r`'s sensor.
    @inlinable
    public func sensorIndex(ofRule r: Int) -> Int { Int(ruleInfo[r].sensor) }

    /// Rule `r`'s name as bytes.
    @inlinable
    public func ruleName(_ r: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(names)[ruleNameOffsets[r]..<ruleNameOffsets[r + 1]])
    }

    /// Sensor `s`'s name as bytes.
    @inlinable
    public func sensorName(_ s: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(names)[sensorNameOffsets[s]..<sensorNameOffsets[s + 1]])
    }
}

/// The database a context's patterns go into.
enum Family: Hashable, CustomStringConvertible {
    case url, header, query, body, stream

    init(_ c: SensorContext) {
        switch c {
        case .url: self = .url
        case .header: self = .header
        case .query: self = .query
        case .body: self = .body
        case .packet, .request, .response: self = .stream
        }
    }

    var isBlock: Bool { self == .url || self == .header || self == .query }
    var mode: ScanMode { isBlock ? .block : .stream }

    var description: String {
        switch self {
        case .url: return "url"
        case .header: return "header"
        case .query: return "query"
        case .body: return "body"
        case .stream: return "stream"
        }
    }
}
