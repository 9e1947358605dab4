import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// How daemon log lines look on stderr (`log.format` in the daemon config).
public enum LogFormat: String, Sendable, CaseIterable {
    /// `journald` under systemd (it sets `JOURNAL_STREAM` when stderr goes to the journal),
    /// `text` otherwise.
    case auto
    /// `<6>sluice run: ready: ...`: the syslog priority prefix journald reads the level from
    /// (sd-daemon(3)); journald adds the timestamp itself.
    case journald
    /// `2026-01-02T03:04:05.678Z info sluice run: ready: ...`: for a terminal or a plain file.
    case text

    /// `auto` decided for this process's environment.
    public func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) -> LogFormat {
        guard self == .auto else { return self }
        return environment["JOURNAL_STREAM"].map { !$0.isEmpty } == true ? .journald : .text
    }
}

/// A swift-log handler writing one line per message to stderr (or `write`), the level and
/// the label in front of the message: `label: message` is what the daemon printed before
/// levels existed, so anything matching on `sluice run: ready:` still finds it.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    /// Printed before each message, such as `sluice run`.
    public let label: String
    let format: LogFormat
    let write: @Sendable (String) -> Void

    /// A handler for `label` at `level`; `write` receives each whole line (stderr by default:
    /// unbuffered, one `write(2)` per line, so lines from threads never interleave).
    public init(label: String, level: Logger.Level, format: LogFormat,
                write: @escaping @Sendable (String) -> Void = StderrLogHandler.stderr) {
        self.label = label
        self.logLevel = level
        self.format = format.resolved()
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(line(level: event.level, message: "\(event.message)", metadata: event.metadata, at: Date()))
    }

    /// The line for one message, newline included.
    func line(level: Logger.Level, message: String, metadata extra: Logger.Metadata?, at date: Date) -> String {
        var all = metadata
        if let extra { all.merge(extra) { $1 } }
        let fields = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // One record per line: a newline inside a message (an error from a file) would split it.
        let text = (message + fields).replacingOccurrences(of: "\n", with: " ")
        switch format {
        case .journald, .auto:
            return "<\(Self.syslogPriority(level))>\(label): \(text)\n"
        case .text:
            return "\(Self.timestamp(date)) \(level) \(label): \(text)\n"
        }
    }

    /// The syslog priority journald maps each level to (sd-daemon(3): `<3>` error ... `<7>` debug).
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// ISO 8601 in UTC with milliseconds (to the nearest: binary fractions of a second are
    /// a hair under the decimal ones).
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var t = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = Int(millis % 1000)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(msText)Z"
    }

    /// Writes `line` to fd 2 in one call.
    public static let stderr: @Sendable (String) -> Void = { line in
        var line = line
        line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// A handler passing each message's text to a closure (benchmarks and tests that read lines).
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    let sink: @Sendable (String) -> Void

    /// Every message at `.info` or above goes to `sink`, without level or label.
    public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) { sink("\(event.message)") }
}

extension Logger.Level {
    /// The level names `log.level` and `--log-level` take.
    public static var names: [String] { allCases.map(\.rawValue) }
}

extension Daemon {
    /// A daemon whose messages (info and above, without level or label) go to `log`: for
    /// benchmarks and tests that read lines rather than a log.
    public convenience init(config: DaemonConfig, log: @escaping @Sendable (String) -> Void) throws {
        try self.init(config: config, logger: Logger(label: "sluice") { _ in LineLogHandler(log) })
    }

    /// Logs one message; info unless said otherwise (rejections are warnings, failures errors).
    func log(_ message: String, level: Logger.Level = .info) {
        logger.log(level: level, "\(message)")
    }
}
