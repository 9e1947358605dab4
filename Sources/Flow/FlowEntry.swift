import Codecs
import Stream

/// The state Suricata reports for a flow.
public enum FlowState: UInt8, Sendable {
    case new = 0, established, closed

    /// The EVE spelling.
    public var name: StaticString {
        switch self { case .new: return "new"; case .established: return "established"; case .closed: return "closed" }
    }
}

/// TCP connection state as the tracker follows it.
public enum TCPState: UInt8, Sendable {
    case none = 0, synSent, synReceived, established, finWait, closing, closed

    /// The EVE spelling (Suricata's names for the `tcp.state` field).
    public var name: StaticString {
        switch self {
        case .none: return "none"
        case .synSent: return "syn_sent"
        case .synReceived: return "syn_recv"
        case .established: return "established"
        case .finWait: return "fin_wait1"
        case .closing: return "closing"
        case .closed: return "closed"
        }
    }
}

/// Why a flow's record was written.
public enum FlowEndReason: UInt8, Sendable {
    /// Idle past its timeout.
    case timeout = 0
    /// Evicted to make room, or replaced by a new connection on the same tuple.
    case forced
    /// The engine stopped (end of a capture, daemon shutdown).
    case shutdown

    /// The EVE spelling.
    public var name: StaticString {
        switch self { case .timeout: return "timeout"; case .forced: return "forced"; case .shutdown: return "shutdown" }
    }
}

/// One tracked flow: a plain value stored in the table's preallocated array.
public struct FlowEntry: Sendable {
    /// The side that opened the flow.
    public var client = IPAddress(hi: 0, lo: 0)
    /// The side that was contacted.
    public var server = IPAddress(hi: 0, lo: 0)
    public var clientPort: UInt16 = 0
    public var serverPort: UInt16 = 0
    /// IP protocol number.
    public var proto: UInt8 = 0
    /// 4 or 6.
    public var ipVersion: UInt8 = 0
    /// Outer VLAN id, part of the key.
    public var vlan: UInt16 = 0
    /// Interface index the flow was seen on, part of the key.
    public var iface: UInt16 = 0
    /// Symmetric hash of the key.
    public var hash: UInt32 = 0
    /// The 51-bit id EVE records carry as `flow_id`.
    public var flowID: UInt64 = 0
    /// First packet time, nanoseconds since the epoch.
    public var firstSeen: UInt64 = 0
    /// Last packet time, nanoseconds since the epoch.
    public var lastSeen: UInt64 = 0
    public var pktsToServer: UInt64 = 0
    public var pktsToClient: UInt64 = 0
    public var bytesToServer: UInt64 = 0
    public var bytesToClient: UInt64 = 0
    /// TCP flags seen from the client, ORed.
    public var tcpFlagsToServer: UInt8 = 0
    /// TCP flags seen from the server, ORed.
    public var tcpFlagsToClient: UInt8 = 0
    public var state: FlowState = .new
    public var tcpState: TCPState = .none
    /// The application protocol the L7 stage detected (`L7Core.AppProto` raw value; 0 unknown).
    public var appProto: UInt8 = 0
    /// Current timeout class (which expiry list holds the flow).
    public var timeoutClass: TimeoutClass = .otherNew
    /// An alert fired on the flow (a sensor rule, or a policy deny or violation): its EVE
    /// `flow` record says `alerted: true`, as Suricata's does.
    public var alerted = false
    /// Client-to-server stream reassembly state.
    public var toServer = StreamDirectionState()
    /// Server-to-client stream reassembly state.
    public var toClient = StreamDirectionState()
    /// The endpoints were swapped (`swapEndpoints`) while the stream reassembler was delivering
    /// this flow's bytes: the worker swaps the two stream states (`swapStreams`) once the
    /// reassembler is done with the packet, and until then directions the reassembler reports
    /// are the opposite of the entry's.
    public var streamSwapPending = false
    @usableFromInline var prev: UInt32 = 0
    @usableFromInline var next: UInt32 = 0
    /// ICMP type and code of the flow's first packet: the Community ID hashes them in place of ports.
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    /// Whether `communityID` holds the flow's Community ID yet (computed at its first EVE record).
    public var communityIDReady = false
    /// The number of the packet being processed for this flow, counted over the worker's input
    /// (EVE `pcap_cnt`, the frame number in a replayed file); 0 when a record is written outside a
    /// packet of the flow (its end at a timeout or shutdown), which then carries no `pcap_cnt`.
    public var packetNumber: UInt64 = 0
    /// The Community ID's base64 digest (28 characters), valid when `communityIDReady`.
    public var communityID: (UInt64, UInt64, UInt64, UInt32) = (0, 0, 0, 0)

