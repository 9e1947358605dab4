import Capture
import Foundation
import Synchronization
import XCTest

/// A clock the test moves by hand.
final class TestClock: Sendable {
    let now = Atomic<UInt64>(0)
    var read: @Sendable () -> UInt64 { { [self] in now.load(ordering: .relaxed) } }
}

/// The registry and its per-worker sessions, driven as the daemon's workers would drive them,
/// checked with tcpdump and tshark.
final class CaptureRegistryTests: XCTestCase {
    let interfaces = [CaptureInterface(name: "web", index: 0, workload: "web"),
                      CaptureInterface(name: "mirror", index: 1)]

    /// Offers every frame to the workers in turn (frame i to worker i % n, interface `iface`),
    /// polling each worker before its frame as a worker polls per batch.
    func feed(_ frames: [Frame], _ workers: [CaptureWorker], iface: UInt16 = 0, clock: TestClock? = nil) {
        for (i, f) in frames.enumerated() {
            clock?.now.store(f.timestamp, ordering: .relaxed)
            let w = workers[i % workers.count]
            w.poll(now: f.timestamp)
            f.bytes.withUnsafeBytes { w.offer(frame: $0, wireLength: f.wireLength, timestamp: f.timestamp, iface: iface) }
        }
    }

    func download(_ registry: CaptureRegistry, _ id: String, to path: String) throws {
        let bytes = try registry.pcapng(id: id)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Two workers each write their share; the download is one pcapng in timestamp order
    /// holding exactly what tcpdump selects with the same expression.
    func testTwoWorkersMergeToTcpdumpSelection() throws {
        let dir = try Tools.temporaryDirectory(self)
        let clock = TestClock()
        let frames = try readFrames(Tools.mixed)
        clock.now.store(frames[0].timestamp, ordering: .relaxed)
        let registry = try CaptureRegistry(directory: dir + "/captures", diskBudget: 10 << 20, workers: 2,
                                           interfaces: interfaces, clock: clock.read)
        let workers = [registry.worker(0), registry.worker(1)]
        let started = try registry.start(CaptureRequest(target: .workload("web"), filter: "tcp port 80"))
        XCTAssertEqual(started.state, .running)
        XCTAssertEqual(started.interfaces, ["web"])
        feed(frames, workers, clock: clock)
        // Frames of another interface are not this capture's.
        feed(Array(frames.prefix(20)), workers, iface: 1, clock: clock)
        let stopped = try registry.stop(id: started.id)
        XCTAssertEqual(stopped.state, .done(.stopped))
        for w in workers { w.poll(now: clock.now.load(ordering: .relaxed)) }
        let info = try registry.info(id: started.id)
        XCTAssertTrue(info.closed)
        XCTAssertEqual(info.counters.seen, UInt64(frames.count))

        let out = dir + "/merged.pcapng", reference = dir + "/reference.pcap"
        try download(registry, started.id, to: out)
        // Outside the assertion: a missing tcpdump must skip, not fail.
        let tcpdump = try Tools.run("tcpdump", ["-r", Tools.mixed, "-w", reference, "tcp port 80"])
        XCTAssertEqual(tcpdump.status, 0)
        let expected = try Tools.frames(reference)
        XCTAssertEqual(try Tools.frames(out), expected)
        XCTAssertEqual(info.counters.written, UInt64(expected.count))
        XCTAssertEqual(info.counters.matched, UInt64(expected.count))
        let names = try Tools.run("tshark", ["-r", out, "-T", "fields", "-e", "frame.interface_name"])
        XCTAssertEqual(Set(names.out.split(separator: "\n")), ["web"])

        try registry.delete(id: started.id)
        XCTAssertFalse(FileManager.default.fileExists(atPath: info.directory))
        XCTAssertEqual(registry.budget.usedBytes, 0)
        XCTAssertTrue(registry.list().isEmpty)
        XCTAssertThrowsError(try registry.pcapng(id: started.id))
    }

    /// Packet, byte and time limits end the capture with their reason; the file holds what
    /// the limit allowed.
    func testLimitsStopWithTheirReason() throws {
        let dir = try Tools.temporaryDirectory(self)
        let frames = try readFrames(Tools.mixed)
        let clock = TestClock()
        clock.now.store(frames[0].timestamp, ordering: .relaxed)
        let registry = try CaptureRegistry(directory: dir, diskBudget: 10 << 20, workers: 2, interfaces: interfaces, clock: clock.read)
        let workers = [registry.worker(0), registry.worker(1)]

        let byPackets = try registry.start(CaptureRequest(target: .interface("web"), filter: "tcp", limits: CaptureLimits(packets: 25)))
        let byBytes = try registry.start(CaptureRequest(target: .interface("web"), filter: "udp", snapLength: 100,
                                                        limits: CaptureLimits(bytes: 1000)))
        let byTime = try registry.start(CaptureRequest(target: .interface("web"), limits: CaptureLimits(seconds: 0.5)))
        feed(frames, workers, clock: clock)
        for w in workers { w.poll(now: clock.now.load(ordering: .relaxed)) }

        let p = try registry.info(id: byPackets.id)
        XCTAssertEqual(p.state, .done(.packetLimit))
        XCTAssertEqual(p.counters.written, 25)
        XCTAssertTrue(p.closed)
        try download(registry, p.id, to: dir + "/p.pcapng")
        XCTAssertEqual(try Tools.frames(dir + "/p.pcapng").count, 25)

        let b = try registry.info(id: byBytes.id)
        XCTAssertEqual(b.state, .done(.byteLimit))
        XCTAssertLessThanOrEqual(b.counters.bytes, 1000)
        XCTAssertGreaterThan(b.counters.bytes, 800) // stopped at the frame that would pass it
        try download(registry, b.id, to: dir + "/b.pcapng")
        let caplens = try Tools.frames(dir + "/b.pcapng").map { Int($0.split(separator: " ")[1])! }
        XCTAssertEqual(UInt64(caplens.reduce(0, +)), b.counters.bytes)
        XCTAssertTrue(caplens.allSatisfy { $0 <= 100 })

        let t = try registry.info(id: byTime.id)
        XCTAssertEqual(t.state, .done(.timeLimit))
        let within = frames.filter { $0.timestamp < frames[0].timestamp + 500_000_000 }.count
        XCTAssertEqual(t.counters.written, UInt64(within))
        XCTAssertLessThan(within, frames.count)

        // With no traffic, the registry's clock alone ends a timed capture.
        let idle = try registry.start(CaptureRequest(target: .interface("mirror"), limits: CaptureLimits(seconds: 1)))
        clock.now.wrappingAdd(2_000_000_000, ordering: .relaxed)
        XCTAssertEqual(try registry.info(id: idle.id).state, .done(.timeLimit))
    }

    /// A capture that would take the directory past its budget stops with `disk budget`, and
    /// the files stay within it.
    func testDiskBudgetStopsCapture() throws {
        let dir = try Tools.temporaryDirectory(self)
        let frames = try readFrames(Tools.mixed)
        let registry = try CaptureRegistry(directory: dir, diskBudget: 40_000, workers: 2, interfaces: interfaces)
        let workers = [registry.worker(0), registry.worker(1)]
        let c = try registry.start(CaptureRequest(target: .interface("web")))
        feed(frames, workers)
        for w in workers { w.poll(now: CaptureRegistry.wallClock()) }
        let info = try registry.info(id: c.id)
        XCTAssertEqual(info.state, .done(.diskBudget))
        XCTAssertTrue(info.closed)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: info.directory)
            .map { try FileManager.default.attributesOfItem(atPath: info.directory + "/" + $0)[.size] as! Int }.reduce(0, +)
        XCTAssertLessThanOrEqual(onDisk, 40_000)
        XCTAssertEqual(onDisk, registry.budget.usedBytes)
        XCTAssertEqual(Int(info.counters.fileBytes), onDisk)
        try download(registry, c.id, to: dir + "/budget.pcapng")
        XCTAssertEqual(try Tools.frames(dir + "/budget.pcapng").count, Int(info.counters.written))
        // A full directory refuses new captures.
        _ = registry.budget.reserve(40_000 - registry.budget.usedBytes)
        XCTAssertThrowsError(try registry.start(CaptureRequest(target: .interface("web")))) { e in
            guard case CaptureError.diskBudgetExceeded = e else { return XCTFail("\(e)") }
        }
    }

