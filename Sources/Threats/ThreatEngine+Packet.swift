import Codecs
import Flow
import Stream

// Detections from what decode, defrag and flow tracking know: floods, session limits,
// invalid packets, fragments and TCP handshake anomalies.

extension ThreatEngine {
    /// Every packet, after flow tracking (`flow`/`entry` nil for packets without a flow).
    @inlinable
    public mutating func packet(_ p: borrowing DecodedPacket, flow: UInt32?, entry: UnsafeMutablePointer<FlowEntry>?,
                                direction: Direction, now: UInt64) {
        guard let flow, let e = entry else {
            packetWithoutFlow(p, now: now)
            return
        }
        let t = flowSlot(flow, e)
        let toServer = direction == .toServer
        let en = config.enabled
        if !t.pointee.sessionCounted {
            t.pointee.sessionCounted = true
            let key = RateSketch.key(e.pointee.client, .sourceSessionLimit)
            let n = sessions.add(key, now: now)
            if n > sessionLimit && en & ThreatID.sourceSessionLimit.bit != 0 {
                fire(.sourceSessionLimit, flow: flow, e, t, key: key, window: perSecond.window, now: now,
                     value: UInt64(n), threshold: UInt64(sessionLimit))
            }
        }
        switch p.ipProto {
        case IPProto.tcp: tcp(p, flow, e, t, toServer: toServer, now: now)
        case IPProto.icmp, IPProto.icmpv6: icmp(p, flow, e, t, toServer: toServer, now: now)
        default: break
        }
        if toServer && t.pointee.headersPending && !t.pointee.slowCounted
            && now &- t.pointee.headersSince > config.slowlorisHeaderSeconds &* 1_000_000_000 {
            slowRequest(flow, e, t, now: now)
        }
    }

    @inlinable
    mutating func tcp(_ p: borrowing DecodedPacket, _ flow: UInt32, _ e: UnsafeMutablePointer<FlowEntry>,
                      _ t: UnsafeMutablePointer<ThreatFlow>, toServer: Bool, now: UInt64) {
        let f = p.tcpFlags, mss = p.mss, window = p.window, payloadLength = p.payloadLength
        let en = config.enabled
        if f & (TCPFlag.syn | TCPFlag.ack) == TCPFlag.syn {
            guard toServer else {
                // A bare SYN from the side that was sent a SYN: the server opens a connection
                // of its own on the client's (split handshake, or a rare simultaneous open).
                if en & ThreatID.tcpSplitHandshake.bit != 0 {
                    fire(.tcpSplitHandshake, flow: flow, e, t, now: now, toServer: false)
                }
                return
            }
            t.pointee.clientScale = p.windowScale
            if en & ThreatID.tcpSynFlood.bit != 0 {
                let key = RateSketch.key(p.dst, .tcpSynFlood)
                let n = perSecond.add(key, now: now)
                if n > synFlood {
                    fire(.tcpSynFlood, src: p.src, dst: p.dst, srcPort: p.srcPort, dstPort: p.dstPort, proto: p.ipProto,
                         flow: flow, flowID: e.pointee.flowID, t: nil, key: key, window: perSecond.window, now: now,
                         blocksFlow: false, toServer: true, value: UInt64(n), threshold: UInt64(synFlood))
                }
            }
            if payloadLength > 0 && en & ThreatID.tcpSynData.bit != 0 {
                fire(.tcpSynData, flow: flow, e, t, now: now, value: UInt64(payloadLength))
            }
            if mss != 0 && mss < config.smallMSS && en & ThreatID.tcpSmallMSS.bit != 0 {
                fire(.tcpSmallMSS, flow: flow, e, t, now: now, value: UInt64(mss), threshold: UInt64(config.smallMSS))
            }
            return
        }
        guard toServer else { return }
        if payloadLength > 0 { t.pointee.clientData = true }
        // A receiver advertising a tiny window keeps the sender's data (and its memory)
        // queued: sockstress-style exhaustion. Judged only with the client's SYN seen (its
        // window scale known), on established connections, and never on a zero window
        // (a full buffer, which is normal).
        if f & (TCPFlag.ack | TCPFlag.syn | TCPFlag.rst | TCPFlag.fin) == TCPFlag.ack, window > 0,
           t.pointee.clientScale != 0xff, e.pointee.tcpState == .established, en & ThreatID.tcpSmallWindow.bit != 0 {
            let scale = UInt64(min(t.pointee.clientScale, 14))
            let scaled = UInt64(window) << scale
            if scaled < UInt64(config.smallWindow) {
                fire(.tcpSmallWindow, flow: flow, e, t, now: now, value: scaled, threshold: UInt64(config.smallWindow))
            }
        }
    }

