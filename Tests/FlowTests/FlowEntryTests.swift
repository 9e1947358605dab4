import XCTest
import Codecs
import Stream
@testable import Flow

/// FlowEntry: the TCP state machine in `trackTCP` (handshake, teardown, reset, midstream
/// pickup, simultaneous open), per-direction counting in `count`, when UDP and other flows
/// become established, and the timeout class each state maps to.
final class FlowEntryTests: XCTestCase {
    let syn = TCPFlag.syn, ack = TCPFlag.ack, fin = TCPFlag.fin, rst = TCPFlag.rst, psh = TCPFlag.psh

    func tcpEntry() -> FlowEntry {
        var e = FlowEntry()
        e.proto = IPProto.tcp
        return e
    }

    /// Feeds one segment the way the worker does: a FIN is recorded on the sender's stream first.
    func segment(_ e: inout FlowEntry, _ flags: UInt8, _ d: Direction, payload: Bool = false) {
        if flags & TCPFlag.fin != 0 {
            if d == .toServer { e.toServer.finSeen = true } else { e.toClient.finSeen = true }
        }
        e.trackTCP(flags: flags, direction: d, hasPayload: payload)
    }

    func testThreeWayHandshake() {
        var e = tcpEntry()
        segment(&e, syn, .toServer)
        XCTAssertEqual(e.tcpState, .synSent)
        XCTAssertEqual(e.state, .new)
        segment(&e, syn | ack, .toClient)
        XCTAssertEqual(e.tcpState, .synReceived)
        XCTAssertEqual(e.state, .new)
        segment(&e, ack, .toServer)
        XCTAssertEqual(e.tcpState, .established)
        XCTAssertEqual(e.state, .established)
        XCTAssertEqual(e.tcpFlagsToServer, syn | ack)
        XCTAssertEqual(e.tcpFlagsToClient, syn | ack)
        XCTAssertEqual(e.currentTimeoutClass, .tcpEstablished)
    }

    func testSynAckAloneDoesNotEstablish() {
        var e = tcpEntry()
        segment(&e, syn, .toServer)
        segment(&e, syn, .toServer)          // retransmitted SYN
        XCTAssertEqual(e.tcpState, .synSent)
        segment(&e, ack, .toServer)          // an ACK before any SYN-ACK does not complete anything
        XCTAssertEqual(e.tcpState, .synSent)
        XCTAssertEqual(e.state, .new)
        XCTAssertEqual(e.currentTimeoutClass, .tcpNew)
    }

    func testSimultaneousOpen() {
        var e = tcpEntry()
        segment(&e, syn, .toServer)
        segment(&e, syn, .toClient)
        XCTAssertEqual(e.tcpState, .synReceived)
        segment(&e, ack, .toServer)
        XCTAssertEqual(e.tcpState, .established)
    }

    func testServerDataCompletesHandshakeWhenFinalAckMissed() {
        var e = tcpEntry()
        segment(&e, syn, .toServer)
        segment(&e, syn | ack, .toClient)
        segment(&e, ack, .toClient)
        XCTAssertEqual(e.tcpState, .synReceived, "a bare server ACK is not the handshake's last step")
        segment(&e, ack | psh, .toClient, payload: true)
        XCTAssertEqual(e.tcpState, .established)
        XCTAssertEqual(e.state, .established)
    }

    func testFinBothWaysThenLastAckCloses() {
        var e = tcpEntry()
        segment(&e, syn, .toServer); segment(&e, syn | ack, .toClient); segment(&e, ack, .toServer)
        segment(&e, fin | ack, .toServer)
        XCTAssertEqual(e.tcpState, .finWait)
        XCTAssertEqual(e.state, .established)
        segment(&e, ack, .toClient)
        XCTAssertEqual(e.tcpState, .finWait)
        segment(&e, fin | ack, .toClient)
        XCTAssertEqual(e.tcpState, .closing)
        XCTAssertEqual(e.state, .established)
        segment(&e, ack, .toServer)
        XCTAssertEqual(e.tcpState, .closed)
        XCTAssertEqual(e.state, .closed)
        XCTAssertEqual(e.currentTimeoutClass, .tcpClosed)
        XCTAssertEqual(e.tcpFlagsToServer, syn | ack | fin)
        XCTAssertEqual(e.tcpFlagsToClient, syn | ack | fin)
    }

    func testServerClosesFirst() {
        var e = tcpEntry()
        segment(&e, ack, .toServer, payload: true)
        segment(&e, fin | ack, .toClient)
        XCTAssertEqual(e.tcpState, .finWait)
        segment(&e, fin | ack, .toServer)
        XCTAssertEqual(e.tcpState, .closing)
        segment(&e, ack, .toClient)
        XCTAssertEqual(e.tcpState, .closed)
        XCTAssertEqual(e.state, .closed)
    }

