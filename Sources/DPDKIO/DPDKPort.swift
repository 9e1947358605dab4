#if os(Linux)
import CDPDKShim
import Glibc
import PacketIO

/// One RX/TX queue pair of a DPDK port, as the packet path uses any port (PacketIO's
/// `PacketPort`, which AF_PACKET ports implement too): each worker owns one queue of each
/// port, so nothing is shared or locked.
///
/// Received mbufs stay held (in a preallocated array) until `release()`; a frame forwarded
/// out of another DPDK port takes one more reference on its mbuf (the transmitting driver
/// frees that one, `release()` the receiver's), so an mbuf is neither freed twice nor reused
/// while a driver still sends it. Nothing is allocated per packet; resets are built in mbufs
/// from the pool. DPDK ports are polled: `descriptor` is -1 and callers spin instead of poll().
public struct DPDKPort: PacketPort, ~Copyable {
    /// Received mbufs a port holds at most before `release()`.
    public static let heldCapacity = 1024
    /// mbufs asked of the driver per receive burst.
    public static let burst = 32
    /// mbufs queued for transmission before a flush is forced.
    public static let transmitCapacity = 256

    /// The DPDK port id.
    public let port: UInt16
    /// This worker's queue on it.
    public let queue: UInt16
    @usableFromInline let pool: UnsafeMutableRawPointer
    @usableFromInline let held: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    @usableFromInline var heldCount = 0
    /// The first held mbuf not yet handed out by `receive()`.
    @usableFromInline var nextIndex = 0
    @usableFromInline let pending: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    @usableFromInline var pendingCount = 0
    @usableFromInline var burstTime: UInt64 = 0
    @usableFromInline var counters = AFPacketStatistics()
    /// Queue 0 reports the port's own counters (they are per port, not per queue).
    let readsPortCounters: Bool
    /// Nanoseconds per unit of the driver's RX timestamp (net_pcap: 1000, microseconds), or 0
    /// to ignore it and stamp frames with the realtime clock: the unit is the driver's own
    /// (NIC clock ticks on hardware), so it is used only where it is known.
    public var driverTimestampScale: UInt64 = 0

    /// Queue `queue` of the started port `port`, receiving into `pool`.
    public init(port: UInt16, queue: UInt16, pool: DPDKMempool) {
        self.port = port
        self.queue = queue
        self.pool = pool.pointer
        held = .allocate(capacity: Self.heldCapacity)
        pending = .allocate(capacity: Self.transmitCapacity)
        readsPortCounters = queue == 0
    }

    deinit {
        if pendingCount > 0 { sluice_dpdk_mbuf_free_bulk(pending, UInt32(pendingCount)) }
        if heldCount > 0 { sluice_dpdk_mbuf_free_bulk(held, UInt32(heldCount)) }
        held.deallocate()
        pending.deallocate()
    }

    /// Configures and starts the port called `name` with `queues` queue pairs of `ringSize`
    /// descriptors (symmetric RSS across them where the driver hashes); returns its id.
    public static func start(named name: String, queues: Int, ringSize: Int, pool: DPDKMempool) throws(DPDKError) -> UInt16 {
        let id = try DPDKEAL.port(named: name)
        guard queues > 0, queues <= Int(UInt16.max), ringSize > 0, ringSize <= Int(UInt16.max) else {
            throw DPDKError("DPDK: port \(name): queues and ring_size must be between 1 and 65535", code: EINVAL)
        }
        var stage: UnsafePointer<CChar>?
        let rc = sluice_dpdk_port_start(id, UInt16(queues), UInt16(ringSize), pool.pointer, &stage)
        guard rc == 0 else {
            let step = stage.map { String(cString: $0) } ?? "start"
            var text = "DPDK: port \(name): \(step) failed: \(String(cString: strerror(-rc)))"
            if step == "queues" { text += " (the driver has fewer queues than the \(queues) workers; for a vdev add queues=N or qpairs=N to its --vdev)" }
            if -rc == ENOMEM || -rc == ENOBUFS { text += " (too few mbufs for the rings: raise dpdk.mbufs)" }
            throw DPDKError(text, code: -rc)
        }
        return id
    }

    /// The most queue pairs the port called `name` offers (a vdev: as many as its arguments
    /// give it, net_pcap one per rx_pcap, net_af_packet `qpairs`).
    public static func maximumQueues(named name: String) throws(DPDKError) -> Int {
        let id = try DPDKEAL.port(named: name)
        let n = sluice_dpdk_port_max_queues(id)
        guard n > 0 else { throw DPDKError("DPDK: port \(name): no queues (\(String(cString: strerror(-n))))", code: -n) }
        return Int(n)
    }

