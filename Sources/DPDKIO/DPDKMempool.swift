#if os(Linux)
import CDPDKShim
import Glibc

/// A pool of packet buffers (mbufs) the ports receive into and resets are built in. Shared by
/// every port and worker (DPDK's mempool is safe across threads); never freed, like EAL.
public struct DPDKMempool: @unchecked Sendable {
    /// The rte_mempool.
    public let pointer: UnsafeMutableRawPointer
    /// mbufs in it.
    public let count: Int

    /// The mbufs `ports` ports with `queues` queues each need: every RX and TX ring full, a
    /// received burst held per queue, and a cache per queue.
    public static func minimumCount(ports: Int, queues: Int, ringSize: Int, burst: Int = DPDKPort.heldCapacity) -> Int {
        ports * queues * (2 * ringSize + burst + 256)
    }

    /// Creates a pool of `count` mbufs; throws when EAL cannot reserve the memory, with the
    /// figure to lower or the memory to raise.
    public init(name: String, count: Int, minimum: Int = 0) throws(DPDKError) {
        guard count >= minimum else {
            throw DPDKError("DPDK: too few mbufs: \(count) configured, the ports and queues need at least \(minimum) "
                + "(ports × workers × (2 × ring_size + 1280)); raise dpdk.mbufs", code: ENOBUFS)
        }
        guard count > 0, count <= Int(UInt32.max) else { throw DPDKError("DPDK: mbufs must be between 1 and 2^32", code: EINVAL) }
        var err: Int32 = 0
        guard let p = sluice_dpdk_pool_create(name, UInt32(count), 256, 0, &err) else {
            let reason = String(cString: strerror(-err))
            throw DPDKError("DPDK: cannot create a pool of \(count) mbufs (\(reason)): about \(count * 2304 / 1_048_576 + 1) MiB "
                + "are needed; raise EAL's -m (or the hugepages reserved) or lower dpdk.mbufs", code: -err)
        }
        pointer = p
        self.count = count
    }

    /// mbufs not in use now.
    public var available: Int { Int(sluice_dpdk_pool_available(pointer)) }
}
#endif
