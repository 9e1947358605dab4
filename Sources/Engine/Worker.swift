import Codecs
import Defrag
import Flow
import Output
import Stream

/// One worker's whole pipeline: decode → defragment → flow lookup → TCP tracking and
/// reassembly → inspection stage, plus flow expiry and EVE flow records.
///
/// A worker owns all of its state (flow table, fragment and segment pools, counters, output
/// buffer) and touches nothing shared, so workers need no locks. After `init` nothing on the
/// packet path allocates: every table is preallocated and the stage is a specialised generic.
public struct Worker<Stage: InspectionStage & ~Copyable>: ~Copyable {
    /// The inspection stage (L7, detection, policy) the worker feeds.
    public var stage: Stage
    public var flows: FlowTable
    public var reassembler: StreamReassembler
    public var defrag: Defragmenter
    public var decodeCounters = DecodeCounters()
    public var flowCounters = FlowCounters()
    /// EVE output for flow records; nil writes none.
    public var eve: JSONBuffer?
    @usableFromInline var talkers: TalkerTable
    @usableFromInline var scratch = DecodedPacket()
    @usableFromInline let reassemble: Bool
    @usableFromInline let expiryInterval: UInt64
    @usableFromInline var nextExpiry: UInt64 = 0
    /// The latest packet time seen: the worker's clock, so replays time out flows as live would.
    public var now: UInt64 = 0
    /// The first packet time seen.
    public var firstPacket: UInt64 = 0
    /// The id of the flow the last processed packet belonged to, 0 when it belonged to none
    /// (capture-on-alert keeps each flow's recent frames by it).
    public var lastFlowID: UInt64 = 0
    /// Frames processed so far: the number of the current one (EVE `pcap_cnt`; in a replay, its
    /// position in the file).
    public var packetNumber: UInt64 = 0

    /// Builds a worker; `eveFD` is where flow records go (-1 for none).
    public init(config: EngineConfig, stage: consuming Stage, eveFD: Int32 = -1) {
        self.stage = stage
        flows = FlowTable(config: config.flow)
        reassembler = StreamReassembler(config: config.stream)
        defrag = Defragmenter(config: config.defrag)
        talkers = TalkerTable(capacity: config.talkerCapacity)
        eve = eveFD >= 0 ? JSONBuffer(fd: eveFD) : nil
        reassemble = config.reassemble
        expiryInterval = config.expiryIntervalNanos
        self.stage.attach(flows: flows.entries, capacity: flows.capacity)
    }

    /// Runs one frame through the pipeline and returns what to do with it.
    @inlinable
    public mutating func process(frame: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64,
                                 linkType: LinkType, iface: UInt16 = 0) -> Verdict {
        if timestamp > now {
            if firstPacket == 0 { firstPacket = timestamp }
            now = timestamp
        }
        if now >= nextExpiry { expire() }
        lastFlowID = 0
        packetNumber &+= 1
        Decoder.decode(frame: frame, wireLength: wireLength, linkType: linkType, into: &scratch, counters: &decodeCounters)
        var buffer = frame
        var length = wireLength
        if scratch.kind == .fragment {
            let start = Int(scratch.l3Offset)
            let ip = UnsafeRawBufferPointer(rebasing: frame[start..<(start + Int(scratch.l3Length))])
            let fragmentHeader = scratch.ipVersion == 6 ? Int(scratch.l4Offset) - start : 0
            let overlaps = defrag.counters.overlaps
            let result = defrag.insert(ip: ip, fragmentHeaderOffset: fragmentHeader, vlan: scratch.vlanOuter, now: now)
            // The fragment as it came (threat checks: overlaps, oversized datagrams).
            stage.fragment(scratch, overlapped: defrag.counters.overlaps != overlaps, now: now)
            switch result {
            case .reassembled(let datagram):
                Decoder.decodeDatagram(datagram, into: &scratch, counters: &decodeCounters)
                buffer = datagram
                length = datagram.count + start
            case .incomplete, .dropped:
                return stage.packet(scratch, bytes: frame, flow: nil, direction: .toServer, entry: nil)
            }
        }
        guard scratch.kind == .ip, buffer.baseAddress != nil else {
            return stage.packet(scratch, bytes: buffer, flow: nil, direction: .toServer, entry: nil)
        }
        return track(buffer, length: length, iface: iface)
    }