    /// Bad requests name what is wrong; a bad filter carries libpcap's message.
    func testBadRequests() throws {
        let dir = try Tools.temporaryDirectory(self)
        let registry = try CaptureRegistry(directory: dir, diskBudget: 1 << 20, workers: 1, interfaces: interfaces)
        XCTAssertThrowsError(try registry.start(CaptureRequest(target: .interface("web"), filter: "port 99999"))) { e in
            guard case let CaptureError.filter(f) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(f.message.contains("99999"), f.message)
        }
        XCTAssertThrowsError(try registry.start(CaptureRequest(target: .workload("db")))) { e in
            XCTAssertEqual(e as? CaptureError, .unknownTarget("db"))
        }
        XCTAssertThrowsError(try registry.start(CaptureRequest(target: .interface("web"), snapLength: 0)))
        XCTAssertTrue(registry.list().isEmpty)
        // A capture no worker took yet is closed by the registry itself, so delete does not wait.
        let c = try registry.start(CaptureRequest(target: .interface("web")))
        try registry.delete(id: c.id, timeout: 0)
        XCTAssertEqual(registry.budget.usedBytes, 0)
    }

    /// Limits on running and kept captures; a time limit too large for a deadline is refused;
    /// a new registry over the same directory lists the earlier captures, and deleting one
    /// gives its bytes back to the budget.
    func testCaptureCountLimitsAndCapturesOfAnEarlierRegistry() throws {
        let dir = try Tools.temporaryDirectory(self)
        let registry = try CaptureRegistry(directory: dir, diskBudget: 1 << 20, workers: 2, interfaces: interfaces,
                                           maxRunning: 1, maxKept: 2)
        XCTAssertThrowsError(try registry.start(CaptureRequest(target: .interface("web"), limits: CaptureLimits(seconds: 1e11)))) { e in
            guard case CaptureError.invalidRequest = e else { return XCTFail("\(e)") }
        }
        let a = try registry.start(CaptureRequest(target: .interface("web")))
        XCTAssertThrowsError(try registry.start(CaptureRequest(target: .interface("web")))) { e in
            guard case let CaptureError.tooManyCaptures(why) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(why.contains("max_running"), why)
        }
        try registry.stop(id: a.id)
        _ = try registry.start(CaptureRequest(target: .interface("mirror")))
        try registry.stop(id: "cap-2")
        XCTAssertThrowsError(try registry.start(CaptureRequest(target: .interface("web")))) { e in
            guard case let CaptureError.tooManyCaptures(why) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(why.contains("max_kept"), why)
        }
        let used = registry.budget.usedBytes
        XCTAssertGreaterThan(used, 0)

        let again = try CaptureRegistry(directory: dir, diskBudget: 1 << 20, workers: 2, interfaces: interfaces)
        XCTAssertEqual(again.budget.usedBytes, used, "the earlier files count")
        XCTAssertEqual(again.list().map(\.id), ["cap-1", "cap-2"])
        XCTAssertEqual(again.list().first?.state, .done(.previousRun))
        XCTAssertEqual(try again.pcapng(id: "cap-1").count > 0, true)
        try again.delete(id: "cap-1", timeout: 0)
        try again.delete(id: "cap-2", timeout: 0)
        XCTAssertEqual(again.budget.usedBytes, 0)
        XCTAssertEqual(try again.start(CaptureRequest(target: .interface("web"))).id, "cap-3")
    }

    /// Per-frame cost of `offer` for a capture whose filter matches nothing (printed, not asserted).
    func testOfferCostForNonMatchingFilter() throws {
        let dir = try Tools.temporaryDirectory(self)
        let frames = try readFrames(Tools.mixed)
        let registry = try CaptureRegistry(directory: dir, diskBudget: 1 << 20, workers: 1, interfaces: interfaces)
        let w = registry.worker(0)
        let idleRounds = 2000
        func measure() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<idleRounds {
                for f in frames {
                    f.bytes.withUnsafeBytes { w.offer(frame: $0, wireLength: f.wireLength, timestamp: f.timestamp, iface: 0) }
                }
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(idleRounds * frames.count)
        }
        let none = measure()
        _ = try registry.start(CaptureRequest(target: .interface("web"), filter: "tcp port 4444 and host 10.9.9.9"))
        w.poll(now: frames[0].timestamp)
        let nonMatching = measure()
        XCTAssertEqual(try registry.list()[0].counters.written, 0)
        print(String(format: "CAPTURE-OFFER: no capture %.1f ns/frame, non-matching filter %.1f ns/frame (incl. test loop)", none, nonMatching))
    }
}
