import ArgumentParser
import ConfigYAML
#if canImport(Glibc)
import Glibc
#endif

/// The exit statuses of `sluice`, one meaning each, so a script can tell a wrong command line
/// from a missing file, a damaged capture or an API that is down (README.md, "Exit status").
/// Above 63 they follow sysexits.h, whose meanings shells and init systems already know.
enum ExitStatus: Int32, CaseIterable {
    /// The daemon or an appliance refused or did not finish: an API error answer, an
    /// appliance not in sync after `control --once`, a daemon that stopped on an error.
    case failed = 1
    /// A config, policy or sensor file does not validate (the message names file, line, key).
    case invalid = 2
    /// The capture was damaged part-way; the output covers every frame before the damage.
    case damagedCapture = 3
    /// The command line is wrong (unknown option, missing argument): the only status that
    /// prints usage text. ArgumentParser uses it for its own errors.
    case usage = 64
    /// An input opened but cannot be used: not a pcap/pcapng file, a capture filter that does
    /// not compile, an API answer this client cannot read.
    case dataError = 65
    /// An input file is missing or unreadable (a capture, a policy or sensor file to push).
    case noInput = 66
    /// The daemon's API cannot be reached (no socket, connection refused, timed out).
    case unavailable = 69
    /// The system refused something the command needs (interfaces, sockets, memory).
    case osError = 71
    /// An output file cannot be created or written (EVE, a downloaded capture).
    case cantCreate = 73
    /// The token file cannot be read, or the API rejected the token.
    case noPermission = 77
}

/// An error at run time (not a wrong command line): `sluice: error: MESSAGE` on stderr, one
/// line, no usage text, and the exit status of its kind.
struct RuntimeError: Error, CustomStringConvertible {
    /// The exit status.
    var status: ExitStatus
    /// What went wrong, without the `sluice: error:` prefix.
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }

    /// A file that was loaded and rejected: ``ExitStatus/noInput`` when it could not be read
    /// at all, ``ExitStatus/invalid`` when it does not validate.
    static func rejected(_ error: any Error) -> RuntimeError {
        RuntimeError(status(rejecting: error), "\(error)")
    }

    /// The status for a loader's error (see ``rejected(_:)``).
    static func status(rejecting error: any Error) -> ExitStatus {
        guard let e = error as? ConfigError, e.line == 0, e.reason.hasPrefix("cannot read") else { return .invalid }
        return .noInput
    }

    /// The line written to stderr: control characters from file names or API answers are
    /// replaced, so the message stays one line.
    var line: String {
        "sluice: error: " + String(message.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }) + "\n"
    }
}

/// Runs the command line: a ``RuntimeError`` becomes its one-line message and status, every
/// other error (a usage error, `--help`, an `ExitCode`) goes through ArgumentParser as before.
func runSluice() -> Never {
    do {
        var command = try Sluice.parseAsRoot()
        try command.run()
        exit(0)
    } catch let e as RuntimeError {
        FileHandleStderr.write(e.line)
        exit(e.status.rawValue)
    } catch {
        Sluice.exit(withError: error)
    }
}
