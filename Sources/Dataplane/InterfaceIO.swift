#if os(Linux)
import DPDKIO
import Foundation
import Glibc
import PacketIO
import Synchronization

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

/// What the control side hands a worker at run time: one worker's sockets on a new interface,
/// or the interface number to close.
enum InterfaceOp: @unchecked Sendable {
    case addPair(OwnedBox<PairIO>)
    case addTap(OwnedBox<TapIO>)
    case remove(UInt16)
}

/// Moves a non-copyable value from the thread that opened it to the worker that takes it.
final class OwnedBox<Value: ~Copyable>: @unchecked Sendable {
    private var value: Value?
    init(_ v: consuming Value) { value = consume v }
    func take() -> Value? { value.take() }
}

/// One worker's mailbox of interface changes: the control side appends and bumps the
/// generation; the worker compares the generation (one atomic load per batch, as for
/// policies) and only when it moved takes the list under the lock.
final class InterfaceInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var ops: [InterfaceOp] = []
    private let posted = Atomic<UInt64>(0)
    private let applied = Atomic<UInt64>(0)

    /// The generation of the last change posted.
    var generation: UInt64 { posted.load(ordering: .acquiring) }

    /// Hands `op` to the worker; the generation it will acknowledge.
    @discardableResult
    func post(_ op: InterfaceOp) -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        ops.append(op)
        return posted.add(1, ordering: .releasing).newValue
    }

    func take() -> [InterfaceOp] {
        lock.lock(); defer { lock.unlock() }
        let o = ops
        ops = []
        return o
    }

    func acknowledge(_ generation: UInt64) { applied.store(generation, ordering: .releasing) }

    /// Waits until the worker took generation `g` (its sockets are open in its loop, or closed).
    func waitApplied(_ g: UInt64, timeoutMs: Int) -> Bool {
        var waited = 0
        while applied.load(ordering: .acquiring) < g {
            guard waited < timeoutMs * 5 else { return false }
            usleep(200); waited += 1
        }
        return true
    }
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
    /// Interfaces attached and detached at run time reach the worker here (Daemon+Attach.swift).
    let inbox = InterfaceInbox()
    /// The config's pairs and taps come first and are never detached; room for `dynamic` more
    /// of each kind follows them.
    private(set) var staticPairs = 0
    private(set) var staticTaps = 0
    private let pairCapacity: Int
    private let tapCapacity: Int

    init(pairCapacity: Int, tapCapacity: Int, dpdkPairCapacity: Int = 0, dpdkTapCapacity: Int = 0, dynamic: Int = 0) {
        dpdkPairs = .allocate(capacity: max(1, dpdkPairCapacity))
        dpdkTaps = .allocate(capacity: max(1, dpdkTapCapacity))
        self.pairCapacity = pairCapacity + dynamic
        self.tapCapacity = tapCapacity + dynamic
        pairs = .allocate(capacity: max(1, pairCapacity + dynamic))
        taps = .allocate(capacity: max(1, tapCapacity + dynamic))
        fds = .allocate(capacity: max(1, 2 * (pairCapacity + dynamic) + tapCapacity + dynamic))
    }

    /// Marks what is open now as the config's (never detached).
    func sealStatic() { (staticPairs, staticTaps) = (pairCount, tapCount) }

    /// Takes the attachments and detachments posted since the last call (worker thread only,
    /// between batches); returns whether anything changed.
    func applyInbox(_ generation: UInt64) {
        for op in inbox.take() {
            switch op {
            case .addPair(let box):
                if let p = box.take() {
                    if pairCount < pairCapacity { (pairs + pairCount).initialize(to: p); pairCount += 1 }
                }
            case .addTap(let box):
                if let t = box.take() {
                    if tapCount < tapCapacity { (taps + tapCount).initialize(to: t); tapCount += 1 }
                }
            case .remove(let iface):
                var i = staticPairs
                while i < pairCount {
                    if pairs[i].iface == iface {
                        (pairs + i).deinitialize(count: 1)   // closes its sockets
                        pairCount -= 1
                        if i != pairCount { (pairs + i).initialize(to: (pairs + pairCount).move()) }
                    } else { i += 1 }
                }
                i = staticTaps
                while i < tapCount {
                    if taps[i].iface == iface {
                        (taps + i).deinitialize(count: 1)
                        tapCount -= 1
                        if i != tapCount { (taps + i).initialize(to: (taps + tapCount).move()) }
                    } else { i += 1 }
                }
            }
        }
        fdCount = 0
        for i in 0..<pairCount {
            fds[fdCount] = pollfd(fd: pairs[i].ports.a.descriptor, events: Int16(POLLIN), revents: 0)
            fds[fdCount + 1] = pollfd(fd: pairs[i].ports.b.descriptor, events: Int16(POLLIN), revents: 0)
            fdCount += 2
        }
        for i in 0..<tapCount {
            fds[fdCount] = pollfd(fd: taps[i].ring.fd, events: Int16(POLLIN), revents: 0)
            fdCount += 1
        }
        inbox.acknowledge(generation)
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
