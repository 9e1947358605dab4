import Engine
import Foundation
import L7
import PacketIO
import Sensors
import SluiceConfig
#if canImport(Glibc)
import Glibc
#endif

/// What one replay worker hands back to the thread that merges the summary.
struct ReplayShare: @unchecked Sendable {
    var stats = EngineStats()
    var l7 = L7Counters()
    var sensors = SensorCounters()
    var exhaustion: [UInt64] = []
    var packets = 0
    var cpuSeconds = 0.0
    var error: Error?
}

/// CPU time the calling thread has used, in seconds.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Slots the worker threads write their share into, one each, read after every thread ended.
final class ReplayShares: @unchecked Sendable {
    let slots: UnsafeMutablePointer<ReplayShare>
    let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: ReplayShare(), count: count)
    }
    deinit { slots.deinitialize(count: count); slots.deallocate() }
}

extension ReplayCommand {
    /// `--workers N`: N threads, each with its own pipeline (flow table, L7 stage, sensor
    /// scratch and scanners), each reading the capture itself and processing the frames the
    /// fanout hash gives it (the others only advance its clock). Reading the file N times
    /// costs little next to inspection (libpcap hands out frames from its buffer) and needs no
    /// hand-off between threads. Worker 0 writes its EVE records to `fd`; the others write
    /// to unlinked temporary files appended after it, so the output is one file (records
    /// grouped by worker, each worker's in order). Returns the merged summary and the
    /// capture's damage, if any.
    func inspectParallel(settings: SluiceSettings, fd: Int32, sensorSet: SensorSet?) throws -> (String, String?) {
        let n = workers
        var fds: [Int32] = [fd]
        defer { for f in fds.dropFirst() where f >= 0 { close(f) } }
        for _ in 1..<n {
            guard fd >= 0 else { fds.append(-1); continue }
            var template = Array((NSTemporaryDirectory() + "/sluice-replay-eve.XXXXXX").utf8CString)
            let t = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard t >= 0 else { throw RuntimeError(.cantCreate, "temporary EVE file: \(String(cString: strerror(errno)))") }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            fds.append(t)
        }
        let shares = ReplayShares(count: n)
        let group = DispatchGroup()
        // Every worker is built (streams opened, pools allocated) before any starts, so the
        // processed time and each worker's CPU time cover the replay only, as with one worker.
        let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
        func releaseWorkers() {
            for _ in 1..<n { ready.wait() }
            for _ in 1..<n { go.signal() }
        }
        let (file, filter, json) = (self.file, self.filter, self.json)
        let types = try typeFilter()
        for i in 1..<n {
            group.enter()
            let eveFD = fds[i]
            let thread = Thread {
                defer { group.leave() }
                var started = false
                do {
                    var source = try openCapture(file, filter: filter)
                    let l7 = L7Stage(config: settings.l7, eveFD: eveFD, sensors: try makeSensorEngine(sensorSet, settings))
                    var worker = Worker(config: settings.engine, stage: l7, eveFD: eveFD)
                    worker.eve?.eventTypes = types
                    worker.stage.eve?.eventTypes = types
                    var fanout = ReplayFanout(workers: n)
                    ready.signal()
                    started = true
                    go.wait()
                    let cpuStart = threadCPUSeconds()
                    let packets: Int
                    do { packets = try Replay.run(&source, through: &worker, share: i, of: &fanout) } catch {
                        throw RuntimeError(.dataError, "\(error)")
                    }
                    worker.shutdown()
                    shares.slots[i] = ReplayShare(stats: worker.stats(topTalkers: Int.max), l7: worker.stage.counters,
                                                  sensors: worker.stage.sensors.counters,
                                                  exhaustion: worker.stage.parserExhaustion, packets: packets,
                                                  cpuSeconds: threadCPUSeconds() - cpuStart)
                } catch {
                    shares.slots[i].error = error
                    if !started { ready.signal() }
                }
            }
            thread.name = "sluice-replay-\(i)"
            thread.stackSize = 8 << 20
            thread.start()
        }
        // Worker 0 on this thread.
        func orRelease<T: ~Copyable>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch {
                releaseWorkers()
                group.wait()
                throw error
            }
        }
        var source = try orRelease { try openCapture(file, filter: filter) }
        let l7 = L7Stage(config: settings.l7, eveFD: fd, sensors: try orRelease { try makeSensorEngine(sensorSet, settings) })
        var worker = Worker(config: settings.engine, stage: l7, eveFD: fd)
        worker.eve?.eventTypes = types
        worker.stage.eve?.eventTypes = types
        var fanout = ReplayFanout(workers: n)
        releaseWorkers()
        let start = monotonicSeconds(), cpu0 = threadCPUSeconds()
        var packets: Int
        do { packets = try Replay.run(&source, through: &worker, share: 0, of: &fanout) } catch {
            group.wait()
            throw RuntimeError(.dataError, error.description)
        }
        worker.shutdown()
        var cpu = [threadCPUSeconds() - cpu0]
        group.wait()
        let wall = monotonicSeconds() - start
        var stats = worker.stats(topTalkers: Int.max)
        for i in 1..<n {
            let s = shares.slots[i]
            if let e = s.error { throw e }
            stats.add(s.stats, keep: Int.max)
            worker.stage.absorb(counters: s.l7, sensors: s.sensors, parserExhaustion: s.exhaustion)
            packets += s.packets
            cpu.append(s.cpuSeconds)
        }
        stats.add(EngineStats(), keep: 10)
        // The other workers' records follow worker 0's.
        if fd >= 0 {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            for f in fds.dropFirst() {
                _ = lseek(f, 0, SEEK_SET)
                while true {
                    let got = buffer.withUnsafeMutableBytes { read(f, $0.baseAddress!, $0.count) }
                    guard got > 0 else { break }
                    var done = 0
                    while done < got {
                        let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, got - done) }
                        guard w > 0 else { throw RuntimeError(.osError, "EVE output: \(String(cString: strerror(errno)))") }
                        done += w
                    }
                }
            }
        }
        var report = ReplayReport(stats, source: file, packets: packets, wallSeconds: wall, l7: worker.stage)
        report.workerCPUSeconds = cpu
        let cpuText = cpu.map { String(format: "%.3f", $0) }.joined(separator: " ")
        let summary = json
            ? report.json()
            : Summary.render(stats, source: file, packets: packets, wallSeconds: wall)
                + "  workers      \(n) (flows split by a symmetric hash of the addresses; CPU seconds per worker \(cpuText))\n"
                + worker.stage.summaryLines() + worker.stage.sensorSummaryLines()
        return (summary, source.damage)
    }
}
