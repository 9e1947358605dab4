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
        let names = config.interfaces.flatMap { $0.mode == .inline ? $0.pair : [$0.interface] }
        let minimum = DPDKMempool.minimumCount(ports: names.count, queues: config.workers, ringSize: config.dpdk.ringSize)
        let pool = try DPDKMempool(name: "sluice_rx", count: config.dpdk.mbufs, minimum: minimum)
        // Both ports of a pair get the same number of queues: as many as there are workers, or
        // fewer when a driver offers fewer (net_pcap: one per rx_pcap); queue q of interface j
        // then goes to worker (j + q) % workers, so single-queue ports spread over the workers.
        // A tap is one port whose frames are inspected and released.
        var plan: [(spec: Int, slot: Int, a: UInt16, b: UInt16?, queues: Int)] = []
        var pairSlot = 0, tapSlot = 0
        for (j, spec) in config.interfaces.enumerated() {
            let names = spec.mode == .inline ? spec.pair : [spec.interface]
            var q = config.workers
            for n in names { q = min(q, try DPDKPort.maximumQueues(named: n)) }
            let a = try DPDKPort.start(named: names[0], queues: q, ringSize: config.dpdk.ringSize, pool: pool)
            let b = names.count > 1 ? try DPDKPort.start(named: names[1], queues: q, ringSize: config.dpdk.ringSize, pool: pool) : nil
            plan.append((j, spec.mode == .inline ? pairSlot : tapSlot, a, b, q))
            if spec.mode == .inline { pairSlot += 1 } else { tapSlot += 1 }
        }
        for w in 0..<config.workers {
            let io = WorkerIO(pairCapacity: 0, tapCapacity: 0, dpdkPairCapacity: pairSlot, dpdkTapCapacity: tapSlot)
            for p in plan {
                for q in 0..<p.queues where (p.spec + q) % config.workers == w {
                    var a = DPDKPort(port: p.a, queue: UInt16(q), pool: pool)
                    if let b = p.b {
                        io.add(dpdkPair: DPDKPairIO(ports: PortPair(a: a, b: DPDKPort(port: b, queue: UInt16(q), pool: pool)),
                                                    iface: UInt16(p.spec + 1), slot: p.slot))
                    } else {
                        // A capture file's frames keep their own time (net_pcap stamps microseconds).
                        if config.interfaces[p.spec].interface.hasPrefix("net_pcap") { a.driverTimestampScale = 1000 }
                        io.add(dpdkTap: DPDKTapIO(port: a, iface: UInt16(p.spec + 1), slot: p.slot))
                    }
                }
            }
            ios.append(io)
        }
    }
}
#endif
