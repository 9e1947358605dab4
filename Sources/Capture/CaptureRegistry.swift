#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// An interface the daemon reads, as captures name it.
public struct CaptureInterface: Sendable, Equatable {
    /// Its name in the daemon config (`interfaces[].name`).
    public var name: String
    /// The number the workers pass as `iface` for its frames.
    public var index: UInt16
    /// The workload behind it, if any.
    public var workload: String?

    /// An interface description.
    public init(name: String, index: UInt16, workload: String? = nil) {
        self.name = name
        self.index = index
        self.workload = workload
    }
}

/// The captures of one daemon, for the control API: start, list, stop, download and delete.
/// Thread-safe; every call takes one lock, which workers take only when the generation
/// moved (see ``CaptureWorker/poll(now:)``).
///
/// Files live in `directory/ID/worker-N.pcapng`, one per worker (see ``CaptureSession`` for
/// why); their total size is bounded by ``budget``.
public final class CaptureRegistry: Sendable {
    /// The capture directory.
    public let directory: String
    /// The byte budget for everything in the directory.
    public let budget: DiskBudget
    /// The number of workers.
    public let workerCount: Int
    /// The interfaces captures may name.
    public let interfaces: [CaptureInterface]
    /// Captures allowed to run at once (each costs every worker a filter run per frame).
    public let maxRunning: Int
    /// Captures kept (running or done, until deleted), those of earlier runs included.
    public let maxKept: Int
    let mailbox: CaptureMailbox
    let clock: @Sendable () -> UInt64
    let state = Mutex(State())

    /// One capture as the registry keeps it.
    struct Entry {
        var id: String
        var request: CaptureRequest
        var interfaceNames: [String]
        var startedAt: UInt64
        var deadline: UInt64
        var control: CaptureControl
        var sessions: [CaptureSession]
        var folder: String
        /// The files of a capture an earlier run wrote (no sessions), and their bytes.
        var previousFiles: [String] = []
        var previousBytes = 0

        /// Every file of the capture.
        var files: [String] { sessions.map(\.path) + previousFiles }
    }

    struct State: ~Copyable {
        var entries: [Entry] = []
        var nextNumber = 1
    }

