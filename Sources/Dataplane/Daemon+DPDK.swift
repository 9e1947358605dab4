#if os(Linux)
import DPDKIO
import PacketIO

extension Daemon {
    /// `io: dpdk`: starts EAL (the configured arguments, or no hugepages and no PCI), one mbuf
    /// pool, and each port named in a pair with one RX/TX queue per worker (symmetric RSS
    /// where the driver hashes; net_af_packet's `qpairs=N` fans out by the kernel's symmetric
    /// flow hash), then gives worker w queue w of both ports of every pair. Queues are taken
    /// in the same order on both ports, so both directions of a flow reach one worker.
    func openDPDKPorts() throws {
        try DPDKEAL.start(DPDKEAL.completed(config.dpdk.eal ?? DPDKEAL.defaultArguments()))
        let names = config.interfaces.flatMap(\.pair)
        let minimum = DPDKMempool.minimumCount(ports: names.count, queues: config.workers, ringSize: config.dpdk.ringSize)
        let pool = try DPDKMempool(name: "sluice_rx", count: config.dpdk.mbufs, minimum: minimum)
        var ids: [String: UInt16] = [:]
        for name in names {
            ids[name] = try DPDKPort.start(named: name, queues: config.workers, ringSize: config.dpdk.ringSize, pool: pool)
        }
        let pairs = config.interfaces.filter { $0.mode == .inline }.count
        for w in 0..<config.workers {
            let io = WorkerIO(pairCapacity: 0, tapCapacity: 0, dpdkPairCapacity: pairs)
            for (j, spec) in config.interfaces.enumerated() where spec.mode == .inline {
                guard let a = ids[spec.pair[0]], let b = ids[spec.pair[1]] else { continue }
                let q = UInt16(w)
                io.add(dpdkPair: DPDKPairIO(ports: PortPair(a: DPDKPort(port: a, queue: q, pool: pool),
                                                            b: DPDKPort(port: b, queue: q, pool: pool)),
                                            iface: UInt16(j + 1)))
            }
            ios.append(io)
        }
    }
}
#endif
