#if canImport(Glibc)
import Glibc

/// Starting programs from the supervisor and the daemon with posix_spawn: both keep their
/// signals blocked (the supervisor reads them from a signalfd, the daemon with sigwait), so every
/// program they start gets an empty signal mask and default dispositions back. (Foundation's
/// `Process` is not used: in the daemon, with those signals blocked, it failed to set up.)
public enum SupervisorSpawn {
    /// Starts `path` with `arguments` (argv[0] included) and `environment`; `dup` maps fds of
    /// this process onto fd numbers of the new one (everything else without `O_CLOEXEC` is
    /// inherited as is: stdin, stdout, stderr). Returns the pid, or the errno on failure.
    public static func spawn(_ path: String, _ arguments: [String], environment: [String],
                      dup: [(from: Int32, to: Int32)] = []) -> Result<pid_t, SpawnError> {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (from, to) in dup { posix_spawn_file_actions_adddup2(&actions, from, to) }
        let argv = arguments.map { strdup($0) }
        let envp = environment.map { strdup($0) }
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var cArgv = argv + [nil]
        var cEnvp = envp + [nil]
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, &cArgv, &cEnvp)
        guard rc == 0 else { return .failure(SpawnError(path: path, code: rc)) }
        return .success(pid)
    }

    /// Runs `path` with `arguments`, feeding `input` on its stdin; waits for it and returns its
    /// exit status (minus the signal when one ended it) and what it wrote on stdout and stderr.
    public static func run(_ path: String, _ arguments: [String], input: String) -> (status: Int32, output: String) {
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        // Pipes made and handed over under one lock: in the daemon several threads start
        // programs, and a pipe end caught by another thread's spawn before its close-on-exec
        // flag is set would keep that program's output open forever.
        pthread_mutex_lock(&spawnLock)
        guard cloexecPipe(&inPipe) == 0 else {
            pthread_mutex_unlock(&spawnLock)
            return (-1, "pipe: \(String(cString: strerror(errno)))")
        }
        guard cloexecPipe(&outPipe) == 0 else {
            close(inPipe[0]); close(inPipe[1])
            pthread_mutex_unlock(&spawnLock)
            return (-1, "pipe: \(String(cString: strerror(errno)))")
        }
        let started = spawn(path, arguments, environment: currentEnvironment(),
                            dup: [(inPipe[0], 0), (outPipe[1], 1), (outPipe[1], 2)])
        close(inPipe[0]); close(outPipe[1])
        pthread_mutex_unlock(&spawnLock)
        guard case .success(let pid) = started else {
            close(inPipe[1]); close(outPipe[0])
            if case .failure(let e) = started { return (-1, e.description) }
            return (-1, "")
        }
        // The batch is a few hundred bytes: it fits the pipe, so writing before reading cannot block.
        var text = input
        text.withUTF8 { b in
            var off = 0
            while off < b.count {
                let n = write(inPipe[1], b.baseAddress! + off, b.count - off)
                if n < 0 { if errno == EINTR { continue }; break }
                off += n
            }
        }
        close(inPipe[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(outPipe[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        close(outPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (waitStatusCode(status), String(decoding: output, as: UTF8.self))
    }

    /// This process's environment as `NAME=value` strings.
    public static func currentEnvironment() -> [String] {
        var out: [String] = []
        var p = environ
        while let s = p.pointee { out.append(String(cString: s)); p += 1 }
        return out
    }

    /// The first executable `name` in `$PATH` or the usual sbin folders (iproute2 installs
    /// `tc` in /usr/sbin or /sbin, often not in a service's PATH).
    public static func find(_ name: String) -> String? {
        let path = (getenv("PATH").map { String(cString: $0) } ?? "")
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return dirs.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }
}

/// Held while `SupervisorSpawn.run` makes its pipes and starts its program.
nonisolated(unsafe) var spawnLock = pthread_mutex_t()

/// pipe(2) with both ends close-on-exec (Glibc's module does not export pipe2). Programs
/// started elsewhere while both calls run would inherit the pipe: `SupervisorSpawn.run` holds
/// `spawnLock` around them, and the supervisor starts its daemon from its one main thread.
public func cloexecPipe(_ fds: inout [Int32]) -> Int32 {
    guard pipe(&fds) == 0 else { return -1 }
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    return 0
}

/// A wait status as an exit code, or minus the signal that ended the process.
public func waitStatusCode(_ status: Int32) -> Int32 { status & 0x7f == 0 ? (status >> 8) & 0xff : -(status & 0x7f) }

/// posix_spawn failed.
public struct SpawnError: Error, CustomStringConvertible {
    public let path: String
    public let code: Int32
    public var description: String { "\(path): \(String(cString: strerror(code)))" }
}
#endif