    /// A registry writing under `directory` (created if missing) within `diskBudget` bytes, for
    /// `workers` worker threads reading `interfaces`, with at most `maxRunning` captures
    /// running and `maxKept` kept. Files already in the directory count against the budget,
    /// and the captures an earlier run left there (`cap-N` folders) are listed as done, so
    /// they can be downloaded and deleted (which gives their bytes back). `clock` gives the
    /// wall time in ns since the epoch (the frames' timebase), replaceable for tests.
    public init(directory: String, diskBudget: Int, workers: Int, interfaces: [CaptureInterface],
                maxRunning: Int = 8, maxKept: Int = 64,
                clock: @escaping @Sendable () -> UInt64 = CaptureRegistry.wallClock) throws(CaptureError) {
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw CaptureError.system(operation: "mkdir", path: directory, errno: errno)
        }
        self.directory = directory
        budget = DiskBudget(limit: diskBudget, alreadyUsed: Self.bytesUnder(directory))
        workerCount = max(workers, 1)
        self.interfaces = interfaces
        self.maxRunning = max(1, maxRunning)
        self.maxKept = max(1, maxKept)
        mailbox = CaptureMailbox(workers: workerCount)
        self.clock = clock
        let previous = Self.previousCaptures(in: directory)
        state.withLock { s in
            s.entries = previous
            let numbers = previous.compactMap { Int($0.id.dropFirst(4)) }
            s.nextNumber = (numbers.max() ?? 0) + 1
        }
    }

    /// The `cap-N` folders an earlier run left in `directory`, oldest number first, as done
    /// captures holding their `.pcapng` files.
    static func previousCaptures(in directory: String) -> [Entry] {
        var found: [(Int, Entry)] = []
        for name in Self.names(in: directory) where name.hasPrefix("cap-") {
            guard let n = Int(name.dropFirst(4)), n > 0, n < Int(Int32.max) else { continue }
            let folder = directory + "/" + name
            var st = stat()
            guard stat(folder, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            var files: [String] = []
            var bytes = 0
            for f in Self.names(in: folder).sorted() where f.hasSuffix(".pcapng") {
                var fs = stat()
                guard stat(folder + "/" + f, &fs) == 0, (fs.st_mode & S_IFMT) == S_IFREG else { continue }
                files.append(folder + "/" + f)
                bytes += Int(fs.st_size)
            }
            let control = CaptureControl()
            control.finish(.previousRun)
            var e = Entry(id: name, request: CaptureRequest(target: .interface("unknown (earlier run)")), interfaceNames: [],
                          startedAt: UInt64(max(0, st.st_mtim.tv_sec)) &* 1_000_000_000, deadline: .max,
                          control: control, sessions: [], folder: folder)
            e.previousFiles = files
            e.previousBytes = bytes
            found.append((n, e))
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The entries of a folder, without `.` and `..`.
    static func names(in path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    /// `CLOCK_REALTIME` in ns, the timebase of AF_PACKET frame timestamps.
    @Sendable public static func wallClock() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The handle worker `index` offers its frames to; call once per worker at start.
    public func worker(_ index: Int) -> CaptureWorker {
        precondition(index >= 0 && index < workerCount, "worker \(index) of \(workerCount)")
        return CaptureWorker(index: index, mailbox: mailbox)
    }

    /// Starts a capture: compiles the filter, resolves the target, creates each worker's file
    /// (header written, counted against the budget) and hands the sessions to the workers at
    /// their next batch.
    public func start(_ request: CaptureRequest) throws(CaptureError) -> CaptureInfo {
        guard request.snapLength > 0, request.snapLength <= 262_144 else {
            throw CaptureError.invalidRequest("snap length \(request.snapLength) is not in 1...262144")
        }
        guard request.limits.seconds >= 0, request.limits.seconds <= CaptureLimits.maxSeconds else {
            throw CaptureError.invalidRequest("duration \(request.limits.seconds) is not in 0...\(Int(CaptureLimits.maxSeconds)) seconds")
        }
        let filter: PacketFilter
        do { filter = try PacketFilter(request.filter, snapLength: request.snapLength) } catch { throw CaptureError.filter(error) }
        let targets: [CaptureInterface]
        switch request.target {
        case let .interface(name): targets = interfaces.filter { $0.name == name }
        case let .workload(name): targets = interfaces.filter { $0.workload == name }
        }
        guard !targets.isEmpty else {
            switch request.target {
            case let .interface(n), let .workload(n): throw CaptureError.unknownTarget(n)
            }
        }
        guard budget.usedBytes < budget.limit else {
            throw CaptureError.diskBudgetExceeded(used: budget.usedBytes, budget: budget.limit)
        }
        let now = clock()
        return try state.withLock { (s: inout State) throws(CaptureError) -> CaptureInfo in
            reap(&s)
            let running = s.entries.count(where: { $0.control.reason == nil })
            guard running < maxRunning else {
                throw CaptureError.tooManyCaptures("\(running) captures are running, the most allowed (captures.max_running); stop one first")
            }
            guard s.entries.count < maxKept else {
                throw CaptureError.tooManyCaptures("\(s.entries.count) captures are kept, the most allowed (captures.max_kept); delete one first")
            }
            // Ids are short and ordered; a folder left by an earlier run is skipped, not reused.
            var id = ""
            var folder = ""
            while true {
                id = "cap-\(s.nextNumber)"
                s.nextNumber += 1
                folder = directory + "/" + id
                if mkdir(folder, 0o750) == 0 { break }
                if errno != EEXIST { throw CaptureError.system(operation: "mkdir", path: folder, errno: errno) }
            }
            let control = CaptureControl()
            var sessions: [CaptureSession] = []
            do throws(CaptureError) {
                for w in 0..<workerCount {
                    sessions.append(try CaptureSession(
                        id: id, worker: w, filter: filter, snapLength: request.snapLength, limits: request.limits,
                        startedAt: now, interfaces: targets.map { ($0.index, $0.name) },
                        path: folder + "/worker-\(w).pcapng", control: control, budget: budget))
                }
            } catch {
                for session in sessions { session.close(); budget.release(session.reservedBytes.load(ordering: .relaxed)) }
                Self.removeFolder(folder, files: sessions.map(\.path))
                throw error
            }
            let entry = Entry(id: id, request: request, interfaceNames: targets.map(\.name), startedAt: now,
                              deadline: sessions[0].deadline, control: control, sessions: sessions, folder: folder)
            s.entries.append(entry)
            mailbox.lists.withLock { lists in for (w, session) in sessions.enumerated() { lists[w].append(session) } }
            mailbox.publish()
            return info(entry)
        }
    }

    /// Every capture, oldest first.
    public func list() -> [CaptureInfo] {
        state.withLock { s in
            reap(&s)
            return s.entries.map(info)
        }
    }

    /// One capture.
    public func info(id: String) throws(CaptureError) -> CaptureInfo {
        try state.withLock { (s: inout State) throws(CaptureError) -> CaptureInfo in
            reap(&s)
            guard let e = s.entries.first(where: { $0.id == id }) else { throw CaptureError.unknownCapture(id) }
            return info(e)
        }
    }

    /// Stops a capture (reason `stopped` unless it already ended); workers close their files
    /// at their next batch.
    @discardableResult
    public func stop(id: String) throws(CaptureError) -> CaptureInfo {
        try state.withLock { (s: inout State) throws(CaptureError) -> CaptureInfo in
            guard let e = s.entries.first(where: { $0.id == id }) else { throw CaptureError.unknownCapture(id) }
            e.control.finish(.stopped)
            reap(&s)
            return info(e)
        }
    }

    /// Stops a capture, waits up to `timeout` seconds for the workers to close its files,
    /// then removes them and gives their bytes back to the budget. Throws ``CaptureError/busy(_:)``
    /// (and keeps the capture) when a worker has not closed its file in time.
    public func delete(id: String, timeout: Double = 2) throws(CaptureError) {
        let until = clock() &+ UInt64(max(timeout, 0) * 1e9)
        while true {
            let removed = try state.withLock { (s: inout State) throws(CaptureError) -> Entry? in
                guard let i = s.entries.firstIndex(where: { $0.id == id }) else { throw CaptureError.unknownCapture(id) }
                s.entries[i].control.finish(.stopped)
                reap(&s)
                guard s.entries[i].sessions.allSatisfy(\.isClosed) else { return nil }
                return s.entries.remove(at: i)
            }
            if let e = removed {
                Self.removeFolder(e.folder, files: e.files)
                for session in e.sessions { budget.release(session.reservedBytes.load(ordering: .relaxed)) }
                budget.release(e.previousBytes)
                return
            }
            if clock() >= until { throw CaptureError.busy(id) }
            usleep(5_000)
        }
    }

    /// The capture as one pcapng file: the workers' files merged in timestamp order. Complete
    /// once ``CaptureInfo/closed``; for a running capture, what the workers have flushed so
    /// far (they flush every 200 ms from ``CaptureWorker/poll(now:)``).
    public func pcapng(id: String) throws(CaptureError) -> [UInt8] {
        let paths = try state.withLock { (s: inout State) throws(CaptureError) -> [String] in
            reap(&s)
            guard let e = s.entries.first(where: { $0.id == id }) else { throw CaptureError.unknownCapture(id) }
            return e.files
        }
        return try PcapngMerge.merge(paths: paths)
    }

    // MARK: - Internals

    /// Ends captures whose time passed, closes the files of ended captures no worker has
    /// taken yet (nobody else would), and drops closed sessions from the workers' lists.
    func reap(_ s: inout State) {
        let now = clock()
        var changed = false
        mailbox.lists.withLock { lists in
            for e in s.entries {
                if now >= e.deadline { e.control.finish(.timeLimit) }
                guard e.control.reason != nil else { continue }
                for session in e.sessions where !session.adopted { session.close() }
            }
            for w in lists.indices {
                let before = lists[w].count
                lists[w].removeAll { $0.isClosed }
                changed = changed || lists[w].count != before
            }
        }
        if changed { mailbox.publish() }
    }

    /// The API's view of an entry.
    func info(_ e: Entry) -> CaptureInfo {
        var c = CaptureCounters()
        for session in e.sessions {
            let k = session.counters
            c.seen &+= k.seen; c.matched &+= k.matched; c.written &+= k.written; c.bytes &+= k.bytes; c.fileBytes &+= k.fileBytes
        }
        c.fileBytes &+= UInt64(e.previousBytes)
        return CaptureInfo(id: e.id, target: e.request.target, interfaces: e.interfaceNames, filter: e.request.filter,
                           snapLength: e.request.snapLength, limits: e.request.limits, startedAt: e.startedAt,
                           state: e.control.reason.map { .done($0) } ?? .running,
                           closed: e.sessions.allSatisfy(\.isClosed), counters: c, directory: e.folder)
    }

    /// Deletes a capture's files and folder.
    static func removeFolder(_ folder: String, files: [String]) {
        for f in files { unlink(f) }
        rmdir(folder)
    }

    /// Bytes of the regular files under `path` (one level of folders, as captures are laid out).
    static func bytesUnder(_ path: String) -> Int {
        guard let dir = opendir(path) else { return 0 }
        defer { closedir(dir) }
        var total = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let full = path + "/" + name
            var st = stat()
            guard stat(full, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR { total += bytesUnder(full) } else { total += Int(st.st_size) }
        }
        return total
    }
}
