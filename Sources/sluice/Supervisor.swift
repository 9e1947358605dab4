#if canImport(Glibc)
import Dataplane
import Foundation
import Glibc
import Logging

/// `sluice run` without `--no-supervise`: a small parent process that runs the real daemon
/// as its child (`sluice run --supervised-child`), so that a crash never blackholes traffic
/// (docs/failover.md).
///
/// - The child's death is noticed at once (EOF on its socket, then SIGCHLD and waitpid). With `fail: open` every
///   inline pair is bridged in the kernel (`KernelBypass`) until a restarted child reports
///   ready, then the bypass is removed (hand-back). With `fail: closed` nothing is bridged:
///   traffic stays dropped until the new child is ready.
/// - Restarts back off: at once after the first crash, then 0.5 s doubling to 30 s while the
///   child keeps crashing (the count resets once a child stayed ready 30 s). The bypass stays
///   while it does.
/// - SIGHUP and SIGUSR1 are forwarded to the child. SIGTERM and SIGINT are forwarded
///   and stop: the supervisor waits for the child's summary, removes any bypass (a deliberate
///   stop takes Sluice out of the path; it does not leave an uninspected bridge behind) and
///   exits with the child's status.
/// - The child's stdout and stderr are this process's own (inherited, not relayed), so the
///   child keeps logging even if the supervisor is gone.
/// - Each child gets one end of a socket pair: it writes a byte when ready, and reads EOF when
///   the supervisor dies (then it stops, and with `fail: open` leaves the bypass in place for
///   the supervisor that systemd restarts: configs/sluice.service).
final class Supervisor {
    let config: DaemonConfig
    let arguments: [String]
    let logger: Logger
    var bypass: KernelBypass
    private var child: pid_t = 0
    private var childSocket: Int32 = -1
    private var everReady = false
    private var bypassed = false
    private var stopping = false
    private var crashes = 0
    private var readySince: Double?
    private var restartAt: Double?
    private let signalPipe: (read: Int32, write: Int32)

    /// The signals forwarded to the child (SIGTERM and SIGINT also stop the supervisor).
    static let forwarded: [Int32] = [SIGHUP, SIGTERM, SIGINT, SIGUSR1]

    /// `arguments`: the command line to give the child (without `--supervised-child`).
    init(config: DaemonConfig, arguments: [String], logger: Logger) {
        self.config = config
        self.arguments = arguments
        self.logger = logger
        bypass = KernelBypass(config: config)
        var fds: [Int32] = [0, 0]
        _ = cloexecPipe(&fds)
        signalPipe = (fds[0], fds[1])
    }

    func log(_ s: String, level: Logger.Level = .info) { logger.log(level: level, "\(s)") }

    /// Runs until stopped by SIGTERM or SIGINT, or until the very first child fails to start;
    /// returns the exit status.
    func run() -> Int32 {
        startSignalThread()
        if config.failOpen && !bypass.isEmpty {
            if bypass.tc == nil {
                log("warning: fail: open needs tc (iproute2) to bridge \(bypass.names) if the daemon dies; none found, a crash will drop traffic", level: .warning)
            }
            bypass.survey()
        }
        spawnChild()
        while true {
            var fds = [pollfd(fd: signalPipe.read, events: Int16(POLLIN), revents: 0)]
            if childSocket >= 0 { fds.append(pollfd(fd: childSocket, events: Int16(POLLIN), revents: 0)) }
            var timeout: Int32 = -1
            if let at = restartAt { timeout = Int32(max(0, min(60_000, (at - monotonicSeconds()) * 1000))) }
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0 && errno != EINTR { log("poll: \(String(cString: strerror(errno)))", level: .error); return 1 }
            if fds[0].revents != 0 {
                var sig: Int32 = 0
                if read(signalPipe.read, &sig, 4) == 4, let status = handle(signal: sig) { return status }
            }
            // (Reaping the daemon above closes its socket: nothing left to read then.)
            if fds.count > 1 && fds[1].revents != 0 && childSocket == fds[1].fd { readChildSocket() }
            if let at = restartAt, monotonicSeconds() >= at {
                restartAt = nil
                if stopping { return finish(status: 0) }
                spawnChild()
            }
        }
    }

    /// Blocks the forwarded signals and SIGCHLD in every thread and takes them on one thread
    /// with sigwait, handing each to the main loop through a pipe (the loop also waits for the
    /// child's ready byte, so it polls).
    private func startSignalThread() {
        var set = sigset_t()
        sigemptyset(&set)
        for s in Self.forwarded + [SIGCHLD] { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let fd = signalPipe.write
        let blocked = set
        let t = Thread {
            var set = blocked
            var sig: Int32 = 0
            while true {
                guard sigwait(&set, &sig) == 0 else { continue }
                _ = write(fd, &sig, 4)
            }
        }
        t.name = "sluice-supervisor-signals"
        t.start()
    }

    /// Acts on one signal; returns the exit status when the supervisor is done.
    private func handle(signal sig: Int32) -> Int32? {
        if sig == SIGCHLD {
            var status: Int32 = 0
            guard child > 0, waitpid(child, &status, WNOHANG) == child else { return nil }
            return childExited(status)
        }
        let name = [SIGHUP: "SIGHUP", SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGUSR1: "SIGUSR1"][sig] ?? "signal \(sig)"
        if sig == SIGTERM || sig == SIGINT {
            stopping = true
            guard child > 0 else { return finish(status: 0) }
            log("stopping: forwarding \(name) to the daemon (pid \(child))")
        } else if child <= 0 {
            log("\(name): no daemon running (restart pending); not forwarded")
            return nil
        }
        kill(child, sig)
        return nil
    }

    /// Starts a child with its socket; a failure to start counts as a crash.
    private func spawnChild() {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            log("socketpair: \(String(cString: strerror(errno)))", level: .error)
            scheduleRestart()
            return
        }
        // The child's end goes to fd 3 (SupervisedChild.socketFD); dup2 onto itself would keep
        // O_CLOEXEC, so move it off 3 first.
        if pair[1] == SupervisedChild.socketFD {
            let moved = fcntl(pair[1], F_DUPFD_CLOEXEC, SupervisedChild.socketFD + 1)
            close(pair[1])
            pair[1] = moved
        }
        let env = SupervisorSpawn.currentEnvironment().filter { !$0.hasPrefix(SupervisedChild.environmentKey + "=") }
            + ["\(SupervisedChild.environmentKey)=\(getpid())"]
        let started = SupervisorSpawn.spawn("/proc/self/exe", arguments + ["--supervised-child"], environment: env,
                                            dup: [(pair[1], SupervisedChild.socketFD)])
        close(pair[1])
        switch started {
        case .success(let pid):
            child = pid
            childSocket = pair[0]
            log("started the daemon, pid \(pid)")
        case .failure(let e):
            close(pair[0])
            log("could not start the daemon: \(e)", level: .error)
            scheduleRestart()
        }
    }

