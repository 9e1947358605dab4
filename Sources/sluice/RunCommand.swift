import ArgumentParser
import ConfigYAML
import Dataplane
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `sluice run --config FILE`: the long-running dataplane on AF_PACKET interfaces.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the dataplane: inline pairs and taps over AF_PACKET (configs/sidecar.yaml, configs/node.yaml).",
        discussion: "SIGHUP reloads the policy (a policy that does not validate is rejected and the running one stays); "
            + "SIGTERM or SIGINT stops, flushes events and prints a summary. "
            + "The daemon runs under a supervisor that restarts it if it dies and, with `fail: open`, bridges the inline pairs "
            + "in the kernel until it is ready again (docs/failover.md); --no-supervise runs it alone.")

    @Option(name: .long, help: "The daemon config (see configs/sidecar.yaml).")
    var config: String

    @Flag(name: .long, help: "Validate the config, policy and sensors and open nothing.")
    var check = false

    @Flag(name: .long, help: "Run the daemon in this process, without a supervisor (a crash then drops inline traffic).")
    var noSupervise = false

    @Option(name: .long, help: "The least severe message logged: trace, debug, info, notice, warning, error or critical (default: the config's log.level, else info).")
    var logLevel: Logger.Level?

    /// Set by the supervisor on the daemon it starts (fd 3 is its socket to the supervisor).
    @Flag(name: .long, help: ArgumentHelp(visibility: .hidden))
    var supervisedChild = false

    func run() throws {
        let parsed: DaemonConfig
        do { parsed = try DaemonConfig.load(path: config) } catch { throw RuntimeError.rejected(error) }
        if check {
            print("\(config): ok: \(parsed.workers) workers, \(parsed.interfaces.count) interfaces")
            return
        }
        if !noSupervise && !supervisedChild {
            let arguments = CommandLine.arguments.filter { $0 != "--supervised-child" }
            let logger = daemonLogger("sluice supervisor", config: parsed, level: logLevel)
            throw ExitCode(Supervisor(config: parsed, arguments: arguments, logger: logger).run())
        }
        // Blocked from the start (Daemon.run blocks them too): a stop that arrives while the
        // daemon is still starting waits for its sigwait instead of killing it half-built, and
        // threads started before run() cannot take them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM); sigaddset(&stopSignals, SIGINT); sigaddset(&stopSignals, SIGHUP)
        // SIGUSR1 (reopen EVE) too: the supervisor forwards it, and the child's watch thread
        // below starts before Daemon.init blocks it.
        sigaddset(&stopSignals, SIGUSR1)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        let logger = daemonLogger("sluice run", config: parsed, level: logLevel)
        if supervisedChild { SupervisedChild.begin(logger: logger) }
        let supervised = supervisedChild
        let daemon: Daemon
        do {
            daemon = try Daemon(config: parsed, logger: logger) {
                if supervised { SupervisedChild.notifyReady() }
            }
        } catch let e as ConfigError {
            throw RuntimeError.rejected(e)
        } catch {
            // Not the files: an interface, socket or memory the system refused.
            throw RuntimeError(.osError, "\(error)")
        }
        let summary = daemon.run()
        logger.info("stopped")
        // The summary is a report, not log lines: as it is, on stderr.
        FileHandleStderr.write(summary)
        if supervisedChild { SupervisedChild.end(config: parsed, logger: logger) }
    }
}