    /// An empty entry.
    @inlinable public init() {}

    /// Makes the side taken for the server the client, and the other way round: what an
    /// application parser asks for when the first packet seen was a response (a DNS answer
    /// before its query, a midstream pickup starting with server data), as Suricata reverses
    /// such flows. Counters and flags follow the sides; the lookup key stays valid (the hash
    /// is symmetric). The stream states are swapped apart (`swapStreams`).
    @inlinable public mutating func swapEndpoints() {
        swap(&client, &server)
        swap(&clientPort, &serverPort)
        swap(&pktsToServer, &pktsToClient)
        swap(&bytesToServer, &bytesToClient)
        swap(&tcpFlagsToServer, &tcpFlagsToClient)
    }

    /// Swaps the two directions' reassembly states (after `swapEndpoints`, when no reassembler
    /// call holds either).
    @inlinable public mutating func swapStreams() {
        swap(&toServer, &toClient)
        streamSwapPending = false
    }

    /// The timeout class this flow belongs in now.
    @inlinable public var currentTimeoutClass: TimeoutClass {
        switch proto {
        case IPProto.tcp:
            return state == .closed ? .tcpClosed : state == .established ? .tcpEstablished : .tcpNew
        case IPProto.udp:
            return state == .new ? .udpNew : .udpEstablished
        default:
            return state == .new ? .otherNew : .otherEstablished
        }
    }

    /// Counts a packet of `length` wire bytes travelling in `direction`.
    @inlinable public mutating func count(direction: Direction, length: Int, now: UInt64) {
        if direction == .toServer {
            pktsToServer &+= 1; bytesToServer &+= UInt64(clamping: length)
        } else {
            pktsToClient &+= 1; bytesToClient &+= UInt64(clamping: length)
        }
        lastSeen = now
        if state == .new && proto != IPProto.tcp && pktsToServer > 0 && pktsToClient > 0 { state = .established }
    }

    /// Follows the TCP handshake and teardown with the flags of one segment.
    @inlinable public mutating func trackTCP(flags: UInt8, direction: Direction, hasPayload: Bool) {
        if direction == .toServer { tcpFlagsToServer |= flags } else { tcpFlagsToClient |= flags }
        let syn = flags & TCPFlag.syn != 0, ack = flags & TCPFlag.ack != 0
        if flags & TCPFlag.rst != 0 {
            tcpState = .closed; state = .closed
            return
        }
        switch tcpState {
        case .none:
            if syn && !ack { tcpState = .synSent }
            else if syn && ack { tcpState = .synReceived }
            else { tcpState = .established; state = .established }   // midstream pickup
        case .synSent:
            if syn && ack && direction == .toClient { tcpState = .synReceived }
            else if syn && !ack && direction == .toClient { tcpState = .synReceived }  // simultaneous open / split handshake
        case .synReceived:
            if ack && !syn && direction == .toServer { tcpState = .established; state = .established }
            else if ack && !syn && hasPayload { tcpState = .established; state = .established }
        default:
            break
        }
        if flags & TCPFlag.fin != 0 {
            if toServer.finSeen && toClient.finSeen {
                tcpState = .closing
            } else if tcpState.rawValue < TCPState.finWait.rawValue {
                tcpState = .finWait
            }
            if state == .new { state = .established }
        }
        if tcpState == .closing && ack && !(flags & TCPFlag.fin != 0) {
            // The last ACK of the teardown.
            tcpState = .closed; state = .closed
        }
    }
}
