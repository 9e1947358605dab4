import Codecs
import Flow
import PacketIO

/// Splits a capture's frames among replay workers the way the daemon's fanout splits an
/// interface's traffic: by a symmetric hash, so both directions of a flow, and every fragment
/// of a datagram, go to the same worker. The hash covers the two IP addresses only (not the
/// ports): a fragment after the first carries no ports, and a datagram's fragments must meet
/// in one worker's defragmenter, and the flow it belongs to in one worker's flow table.
public struct ReplayFanout: ~Copyable {
    /// How many workers share the capture.
    public let workers: Int
    @usableFromInline var decoded = DecodedPacket()
    @usableFromInline var counters = DecodeCounters()

    /// A fanout over `workers` workers (at least 1).
    public init(workers: Int) { self.workers = max(1, workers) }

    /// The worker (0 ..< `workers`) that owns the frame. Frames that are not IP go to worker 0.
    @inlinable
    public mutating func worker(frame: UnsafeRawBufferPointer, wireLength: Int, linkType: LinkType) -> Int {
        guard workers > 1 else { return 0 }
        Decoder.decode(frame: frame, wireLength: wireLength, linkType: linkType, into: &decoded, counters: &counters)
        guard decoded.ipVersion != 0 else { return 0 }
        let h = FlowHash.hash(decoded.src, 0, decoded.dst, 0, proto: 0, vlan: 0, iface: 0)
        return Int(h % UInt32(workers))
    }
}

extension Replay {
    /// Runs worker `index`'s share of `source` (the frames `fanout` gives it) through
    /// `worker`; every other frame only advances the worker's clock and frame number, so flows time out as
    /// they would with one worker. Returns the frames this worker processed.
    @inlinable
    public static func run<Source: PacketSource & ~Copyable, Stage: InspectionStage & ~Copyable>(
        _ source: inout Source, through worker: inout Worker<Stage>, share index: Int, of fanout: inout ReplayFanout,
        iface: UInt16 = 0
    ) throws(PacketSourceError) -> Int {
        var n = 0
        while let p = try source.nextPacket() {
            let link = source.linkType
            if fanout.worker(frame: p.data, wireLength: p.wireLength, linkType: link) == index {
                _ = worker.process(frame: p.data, wireLength: p.wireLength, timestamp: p.timestamp, linkType: link, iface: iface)
                n += 1
            } else {
                // Another worker's frame still counts, so `pcap_cnt` is the frame's number in the file.
                worker.packetNumber &+= 1
                worker.tick(now: p.timestamp)
            }
        }
        return n
    }
}

extension FlowCounters {
    /// Adds `o` (replay workers are summed for one summary); peaks add up too, an upper bound
    /// of the peak over all workers.
    public mutating func add(_ o: FlowCounters) {
        created &+= o.created; timedOut &+= o.timedOut; evicted &+= o.evicted; reused &+= o.reused
        shutdown &+= o.shutdown; tcp &+= o.tcp; udp &+= o.udp; icmp &+= o.icmp; other &+= o.other
        peakActive += o.peakActive
    }
}

extension EngineStats {
    /// Adds another worker's statistics: counters sum, the capture span covers both, and the
    /// busiest addresses are merged (pass each worker's whole talker list for an exact merge)
    /// and cut to `keep`.
    public mutating func add(_ o: EngineStats, keep: Int = 10) {
        decode.add(o.decode); defrag.add(o.defrag); stream.add(o.stream); flows.add(o.flows)
        activeFlows += o.activeFlows
        if o.firstPacket != 0 && (firstPacket == 0 || o.firstPacket < firstPacket) { firstPacket = o.firstPacket }
        lastPacket = max(lastPacket, o.lastPacket)
        var merged: [IPAddress: (bytes: UInt64, flows: UInt64)] = [:]
        for t in topTalkers + o.topTalkers {
            let m = merged[t.address] ?? (0, 0)
            merged[t.address] = (m.bytes &+ t.bytes, m.flows &+ t.flows)
        }
        self.topTalkers = merged.map { (address: $0.key, bytes: $0.value.bytes, flows: $0.value.flows) }
            .sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.address.description < $1.address.description }
            .prefix(keep).map { $0 }
    }
}
