#if os(Linux)
import DPDKIO
import Glibc
import PacketIO

/// One worker's ports on an inline pair (PacketIO's `PortPair`, as `InlinePair` uses).
struct PairIO: ~Copyable {
    var ports: PortPair<AFPacketInlinePort>
    /// The interface number flows on this pair carry (the same for both sides).
    let iface: UInt16
}

/// One worker's queues on a DPDK inline pair (`io: dpdk`).
struct DPDKPairIO: ~Copyable {
    var ports: PortPair<DPDKPort>
    let iface: UInt16
    /// The pair's place among the config's inline interfaces (the stop summary's order).
    let slot: Int
}

/// One worker's queue on a DPDK tap port (`io: dpdk`): inspected, never forwarded.
struct DPDKTapIO: ~Copyable {
    var port: DPDKPort
    let iface: UInt16
    /// The tap's place among the config's tap interfaces (the stop summary's order).
    let slot: Int
}

/// One worker's ring on a tap interface.
struct TapIO: ~Copyable {
    var ring: AFPacketRing
    let iface: UInt16
    var received: UInt64 = 0
}

/// The sockets one worker owns, opened on the main thread in worker order (so every
/// interface's fanout group lists the workers in the same order, and both directions of a
/// flow reach the same worker), then handed to the worker's thread.
final class WorkerIO: @unchecked Sendable {
    let pairs: UnsafeMutablePointer<PairIO>
    private(set) var pairCount = 0
    let taps: UnsafeMutablePointer<TapIO>
    private(set) var tapCount = 0
    /// Every socket's fd, for poll().
    let fds: UnsafeMutablePointer<pollfd>
    private(set) var fdCount = 0
    /// `io: dpdk`'s pairs: polled, not waited on (DPDK queues have no descriptor).
    let dpdkPairs: UnsafeMutablePointer<DPDKPairIO>
    private(set) var dpdkPairCount = 0
    let dpdkTaps: UnsafeMutablePointer<DPDKTapIO>
    private(set) var dpdkTapCount = 0
    /// Whether any DPDK queue is here (then the worker polls instead of waiting).
    var hasDPDK: Bool { dpdkPairCount + dpdkTapCount > 0 }

    init(pairCapacity: Int, tapCapacity: Int, dpdkPairCapacity: Int = 0, dpdkTapCapacity: Int = 0) {
        dpdkPairs = .allocate(capacity: max(1, dpdkPairCapacity))
        dpdkTaps = .allocate(capacity: max(1, dpdkTapCapacity))
        pairs = .allocate(capacity: max(1, pairCapacity))
        taps = .allocate(capacity: max(1, tapCapacity))
        fds = .allocate(capacity: max(1, 2 * pairCapacity + tapCapacity))
    }

    func add(pair: consuming PairIO) {
        fds[fdCount] = pollfd(fd: pair.ports.a.descriptor, events: Int16(POLLIN), revents: 0)
        fds[fdCount + 1] = pollfd(fd: pair.ports.b.descriptor, events: Int16(POLLIN), revents: 0)
        fdCount += 2
        (pairs + pairCount).initialize(to: pair)
        pairCount += 1
    }

    func add(dpdkPair: consuming DPDKPairIO) {
        (dpdkPairs + dpdkPairCount).initialize(to: dpdkPair)
        dpdkPairCount += 1
    }

    func add(dpdkTap: consuming DPDKTapIO) {
        (dpdkTaps + dpdkTapCount).initialize(to: dpdkTap)
        dpdkTapCount += 1
    }

    func add(tap: consuming TapIO) {
        fds[fdCount] = pollfd(fd: tap.ring.fd, events: Int16(POLLIN), revents: 0)
        fdCount += 1
        (taps + tapCount).initialize(to: tap)
        tapCount += 1
    }

    /// Waits up to `ms` for any socket to have frames; returns the realtime clock when it woke,
    /// so frames that arrived while the worker was idle are not counted late (`fail_after_ms`
    /// measures time the worker kept a frame waiting, not time the link was quiet).
    func wait(ms: Int32) -> UInt64 {
        if hasDPDK {
            // DPDK queues cannot be waited on: look at the sockets without waiting and nap
            // 20 µs, so an idle DPDK worker neither sleeps through traffic nor spins a shared CPU.
            _ = poll(fds, nfds_t(fdCount), 0)
            var ts = timespec(tv_sec: 0, tv_nsec: 20_000)
            nanosleep(&ts, nil)
            return realtimeNanos()
        }
        _ = poll(fds, nfds_t(fdCount), ms)
        return realtimeNanos()
    }

    deinit {
        pairs.deinitialize(count: pairCount)
        dpdkPairs.deinitialize(count: dpdkPairCount)
        dpdkPairs.deallocate()
        dpdkTaps.deinitialize(count: dpdkTapCount)
        dpdkTaps.deallocate()
        taps.deinitialize(count: tapCount)
        pairs.deallocate(); taps.deallocate(); fds.deallocate()
    }
}
#endif