    func testRetransmittedFinDoesNotClose() {
        var e = tcpEntry()
        segment(&e, ack, .toServer)
        segment(&e, fin | ack, .toServer)
        segment(&e, fin | ack, .toServer)
        XCTAssertEqual(e.tcpState, .finWait, "one side's FIN twice is not both sides closing")
        segment(&e, ack, .toClient)
        XCTAssertEqual(e.tcpState, .finWait)
        XCTAssertEqual(e.state, .established)
    }

    func testResetClosesFromAnyState() {
        for setup in [[UInt8](), [syn], [syn, syn | ack], [ack]] {
            for d in [Direction.toServer, .toClient] {
                var e = tcpEntry()
                for (n, f) in setup.enumerated() { segment(&e, f, n % 2 == 0 ? .toServer : .toClient) }
                segment(&e, rst | ack, d)
                XCTAssertEqual(e.tcpState, .closed, "after \(setup) from \(d)")
                XCTAssertEqual(e.state, .closed, "after \(setup) from \(d)")
            }
        }
        var e = tcpEntry()
        segment(&e, rst, .toClient)
        XCTAssertEqual(e.tcpFlagsToClient, rst)
    }

    func testMidstreamFirstPacketEstablishes() {
        var e = tcpEntry()
        segment(&e, ack | psh, .toClient, payload: true)
        XCTAssertEqual(e.tcpState, .established)
        XCTAssertEqual(e.state, .established)
    }

    func testSynAckFirstWaitsForAck() {
        var e = tcpEntry()
        segment(&e, syn | ack, .toClient)
        XCTAssertEqual(e.tcpState, .synReceived)
        segment(&e, ack, .toServer)
        XCTAssertEqual(e.tcpState, .established)
    }

    func testFinDuringHandshakeMarksEstablished() {
        var e = tcpEntry()
        segment(&e, syn, .toServer)
        segment(&e, fin, .toServer)
        XCTAssertEqual(e.tcpState, .finWait)
        XCTAssertEqual(e.state, .established)
    }

    func testCountPerDirection() {
        var e = tcpEntry()
        e.count(direction: .toServer, length: 60, now: 1)
        e.count(direction: .toServer, length: 1500, now: 2)
        e.count(direction: .toClient, length: 40, now: 3)
        XCTAssertEqual(e.pktsToServer, 2)
        XCTAssertEqual(e.bytesToServer, 1560)
        XCTAssertEqual(e.pktsToClient, 1)
        XCTAssertEqual(e.bytesToClient, 40)
        XCTAssertEqual(e.lastSeen, 3)
        XCTAssertEqual(e.state, .new, "TCP is established by its handshake, not by traffic both ways")
    }

    func testUDPEstablishedOnlyAfterBothDirections() {
        var e = FlowEntry()
        e.proto = IPProto.udp
        e.count(direction: .toServer, length: 80, now: 1)
        e.count(direction: .toServer, length: 80, now: 2)
        XCTAssertEqual(e.state, .new)
        XCTAssertEqual(e.currentTimeoutClass, .udpNew)
        e.count(direction: .toClient, length: 120, now: 3)
        XCTAssertEqual(e.state, .established)
        XCTAssertEqual(e.currentTimeoutClass, .udpEstablished)

        var r = FlowEntry()
        r.proto = IPProto.udp
        r.count(direction: .toClient, length: 1, now: 1)
        XCTAssertEqual(r.state, .new)
        r.count(direction: .toServer, length: 1, now: 2)
        XCTAssertEqual(r.state, .established)
    }

    func testOtherProtocolsEstablishLikeUDP() {
        var e = FlowEntry()
        e.proto = IPProto.icmp
        XCTAssertEqual(e.currentTimeoutClass, .otherNew)
        e.count(direction: .toServer, length: 84, now: 1)
        XCTAssertEqual(e.state, .new)
        e.count(direction: .toClient, length: 84, now: 2)
        XCTAssertEqual(e.state, .established)
        XCTAssertEqual(e.currentTimeoutClass, .otherEstablished)
    }

    func testNames() {
        XCTAssertEqual("\(FlowState.established.name)", "established")
        XCTAssertEqual("\(TCPState.synReceived.name)", "syn_recv")
        XCTAssertEqual("\(TCPState.finWait.name)", "fin_wait1")
        XCTAssertEqual("\(FlowEndReason.forced.name)", "forced")
        XCTAssertEqual(Direction.toServer.reversed, .toClient)
        XCTAssertEqual(Direction.toClient.reversed, .toServer)
    }
}