    @inlinable
    mutating func track(_ buffer: UnsafeRawBufferPointer, length: Int, iface: UInt16) -> Verdict {
        let p = scratch
        let hash = FlowHash.hash(p.src, p.srcPort, p.dst, p.dstPort, proto: p.ipProto, vlan: p.vlanOuter, iface: iface)
        var found = flows.lookup(src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort,
                                 proto: p.ipProto, vlan: p.vlanOuter, iface: iface, hash: hash)
        let isTCP = p.ipProto == IPProto.tcp
        let syn = isTCP && p.tcpFlags & (TCPFlag.syn | TCPFlag.ack) == TCPFlag.syn
        if let f = found, syn, flows.entries[Int(f.index)].state == .closed {
            // A new connection reusing the 4-tuple of a closed one: end the old flow first.
            flowCounters.reused &+= 1
            endFlow(f.index, reason: .forced)
            found = nil
        }
        let index: UInt32
        var direction: Direction
        if let f = found {
            index = f.index
            direction = f.direction
        } else {
            guard let created = createFlow(hash: hash, iface: iface) else {
                return stage.packet(p, bytes: buffer, flow: nil, direction: .toServer, entry: nil)
            }
            index = created.index
            direction = created.direction
        }
        let e = flows.entries + Int(index)
        lastFlowID = e.pointee.flowID
        e.pointee.packetNumber = packetNumber
        if found == nil { e.pointee.icmpType = p.icmpType; e.pointee.icmpCode = p.icmpCode }
        e.pointee.count(direction: direction, length: length, now: now)
        if isTCP {
            let payload = UnsafeRawBufferPointer(rebasing: buffer[Int(p.payloadOffset)..<Int(p.payloadOffset + p.payloadLength)])
            if reassemble {
                if direction == .toServer {
                    reassembler.segment(&e.pointee.toServer, flow: index, direction: .toServer, seq: p.seq,
                                        flags: p.tcpFlags, payload: payload, sink: &stage)
                    if p.tcpFlags & TCPFlag.ack != 0 {
                        reassembler.acknowledged(&e.pointee.toClient, flow: index, direction: .toClient, ack: p.ack, sink: &stage)
                    }
                } else {
                    reassembler.segment(&e.pointee.toClient, flow: index, direction: .toClient, seq: p.seq,
                                        flags: p.tcpFlags, payload: payload, sink: &stage)
                    if p.tcpFlags & TCPFlag.ack != 0 {
                        reassembler.acknowledged(&e.pointee.toServer, flow: index, direction: .toServer, ack: p.ack, sink: &stage)
                    }
                }
            } else if p.tcpFlags & TCPFlag.fin != 0 {
                if direction == .toServer { e.pointee.toServer.finSeen = true } else { e.pointee.toClient.finSeen = true }
            }
            if e.pointee.streamSwapPending {
                // The stage found this flow's first data to be the server's and swapped its
                // endpoints while the reassembler held the streams: swap those now.
                e.pointee.swapStreams()
                direction = direction.reversed
            }
            e.pointee.trackTCP(flags: p.tcpFlags, direction: direction, hasPayload: p.payloadLength > 0)
        }
        flows.touch(index)
        return stage.packet(p, bytes: buffer, flow: index, direction: direction, entry: e)
    }