    @inlinable static func realtimeNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The next received frame: from the held burst, or a new burst when it is used up.
    /// nil when the driver has none ready or `heldCapacity` frames await `release()`.
    @inlinable public mutating func receive() -> AFPacketFrame? {
        if nextIndex == heldCount {
            let room = Self.heldCapacity - heldCount
            guard room > 0 else { return nil }
            let n = Int(sluice_dpdk_rx_burst(port, queue, held + heldCount, UInt16(min(room, Self.burst))))
            guard n > 0 else { return nil }
            heldCount += n
            // One clock read per burst for drivers without an RX timestamp.
            burstTime = Self.realtimeNanos()
        }
        guard let m = held[nextIndex] else { return nil }
        nextIndex += 1
        var segment: UInt32 = 0
        var total: UInt32 = 0
        let data = sluice_dpdk_mbuf_data(m, &segment, &total)
        let stamp = driverTimestampScale == 0 ? 0 : sluice_dpdk_mbuf_timestamp(m) &* driverTimestampScale
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(segment))
        counters.received &+= 1
        counters.receivedBytes &+= UInt64(total)
        // A chained mbuf is inspected by its first segment and not forwarded (see isTruncated).
        if segment < total { counters.truncated &+= 1 }
        return AFPacketFrame(packet: CapturedPacket(data: bytes, wireLength: Int(total), timestamp: stamp != 0 ? stamp : burstTime),
                             ringBytes: bytes, vlanTag: 0, status: 0, vnetHeader: nil, buffer: m)
    }

    /// Queues `frame` to leave through this queue: its own mbuf (one more reference) when it
    /// came from a DPDK port, a copy otherwise.
    @inlinable public mutating func transmit(_ frame: AFPacketFrame) {
        guard let m = frame.buffer else { return transmit(bytes: frame.packet.data) }
        if pendingCount == Self.transmitCapacity { flush() }
        sluice_dpdk_mbuf_retain(m)
        pending[pendingCount] = m
        pendingCount += 1
    }

    /// Queues a copy of `bytes` (a reset) in an mbuf from the pool; counted as a failed
    /// transmission when the pool is empty.
    @inlinable public mutating func transmit(bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, let m = sluice_dpdk_mbuf_copy(pool, base, UInt32(clamping: bytes.count)) else {
            counters.transmitFailed &+= 1
            return
        }
        if pendingCount == Self.transmitCapacity { flush() }
        pending[pendingCount] = m
        pendingCount += 1
    }

    /// Hands the queued mbufs to the driver; what it still refuses after a few tries (its
    /// ring is full) is freed and counted as failed, as the kernel's refusals are on AF_PACKET.
    @inlinable public mutating func flush() {
        var sent = 0
        var idle = 0
        while sent < pendingCount && idle < 4 {
            let n = Int(sluice_dpdk_tx_burst(port, queue, pending + sent, UInt16(pendingCount - sent)))
            sent += n
            idle = n == 0 ? idle + 1 : 0
        }
        if sent < pendingCount {
            sluice_dpdk_mbuf_free_bulk(pending + sent, UInt32(pendingCount - sent))
            counters.transmitFailed &+= UInt64(pendingCount - sent)
        }
        counters.transmitted &+= UInt64(sent)
        pendingCount = 0
    }

    /// Frees the frames handed out so far (the ones forwarded keep the driver's reference);
    /// held frames not yet handed out stay for the next `receive()`.
    @inlinable @discardableResult public mutating func release() -> UInt32 {
        let n = nextIndex
        guard n > 0 else { return 0 }
        sluice_dpdk_mbuf_free_bulk(held, UInt32(n))
        let rest = heldCount - n
        if rest > 0 { memmove(held, held + n, rest * MemoryLayout<UnsafeMutableRawPointer?>.stride) }
        heldCount = rest
        nextIndex = 0
        return UInt32(n)
    }

    /// -1: DPDK queues have no descriptor to poll(); callers busy-poll them.
    public var descriptor: Int32 { -1 }

    /// This queue's frames, and (queue 0) the port's driver counters as of the last refresh:
    /// `kernelPackets` all frames the port received, `kernelDrops` those it missed or had no
    /// mbuf for.
    public var statistics: AFPacketStatistics { counters }

    /// Reads the port's driver counters (queue 0 only).
    public mutating func refreshStatistics() throws(AFPacketError) {
        guard readsPortCounters else { return }
        var s = sluice_dpdk_stats()
        guard sluice_dpdk_stats(port, &s) == 0 else { return }
        counters.kernelPackets = s.ipackets &+ s.imissed &+ s.rx_nombuf
        counters.kernelDrops = s.imissed &+ s.rx_nombuf
    }
}
#endif
