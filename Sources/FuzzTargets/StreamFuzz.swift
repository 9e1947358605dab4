import Stream

/// Sequences of TCP segments, both directions of two flows, through one `StreamReassembler`
/// with a small pool and per-flow cap, the way `Worker` calls it: segment, then the ACK it
/// carries for the other direction; flows end with flush and release.
///
/// Input: records of a control byte, a flags byte, a sequence number (a 16-bit step from
/// where that side last sent, or an absolute 32-bit value, so wrap-around and far jumps are
/// reachable), an acknowledgment step and a payload length. Payload bytes are the low byte
/// of their own sequence number, so the sink can check what first-wins must guarantee:
/// every delivered byte is the one sent at that position, and delivered bytes plus gaps
/// account for exactly the sequence space the stream moved over. A node leak shows as a
/// pool that is not full again once every flow ended.
enum StreamFuzz {
    /// Checks each delivery against the position the stream is at.
    struct CheckingSink: StreamSink {
        /// Next expected sequence number per (flow, direction).
        var cursor: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)

        static func slot(_ flow: UInt32, _ d: Direction) -> Int { Int(flow) * 2 + Int(d.rawValue) }

        func get(_ i: Int) -> UInt32 {
            switch i { case 0: cursor.0; case 1: cursor.1; case 2: cursor.2; default: cursor.3 }
        }

        mutating func set(_ i: Int, _ v: UInt32) {
            switch i { case 0: cursor.0 = v; case 1: cursor.1 = v; case 2: cursor.2 = v; default: cursor.3 = v }
        }

        mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
            precondition(bytes.count > 0, "empty delivery")
            let i = Self.slot(flow, direction)
            var at = get(i)
            for b in bytes {
                precondition(b == UInt8(truncatingIfNeeded: at), "delivered a byte not sent at its position")
                at &+= 1
            }
            set(i, at)
        }

        mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {
            precondition(length > 0 && length < 1 << 31, "gap of \(length)")
            let i = Self.slot(flow, direction)
            set(i, get(i) &+ length)
        }
    }

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var config = StreamConfig()
        config.chunkSize = 64
        config.poolBytes = 16 << 10
        config.perFlowBytes = 4 << 10
        var r = StreamReassembler(config: config)
        let poolNodes = r.freeNodes
        var states = [StreamDirectionState](repeating: StreamDirectionState(), count: 4)
        var sent = [UInt32](repeating: 0, count: 4)
        var sink = CheckingSink()
        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 14, alignment: 1)
        defer { payload.deallocate() }

        while !input.isAtEnd {
            let control = input.byte()
            let flow = UInt32(control >> 1 & 1)
            let direction: Direction = control & 1 == 0 ? .toServer : .toClient
            let i = CheckingSink.slot(flow, direction)
            let other = CheckingSink.slot(flow, direction.reversed)
            if control >> 2 & 7 == 7 {
                // The flow ends, as `Worker.endFlow` ends it.
                for d in [Direction.toServer, .toClient] {
                    let k = CheckingSink.slot(flow, d)
                    r.flush(&states[k], flow: flow, direction: d, sink: &sink)
                    if states[k].started { verify(states[k], sink.get(k)) }
                    r.release(&states[k])
                    states[k] = StreamDirectionState()
                }
                continue
            }
            let flags = input.byte() & 0x13
            let seq: UInt32
            if control & 0x20 != 0 {
                seq = UInt32(input.uint16()) << 16 | UInt32(input.uint16())
            } else {
                seq = sent[i] &+ UInt32(bitPattern: Int32(Int16(bitPattern: input.uint16())))
            }
            let ackStep = Int32(Int8(bitPattern: input.byte())) &* 64
            let ack = sent[other] &+ UInt32(bitPattern: ackStep)
            // Up to 1 KiB, or 16 KiB (past the per-flow cap, across many nodes) with bit 6.
            let length = Int(input.uint16()) & (control & 0x40 != 0 ? 0x3fff : 0x3ff)
            let dataSeq = flags & 0x02 != 0 ? seq &+ 1 : seq
            for k in 0..<length { payload[k] = UInt8(truncatingIfNeeded: dataSeq &+ UInt32(truncatingIfNeeded: k)) }
            if !states[i].started { sink.set(i, dataSeq) }
            r.segment(&states[i], flow: flow, direction: direction, seq: seq, flags: flags,
                      payload: UnsafeRawBufferPointer(rebasing: payload[0..<length]), sink: &sink)
            sent[i] = dataSeq &+ UInt32(truncatingIfNeeded: length)
            if states[i].started { verify(states[i], sink.get(i)) }
            if flags & 0x10 != 0 {
                r.acknowledged(&states[other], flow: flow, direction: direction.reversed, ack: ack, sink: &sink)
                if states[other].started { verify(states[other], sink.get(other)) }
            }
        }
        for k in 0..<4 {
            let d: Direction = k & 1 == 0 ? .toServer : .toClient
            r.flush(&states[k], flow: UInt32(k >> 1), direction: d, sink: &sink)
            r.release(&states[k])
        }
        precondition(r.freeNodes == poolNodes, "\(poolNodes - r.freeNodes) pool nodes leaked")
    }

    /// The stream's position is where the sink got to (plus one once the FIN was consumed),
    /// and the buffered byte count matches the nodes' total.
    static func verify(_ st: StreamDirectionState, _ cursor: UInt32) {
        let expected = st.finConsumed ? cursor &+ 1 : cursor
        precondition(st.nextSeq == expected, "stream at \(st.nextSeq), sink at \(expected)")
        precondition(st.oooHead != 0 || st.oooBytes == 0, "\(st.oooBytes) bytes buffered in no node")
    }
}
