#if os(Linux)
import Foundation
import Glibc

/// Starts `/bin/sh -c command` with posix_spawn in its own process group, default signal
/// handling and an empty signal mask. (Foundation's Process lost children's exits here while
/// dnsmasq ran, so the harness reaps its own children with waitpid.)
func spawnShell(_ command: String) throws -> pid_t {
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    posix_spawnattr_setpgroup(&attr, 0)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attr, &mask)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for sig in [SIGPIPE, SIGTERM, SIGHUP, SIGINT, SIGCHLD, SIGQUIT] { sigaddset(&defaults, sig) }
    posix_spawnattr_setsigdefault(&attr, &defaults)
    let strings: [String] = ["/bin/sh", "-c", command]
    let args = strings.map { strdup($0) }
    defer { args.forEach { free($0) } }
    var argv = args + [nil]
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, "/bin/sh", nil, &attr, &argv, environ)
    guard rc == 0 else { throw BedError("posix_spawn /bin/sh -c \(command): \(String(cString: strerror(rc)))") }
    return pid
}

/// A wait status as an exit code, or minus the signal that ended the process.
func exitCode(_ status: Int32) -> Int32 { status & 0x7f == 0 ? (status >> 8) & 0xff : -(status & 0x7f) }

/// Runs `/bin/sh -c command`; returns its exit status, output (stdout and stderr) and seconds.
@discardableResult
func sh(_ command: String) -> (status: Int32, output: String, seconds: Double) {
    let start = Date()
    let out = NSTemporaryDirectory() + "sluice-sh-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    defer { unlink(out) }
    guard let pid = try? spawnShell("( \(command) ) >'\(out)' 2>&1 </dev/null") else { return (-1, "spawn failed", 0) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    return (exitCode(status), output, Date().timeIntervalSince(start))
}

/// A program running in the background, its stdout and stderr going to `log`.
final class Background {
    let pid: pid_t
    let log: String
    private var status: Int32?

    init(_ command: String, log: String) throws {
        self.log = log
        // exec, and `ip netns exec` execs too: the process is the program itself, so signals reach it.
        pid = try spawnShell("exec \(command) >'\(log)' 2>&1 </dev/null")
    }

    var text: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    var isRunning: Bool {
        if status != nil { return false }
        var s: Int32 = 0
        if waitpid(pid, &s, WNOHANG) == pid { status = s; return false }
        return true
    }

    /// Waits until the log contains `marker`; false when the program exits first or time runs out.
    func wait(for marker: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if text.contains(marker) { return true }
            if !isRunning { return text.contains(marker) }
            usleep(50_000)
        }
        return false
    }

    /// Sends `signal`, waits up to `seconds` for the exit; SIGKILL (to its process group)
    /// after that. Returns the exit status, or nil when it had to be killed or died of a signal.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, seconds: Double = 5) -> Int32? {
        if isRunning {
            kill(pid, signal)
            let deadline = Date().addingTimeInterval(seconds)
            while isRunning && Date() < deadline { usleep(20_000) }
        }
        if isRunning {
            kill(-pid, SIGKILL)  // its process group: the program and anything it started
            var s: Int32 = 0
            while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
            status = s
            return nil
        }
        guard let status, exitCode(status) >= 0 else { return nil }
        return exitCode(status)
    }
}
#endif