    /// Reads the child's socket: a byte means ready, EOF means it is gone (SIGCHLD follows).
    private func readChildSocket() {
        var byte: UInt8 = 0
        let n = read(childSocket, &byte, 1)
        if n == 1 {
            ready()
        } else if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) {
            close(childSocket)
            childSocket = -1
            // The daemon is exiting: the kernel closes its fds in order, this socket (fd 3)
            // before its AF_PACKET sockets, whose teardown waits for RCU grace periods, so
            // EOF comes well before SIGCHLD (tens of ms). Bridge now.
            if !stopping { bypassNow(reason: "the daemon (pid \(child)) is exiting") }
        }
    }

    /// With `fail: open`, once a daemon has been ready: puts the bypass in place unless it is.
    private func bypassNow(reason: String) {
        // Containers' veths interposed at run time go back on their bridges (the restarted
        // daemon finds them there and interposes again); their traffic flows uninspected meanwhile.
        if config.failOpen, everReady, let c = config.containers {
            let restored = VethInterposer.restoreAll(runDir: c.runDirectory)
            if !restored.isEmpty {
                log("\(reason); fail: open: \(restored.map(\.veth).joined(separator: ", ")) back on their bridges until the daemon is back")
            }
        }
        guard config.failOpen, !bypass.isEmpty, !bypassed, everReady else { return }
        let started = monotonicSeconds()
        let error = bypass.install()
        let took = String(format: "%.1f", (monotonicSeconds() - started) * 1000)
        if let error {
            log("\(reason); fail: open, but the bypass could not be put in place; traffic is dropped: \(error)", level: .error)
        } else {
            bypassed = true
            log("\(reason); bypass on (fail: open, tc took \(took) ms): \(bypass.names) bridged in the kernel until the daemon is back")
        }
    }

    private func ready() {
        readySince = monotonicSeconds()
        let first = !everReady
        everReady = true
        if bypassed {
            if let err = bypass.remove() {
                log("the daemon (pid \(child)) is ready, but removing the bypass failed: \(err)", level: .error)
            } else {
                bypassed = false
                log("the daemon (pid \(child)) is ready; bypass removed (hand-back): \(bypass.names)")
            }
        } else if first && !bypass.isEmpty && bypass.tc != nil {
            // A bypass a previous supervisor left (it was killed while one was in place).
            if let err = bypass.remove() { log("removing a bypass left from before failed: \(err)", level: .error) }
        }
    }

    /// The child died: bypass (fail: open) and restart, or finish when stopping or when the
    /// very first child could not start.
    private func childExited(_ status: Int32) -> Int32? {
        let pid = child
        child = 0
        if childSocket >= 0 { close(childSocket); childSocket = -1 }
        let code = waitStatusCode(status)
        if stopping {
            return finish(status: code >= 0 ? code : 128 - code)
        }
        let how = code >= 0 ? "exited with status \(code)" : "was killed by signal \(-code) (\(String(cString: strsignal(-code))))"
        if !everReady && code > 0 {
            // Never ready: a config, policy or interface the daemon rejects. Restarting cannot help.
            log("the daemon (pid \(pid)) \(how) before it started; stopping", level: .error)
            return finish(status: code)
        }
        // Usually in place already (EOF on the daemon's socket comes first).
        bypassNow(reason: "the daemon (pid \(pid)) \(how)")
        log("the daemon (pid \(pid)) \(how)")
        if !bypass.isEmpty && !config.failOpen {
            log("fail: closed: \(bypass.names) stays dropped until the daemon is back")
        }
        scheduleRestart()
        return nil
    }

    private func scheduleRestart() {
        let now = monotonicSeconds()
        if let since = readySince, now - since >= 30 { crashes = 0 }
        readySince = nil
        crashes += 1
        let delay = crashes == 1 ? 0 : min(30, 0.5 * pow(2, Double(crashes - 2)))
        restartAt = now + delay
        log("restarting the daemon \(delay == 0 ? "at once" : "in \(delay) s") (\(crashes) crash\(crashes == 1 ? "" : "es") in a row)")
    }

    /// Removes any bypass and returns `status` (a deliberate stop leaves no bridge behind).
    private func finish(status: Int32) -> Int32 {
        if bypassed {
            if let err = bypass.remove() { log("stopping: removing the bypass failed: \(err)") } else { log("bypass removed") }
            bypassed = false
        }
        log("stopped")
        return status
    }
}
#endif