    @inlinable
    mutating func createFlow(hash: UInt32, iface: UInt16) -> (index: UInt32, direction: Direction)? {
        if flows.count >= flows.capacity, let victim = flows.oldest() {
            flowCounters.evicted &+= 1
            endFlow(victim, reason: .forced)
        }
        let p = scratch
        // A SYN-ACK seen first means the handshake's SYN was missed: its receiver is the client.
        let reversed = p.ipProto == IPProto.tcp && p.tcpFlags & (TCPFlag.syn | TCPFlag.ack) == (TCPFlag.syn | TCPFlag.ack)
        let index: UInt32?
        if reversed {
            index = flows.insert(client: p.dst, clientPort: p.dstPort, server: p.src, serverPort: p.srcPort,
                                 proto: p.ipProto, ipVersion: p.ipVersion, vlan: p.vlanOuter, iface: iface,
                                 hash: hash, now: now)
        } else {
            index = flows.insert(client: p.src, clientPort: p.srcPort, server: p.dst, serverPort: p.dstPort,
                                 proto: p.ipProto, ipVersion: p.ipVersion, vlan: p.vlanOuter, iface: iface,
                                 hash: hash, now: now)
        }
        guard let i = index else { return nil }
        flowCounters.created &+= 1
        if flows.count > flowCounters.peakActive { flowCounters.peakActive = flows.count }
        return (i, reversed ? .toClient : .toServer)
    }

    /// Ends flows idle past their timeout and fragments past theirs. Runs at most once per
    /// expiry interval of packet time.
    @inlinable
    public mutating func expire() {
        // Saturating: a timestamp near the end of the clock must not wrap the next expiry
        // to the past, which would run expiry on every packet.
        let (next, overflow) = now.addingReportingOverflow(expiryInterval)
        nextExpiry = overflow ? .max : next
        while let index = flows.expired(now: now) {
            flowCounters.timedOut &+= 1
            endFlow(index, reason: .timeout)
        }
        defrag.expire(now: now)
    }

    /// Flushes a flow's streams, tells the stage, writes its EVE record and frees its entry.
    @inlinable
    public mutating func endFlow(_ index: UInt32, reason: FlowEndReason) {
        let e = flows.entries + Int(index)
        // Records written from here on come from the flow's end, not from one of its packets.
        e.pointee.packetNumber = 0
        if reassemble {
            reassembler.flush(&e.pointee.toServer, flow: index, direction: .toServer, sink: &stage)
            reassembler.flush(&e.pointee.toClient, flow: index, direction: .toClient, sink: &stage)
            reassembler.release(&e.pointee.toServer)
            reassembler.release(&e.pointee.toClient)
        }
        stage.flowEnded(flow: index, entry: e, reason: reason)
        switch e.pointee.proto {
        case IPProto.tcp: flowCounters.tcp &+= 1
        case IPProto.udp: flowCounters.udp &+= 1
        case IPProto.icmp, IPProto.icmpv6: flowCounters.icmp &+= 1
        default: flowCounters.other &+= 1
        }
        let total = e.pointee.bytesToServer &+ e.pointee.bytesToClient
        talkers.add(e.pointee.client, bytes: total)
        if e.pointee.server != e.pointee.client { talkers.add(e.pointee.server, bytes: total) }
        if eve != nil && stage.wantsFlowRecord(flow: index, entry: e) { FlowRecord.write(e, reason: reason, into: &eve!) }
        flows.remove(index)
    }

    /// Advances the worker's clock to `now` while no packet comes (a live dataplane's idle
    /// time), so idle flows still time out and their records are written.
    public mutating func tick(now wallClock: UInt64) {
        if wallClock > now { now = wallClock }
        if now >= nextExpiry { expire() }
    }

    /// Writes buffered EVE records out (a live dataplane does this when idle and periodically).
    public mutating func flushEvents() {
        stage.finish()
        eve?.flush()
    }

    /// Ends every flow (reason `shutdown`) and flushes the EVE output: the end of a replay,
    /// or a daemon stopping.
    public mutating func shutdown() {
        while let index = flows.oldest() {
            flowCounters.shutdown &+= 1
            endFlow(index, reason: .shutdown)
        }
        stage.finish()
        eve?.flush()
    }

    /// A snapshot of this worker's counters.
    public func stats(topTalkers: Int = 10) -> EngineStats {
        var s = EngineStats()
        s.decode = decodeCounters
        s.defrag = defrag.counters
        s.stream = reassembler.counters
        s.flows = flowCounters
        s.activeFlows = flows.count
        s.topTalkers = talkers.top(topTalkers)
        s.firstPacket = firstPacket
        s.lastPacket = now
        return s
    }
}
