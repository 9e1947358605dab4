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
    /// The match's true start is known: Hyperscan reports it, or (``confirm``) the engine
    /// finds it (else `from` is 0).
    @usableFromInline var som: Bool = false
    /// How the engine finds a prefiltered match's start: ``Confirm``.
    @usableFromInline var confirm: UInt8 = Confirm.none
    /// The pattern's widest match in bytes (for ``Confirm/fixed`` every match's width).
    @usableFromInline var width: UInt16 = 0
}

/// How the start of a validated pattern's match is found. Tracking starts in the scan
/// (`HS_FLAG_SOM_LEFTMOST`) slows the whole database down, and on number-heavy traffic a card
/// or SSN shape matches every few hundred bytes; so a validated pattern of bounded width runs
/// in its family's database without start tracking (a prefilter: every end offset where it
/// matches), and the engine finds the start of a match only when it needs it.
@usableFromInline
enum Confirm {
    /// Hyperscan tracks the start (or the pattern is not validated).
    @usableFromInline static let none: UInt8 = 0
    /// Every match has the same width: start = end - width.
    @usableFromInline static let fixed: UInt8 = 1
    /// A block scan of the ``SensorSet/confirm`` database, which holds the pattern with start
    /// tracking, over the bytes before the end (width + 1, for a leading `\b`).
    @usableFromInline static let scan: UInt8 = 2
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
    /// The variable-width validated patterns again, with start tracking, in block mode: the
    /// engine scans the few bytes before a prefiltered match's end with it to find the start.
    public let confirm: HyperscanDatabase?
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
    /// The most rules a set holds: compile time and memory grow with the rule count, and the
    /// built-in sets hold a few hundred.
    public static let maxRules = 10_000
    /// The longest expression, in bytes.
    public static let maxPatternLength = 4096
    /// The most bytes the shortest match of a pattern may span (`.{3000}` needs 3000):
    /// Hyperscan unrolls bounded repeats, so wide ones cost compile time and stream state,
    /// and no signature needs kilobytes to match.
    public static let maxPatternMinWidth = 1024
    /// The widest match a pattern with a bounded width may span (the built-in
    /// `[^\n]{0,2000}` spans about 2100). Unbounded widths (`.*`) are not limited by this.
    public static let maxPatternWidth = 8192

    /// Compiles `sensors`. With `cacheDirectory`, each database is loaded from there when a
    /// previous run compiled the same patterns, and stored there otherwise. Each compile runs
    /// within `limits` (in a child process, see ``CompileLimits``); nil compiles in this process
    /// without bounds, for callers that trust the rules. `prefilter: false` keeps start
    /// tracking in the scan for every validated pattern (the way before ``Confirm``; for
    /// benchmarks comparing the two).
    ///
    /// - Throws: ``SensorSetError`` for duplicate names or ids, a pattern Hyperscan rejects
    ///   (with the rule's file and line), too many sensors, rules or patterns, a pattern too long
    ///   or too wide, or a compile that exceeded `limits`.
    public init(sensors: [Sensor], cacheDirectory: URL? = nil, limits: CompileLimits? = CompileLimits(),
                prefilter: Bool = true) throws(SensorSetError) {
        guard sensors.count <= Self.maxSensors else {
            throw SensorSetError(origin: "", reason: "\(sensors.count) sensors loaded; at most \(Self.maxSensors)")
        }
        let ruleCount = sensors.reduce(0) { $0 + $1.rules.count }
        guard ruleCount <= Self.maxRules else {
            let big = sensors.max { $0.rules.count < $1.rules.count }
            throw SensorSetError(origin: big?.rules.first?.origin ?? "",
                                 reason: "\(ruleCount) rules loaded (sensor \"\(big?.name ?? "")\" has \(big?.rules.count ?? 0)); a set holds at most \(Self.maxRules)")
        }
        var sensorNames = Set<String>(), ids: [UInt32: String] = [:]
        var flat: [SensorRule] = [], infos: [RuleInfo] = [], pinfo: [PatternInfo] = [], cost: [Int] = []
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
                let widths = try Self.checkPatterns(of: rule)
                let r = UInt32(flat.count)
                let family = Family(rule.context)
                for (k, p) in rule.patterns.enumerated() {
                    var flags: Pattern.Flags = rule.nocase ? [.caseless] : []
                    var info = PatternInfo(rule: r, bit: UInt8(k))
                    // Exact starts only where validation needs the matched bytes: tracking
                    // them costs scan speed and stream state, and some patterns cannot have
                    // them at all. Excerpts of other matches end at the match's end.
                    if k == 0 && rule.validate != .none {
                        if prefilter, let width = Self.prefilterWidth(p, widths[k], streamed: rule.context.isStreamed) {
                            // Prefiltered: no start tracking in the scan (see ``Confirm``).
                            info.som = true
                            info.width = UInt16(width)
                            info.confirm = widths[k].minWidth == width ? Confirm.fixed : Confirm.scan
                            if info.confirm == Confirm.scan {
                                families[.confirm, default: []].append(
                                    Pattern(id: UInt32(pinfo.count), expression: p, flags: flags.union(.leftmostStart)))
                            }
                        } else {
                            flags.insert(.leftmostStart)
                        }
                    } else {
                        flags.insert(.singleMatch)
                    }
                    families[family, default: []].append(Pattern(id: UInt32(pinfo.count), expression: p, flags: flags))
                    pinfo.append(info)
                    // Bounded repeats are what Hyperscan unrolls: the widest is the likeliest
                    // reason a compile runs out of time.
                    cost.append(widths[k].minWidth + (widths[k].maxWidth ?? widths[k].minWidth))
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
                let db = try cacheDirectory.map { try HyperscanDatabase.cached(patterns: patterns, mode: f.mode, directory: $0, limits: limits) }
                    ?? HyperscanDatabase.compile(patterns, mode: f.mode, limits: limits)
                origins.append("\(f): \(patterns.count) patterns, \(db.origin)")
                for p in patterns where p.flags.contains(.leftmostStart) { pinfo[Int(p.id)].som = true }
                return db
            } catch let HyperscanError.compile(id?, _, message) {
                let info = pinfo[Int(id)]
                let rule = flat[Int(info.rule)]
                throw SensorSetError(origin: rule.origin,
                                     reason: "rule \(rule.id) pattern \(info.bit + 1) /\(rule.patterns[Int(info.bit)])/ does not compile: \(message)")
            } catch HyperscanError.compileTimeout(let seconds) {
                // The whole database timed out; name the widest rule, the likeliest cause.
                let widest = patterns.max { cost[Int($0.id)] < cost[Int($1.id)] }
                let rule = widest.map { flat[Int(pinfo[Int($0.id)].rule)] }
                throw SensorSetError(origin: rule?.origin ?? "",
                                     reason: "\(f) patterns: compile exceeded \(CompileLimits.format(seconds)) s; "
                                         + "simplify rule \(rule.map { String($0.id) } ?? "?") or raise sensors.compile_timeout")
            } catch {
                throw SensorSetError(origin: "", reason: "\(f) patterns: \(error)")
            }
        }
        url = try build(.url); header = try build(.header); query = try build(.query)
        body = try build(.body); stream = try build(.stream); confirm = try build(.confirm)
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

