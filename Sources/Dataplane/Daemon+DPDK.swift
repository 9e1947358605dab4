#if os(Linux)
import DPDKIO
import PacketIO

extension Daemon {
    /// `io: dpdk`: starts EAL (the configured arguments, or no hugepages and no PCI), one mbuf
    /// pool, and each port named in a pair with one RX/TX queue per worker (symmetric RSS
    /// where the driver hashes; net_af_packet's `qpairs=N` fans out by the kernel's symmetric
    /// flow hash). Queue q of both ports of a pair goes to one worker, so both directions of a
    /// flow reach the same worker.
    func openDPDKPorts() throws {
        try DPDKEAL.start(DPDKEAL.completed(config.dpdk.eal ?? DPDKEAL.defaultArguments()))
        let names = config.interfaces.flatMap(\.pair)
        let minimum = DPDKMempool.minimumCount(ports: names.count, queues: config.workers, ringSize: config.dpdk.ringSize)
        let pool = try DPDKMempool(name: "sluice_rx", count: config.dpdk.mbufs, minimum: minimum)
        // Both ports of a pair get the same number of queues: as many as there are workers, or
        // fewer when a driver offers fewer (net_pcap: one per rx_pcap); queue q of pair j then
        // goes to worker (j + q) % workers, so single-queue pairs spread over the workers.
        var plan: [(spec: Int, a: UInt16, b: UInt16, queues: Int)] = []
        for (j, spec) in config.interfaces.enumerated() where spec.mode == .inline {
            let q = min(config.workers, try DPDKPort.maximumQueues(named: spec.pair[0]), try DPDKPort.maximumQueues(named: spec.pair[1]))
            let a = try DPDKPort.start(named: spec.pair[0], queues: q, ringSize: config.dpdk.ringSize, pool: pool)
            let b = try DPDKPort.start(named: spec.pair[1], queues: q, ringSize: config.dpdk.ringSize, pool: pool)
            plan.append((j, a, b, q))
        }
        let pairs = plan.count
        for w in 0..<config.workers {
            let io = WorkerIO(pairCapacity: 0, tapCapacity: 0, dpdkPairCapacity: pairs)
            for p in plan {
                for q in 0..<p.queues where (p.spec + q) % config.workers == w {
                    io.add(dpdkPair: DPDKPairIO(ports: PortPair(a: DPDKPort(port: p.a, queue: UInt16(q), pool: pool),
                                                                b: DPDKPort(port: p.b, queue: UInt16(q), pool: pool)),
                                                iface: UInt16(p.spec + 1)))
                }
            }
            ios.append(io)
        }
    }
}
#endif
