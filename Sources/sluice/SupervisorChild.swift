#if canImport(Glibc)
import Dataplane
import Foundation
import Glibc
import Logging

/// The child side of supervision (`sluice run --supervised-child`): fd 3 is a socket to the
/// supervisor. The child writes one byte on it when ready, and a thread reads it: EOF means
/// the supervisor is gone (killed: a clean stop always stops the child first). The child then
/// stops itself, and with `fail: open` leaves the kernel bypass in place on its way out, so
/// traffic flows until a restarted supervisor's daemon is ready (configs/sluice.service).
///
/// A socket rather than PR_SET_PDEATHSIG: it reports the death of the supervisor process
/// (PDEATHSIG follows the parent *thread*), needs no C shim, and carries the ready byte too.
enum SupervisedChild {
    /// The fd the supervisor gives its end of the socket pair.
    static let socketFD: Int32 = 3
    /// Names the supervisor's pid in the child's environment.
    static let environmentKey = "SLUICE_SUPERVISOR_PID"
    /// Set by the lifeline thread before it asks the daemon to stop.
    nonisolated(unsafe) static var orphaned = false

    /// Starts the lifeline thread. Call after blocking SIGTERM (the stop it sends must reach
    /// the daemon's sigwait even while the daemon is still starting).
    static func begin(logger: Logger) {
        let t = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(socketFD, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n > 0 { continue }
                break
            }
            orphaned = true
            logger.warning("the supervisor is gone; stopping")
            kill(getpid(), SIGTERM)
        }
        t.name = "sluice-lifeline"
        t.start()
    }

    /// Tells the supervisor the daemon is ready.
    static func notifyReady() {
        var byte: UInt8 = 1
        // MSG_NOSIGNAL: a supervisor that died meanwhile must not kill the daemon with SIGPIPE.
        _ = send(socketFD, &byte, 1, Int32(MSG_NOSIGNAL))
    }

    /// After the daemon stopped: when the supervisor died and `fail: open`, bridges the
    /// inline pairs in the kernel (nobody else is left to do it).
    static func end(config: DaemonConfig, logger: Logger) {
        let supervisor = getenv(environmentKey).flatMap { pid_t(String(cString: $0)) }
        guard orphaned || (supervisor != nil && getppid() != supervisor!) else { return }
        let bypass = KernelBypass(config: config)
        guard config.failOpen, !bypass.isEmpty else { return }
        if let err = bypass.install() {
            logger.error("the supervisor is gone and the bypass could not be put in place: \(err)")
        } else {
            logger.warning("the supervisor is gone: bypass on (fail: open): \(bypass.names) bridged in the kernel")
        }
    }
}
#endif