    /// The width a validated pattern's matches are confirmed over when it can run as a
    /// prefilter (see ``Confirm``), or nil when it keeps start tracking in the scan: its
    /// matches must be bounded and short enough that the bytes before a match's end are
    /// still at hand (a streamed unit keeps its last ``ScannerSlots/tailSize`` bytes), and it
    /// must not anchor at the start of the data (`^`, `\A`), which a window cut out of the
    /// middle of a unit would wrongly provide.
    static func prefilterWidth(_ expression: String, _ info: ExpressionInfo, streamed: Bool) -> Int? {
        guard let width = info.maxWidth, width > 0, width <= (streamed ? ScannerSlots.tailSize - 1 : 128) else { return nil }
        let unanchored = expression.replacingOccurrences(of: "\\\\", with: "").replacingOccurrences(of: "[^", with: "[")
            .replacingOccurrences(of: "\\^", with: "")
        guard !unanchored.contains("^"), !unanchored.contains("\\A"), !unanchored.contains("\\G") else { return nil }
        return width
    }

    /// Refuses a rule whose patterns are too long, too wide or not parseable, before any
    /// compile: `hs_expression_info` parses and measures one expression cheaply. The widths
    /// of each pattern.
    @discardableResult
    public static func checkPatterns(of rule: SensorRule) throws(SensorSetError) -> [ExpressionInfo] {
        var out: [ExpressionInfo] = []
        for (k, p) in rule.patterns.enumerated() {
            let what = "rule \(rule.id) pattern \(k + 1)"
            guard p.utf8.count <= maxPatternLength else {
                throw SensorSetError(origin: rule.origin, reason: "\(what) is \(p.utf8.count) bytes long; at most \(maxPatternLength)")
            }
            let info: ExpressionInfo
            do {
                info = try ExpressionInfo(Pattern(id: 0, expression: p, flags: rule.nocase ? [.caseless] : []))
            } catch let HyperscanError.compile(_, _, message) {
                throw SensorSetError(origin: rule.origin, reason: "\(what) /\(p)/ does not compile: \(message)")
            } catch {
                throw SensorSetError(origin: rule.origin, reason: "\(what) /\(p)/: \(error)")
            }
            guard info.minWidth <= maxPatternMinWidth else {
                throw SensorSetError(origin: rule.origin,
                                     reason: "\(what) /\(p)/ needs at least \(info.minWidth) bytes to match; at most \(maxPatternMinWidth) (shorten its repeats)")
            }
            if let width = info.maxWidth, width > maxPatternWidth {
                throw SensorSetError(origin: rule.origin,
                                     reason: "\(what) /\(p)/ matches up to \(width) bytes; a bounded pattern spans at most \(maxPatternWidth) (shorten its repeats or use an unbounded one such as .*)")
            }
            out.append(info)
        }
        return out
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

    /// What is wrong with binding sensor `name` with `disabledRules` turned off: the sensor is
    /// not loaded, or a rule id is not one of its rules; nil when the binding is sound.
    public func bindingProblem(sensor name: String, disabledRules: [UInt32]) -> String? {
        guard let s = sensors.firstIndex(where: { $0.name == name }) else { return "sensor \(name) is not loaded" }
        let foreign = disabledRules.filter { id in !sensors[s].rules.contains { $0.id == id } }
        guard foreign.isEmpty else {
            return "sensor \(name) has no rule \(foreign.map(String.init).joined(separator: ", ")) to disable"
        }
        return nil
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
    /// Not a context: the confirm database (``SensorSet/confirm``).
    case confirm

    init(_ c: SensorContext) {
        switch c {
        case .url: self = .url
        case .header: self = .header
        case .query: self = .query
        case .body: self = .body
        case .packet, .request, .response: self = .stream
        }
    }

    var isBlock: Bool { self != .body && self != .stream }
    var mode: ScanMode { isBlock ? .block : .stream }

    var description: String {
        switch self {
        case .url: return "url"
        case .header: return "header"
        case .query: return "query"
        case .body: return "body"
        case .stream: return "stream"
        case .confirm: return "confirm"
        }
    }
}