    @inlinable
    mutating func icmp(_ p: borrowing DecodedPacket, _ flow: UInt32, _ e: UnsafeMutablePointer<FlowEntry>,
                       _ t: UnsafeMutablePointer<ThreatFlow>, toServer: Bool, now: UInt64) {
        let payloadLength = Int(p.payloadLength)
        let v6 = p.ipProto == IPProto.icmpv6
        let request = v6 ? p.icmpType == 128 : p.icmpType == 8
        let reply = v6 ? p.icmpType == 129 : p.icmpType == 0
        guard request || reply else { return }
        let en = config.enabled
        if request && en & ThreatID.icmpFlood.bit != 0 {
            let key = RateSketch.key(p.dst, .icmpFlood)
            let n = perSecond.add(key, now: now)
            if n > icmpFlood {
                fire(.icmpFlood, src: p.src, dst: p.dst, srcPort: 0, dstPort: 0, proto: p.ipProto, flow: flow,
                     flowID: e.pointee.flowID, t: nil, key: key, window: perSecond.window, now: now, blocksFlow: false,
                     toServer: toServer, value: UInt64(n), threshold: UInt64(icmpFlood))
            }
        }
        // Echo payloads (past the 4 bytes of identifier and sequence) far longer than a ping's.
        if payloadLength - 4 >= config.icmpTunnelPayload && en & ThreatID.icmpTunneling.bit != 0 {
            let key = RateSketch.key(p.src, .icmpTunneling)
            let n = perMinute.add(key, now: now)
            if n > icmpTunnel {
                fire(.icmpTunneling, src: p.src, dst: p.dst, srcPort: 0, dstPort: 0, proto: p.ipProto, flow: flow,
                     flowID: e.pointee.flowID, t: t, key: key, window: perMinute.window, now: now, blocksFlow: true,
                     toServer: toServer, value: UInt64(n), threshold: UInt64(icmpTunnel))
            }
        }
    }

    /// Packets without a flow: malformed frames are invalid packets (fragments are judged
    /// by `fragment(_:overlapped:now:)`).
    @inlinable
    mutating func packetWithoutFlow(_ p: borrowing DecodedPacket, now: UInt64) {
        let en = config.enabled
        switch p.kind {
        case .malformed:
            // Errors in the IP and transport headers; link-level ones (truncated Ethernet,
            // unknown link types) are capture artefacts more than attacks.
            let error = p.error.rawValue
            guard error >= DecodeError.ipv4Truncated.rawValue, en & ThreatID.invalidPacket.bit != 0 else { return }
            let key = RateSketch.key(p.src, .invalidPacket)
            fire(.invalidPacket, src: p.src, dst: p.dst, srcPort: p.srcPort, dstPort: p.dstPort, proto: p.ipProto,
                 flow: ThreatHit.noFlow, flowID: 0, t: nil, key: key, window: perSecond.window, now: now, blocksFlow: false,
                 toServer: true, value: UInt64(error), threshold: 0)
        default:
            break
        }
    }

