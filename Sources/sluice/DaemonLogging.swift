import ArgumentParser
import Dataplane
import Logging

/// A logger for one part of `sluice run` (`sluice run`, `sluice supervisor`): lines on stderr
/// with their level, in the config's format, at `level` (`--log-level`) or the config's.
func daemonLogger(_ label: String, config: DaemonConfig, level: Logger.Level?) -> Logger {
    let least = level ?? config.logLevel
    var logger = Logger(label: label) { StderrLogHandler(label: $0, level: least, format: config.logFormat) }
    logger.logLevel = least
    return logger
}

/// `--log-level trace|debug|info|notice|warning|error|critical`.
extension Logger.Level: @retroactive ExpressibleByArgument {}