    /// An IP fragment, before the defragmenter holds it: `overlapped` when it overlapped bytes
    /// the defragmenter already held (teardrop and its variants rely on hosts resolving
    /// overlaps differently, or crashing on them). An IPv4 fragment whose end lies past the
    /// largest datagram (65535 bytes) is a ping of death: the rebuilt datagram would
    /// overflow the receiver's buffer.
    @inlinable
    public mutating func fragment(_ p: borrowing DecodedPacket, overlapped: Bool, now: UInt64) {
        let en = config.enabled
        if overlapped && en & ThreatID.ipTeardrop.bit != 0 {
            let key = RateSketch.key(p.src, .ipTeardrop)
            fire(.ipTeardrop, src: p.src, dst: p.dst, srcPort: 0, dstPort: 0, proto: p.ipProto, flow: ThreatHit.noFlow,
                 flowID: 0, t: nil, key: key, window: perSecond.window, now: now, blocksFlow: false, toServer: true,
                 value: UInt64(clamping: p.fragmentOffset), threshold: 0)
        }
        let end = Int64(p.fragmentOffset) + Int64(p.l3Length)
        let v4 = p.ipVersion == 4
        if v4 && end > 65535 && en & ThreatID.pingOfDeath.bit != 0 {
            let key = RateSketch.key(p.src, .pingOfDeath)
            fire(.pingOfDeath, src: p.src, dst: p.dst, srcPort: 0, dstPort: 0, proto: p.ipProto, flow: ThreatHit.noFlow,
                 flowID: 0, t: nil, key: key, window: perSecond.window, now: now, blocksFlow: false, toServer: true,
                 value: UInt64(clamping: end), threshold: 65535)
        }
    }

    /// A flow ends: its session is no longer open, and an established TCP connection that
    /// carried no client byte counts toward its client's no-data rate.
    @inlinable
    public mutating func flowEnded(flow: UInt32, entry e: UnsafeMutablePointer<FlowEntry>, now: UInt64) {
        guard let flowState, Int(flow) < capacity else { return }
        let t = flowState + Int(flow)
        guard t.pointee.flowID == e.pointee.flowID else { return }
        if t.pointee.sessionCounted {
            sessions.remove(RateSketch.key(e.pointee.client, .sourceSessionLimit))
            t.pointee.sessionCounted = false
        }
        if e.pointee.proto == IPProto.tcp && !t.pointee.clientData && config.enabled & ThreatID.tcpNoClientData.bit != 0
            && e.pointee.tcpFlagsToClient & (TCPFlag.syn | TCPFlag.ack) == (TCPFlag.syn | TCPFlag.ack)
            && e.pointee.tcpFlagsToServer & TCPFlag.ack != 0 && e.pointee.tcpFlagsToServer & TCPFlag.syn != 0 {
            let key = RateSketch.key(e.pointee.client, .tcpNoClientData)
            let n = perMinute.add(key, now: now)
            if n > noData {
                fire(.tcpNoClientData, flow: flow, e, t, key: key, window: perMinute.window, now: now, blocksFlow: false,
                     value: UInt64(n), threshold: UInt64(noData))
            }
        }
        if t.pointee.headersPending && !t.pointee.slowCounted
            && now &- t.pointee.headersSince > config.slowlorisHeaderSeconds &* 1_000_000_000 {
            slowRequest(flow, e, t, now: now)
        }
        t.pointee.flowID = 0
    }

    /// An HTTP request whose headers took longer than the slowloris limit.
    @inlinable
    mutating func slowRequest(_ flow: UInt32, _ e: UnsafeMutablePointer<FlowEntry>, _ t: UnsafeMutablePointer<ThreatFlow>,
                              now: UInt64) {
        t.pointee.slowCounted = true
        guard config.enabled & ThreatID.httpSlowloris.bit != 0 else { return }
        let key = RateSketch.key(e.pointee.server, .httpSlowloris)
        let n = perMinute.add(key, now: now)
        if n > slowloris {
            fire(.httpSlowloris, flow: flow, e, t, key: key, window: perMinute.window, now: now,
                 value: UInt64(n), threshold: UInt64(slowloris))
        }
    }
}
