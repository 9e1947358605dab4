/// Turns one worker's TCP segments into in-order byte streams.
///
/// In-order bytes go straight from the captured frame to the sink (no copy). Segments that
/// arrive ahead of the stream are copied into a fixed pool of nodes, kept sorted by sequence
/// number and non-overlapping, and drained when the hole before them fills.
///
/// Overlap policy is first-wins: bytes already delivered or buffered are never replaced by a
/// later segment covering the same sequence numbers; the later copy is counted and discarded.
/// A hole becomes a reported gap when the peer acknowledges past it, when the flow's buffer
/// cap or the pool runs out, or when the flow ends.
public struct StreamReassembler: ~Copyable {
    @usableFromInline let chunkSize: Int
    @usableFromInline let nodeCount: Int
    @usableFromInline let perFlowCap: Int
    @usableFromInline let data: UnsafeMutableRawPointer
    @usableFromInline let nodeSeq: UnsafeMutablePointer<UInt32>
    @usableFromInline let nodeLen: UnsafeMutablePointer<UInt32>
    /// Next node (index + 1) in a flow's list or the free list; 0 ends a list.
    @usableFromInline let nodeNext: UnsafeMutablePointer<UInt32>
    @usableFromInline var freeHead: UInt32
    @usableFromInline var freeCount: Int
    /// Counters for this worker.
    public var counters = StreamCounters()

    /// Allocates the node pool described by `config`.
    public init(config: StreamConfig = StreamConfig()) {
        chunkSize = max(64, config.chunkSize)
        nodeCount = max(1, config.poolBytes / chunkSize)
        perFlowCap = config.perFlowBytes
        data = UnsafeMutableRawPointer.allocate(byteCount: nodeCount * chunkSize, alignment: 64)
        nodeSeq = .allocate(capacity: nodeCount)
        nodeLen = .allocate(capacity: nodeCount)
        nodeNext = .allocate(capacity: nodeCount)
        for i in 0..<nodeCount { nodeNext[i] = i + 1 < nodeCount ? UInt32(i + 2) : 0 }
        freeHead = 1
        freeCount = nodeCount
    }

    deinit {
        data.deallocate(); nodeSeq.deallocate(); nodeLen.deallocate(); nodeNext.deallocate()
    }

    /// Nodes currently free in the pool.
    public var freeNodes: Int { freeCount }

    /// Feeds one segment sent by `direction`'s side. `flags` are the TCP flags.
    @inlinable
    public mutating func segment<S: StreamSink & ~Copyable>(
        _ st: inout StreamDirectionState, flow: UInt32, direction: Direction,
        seq: UInt32, flags: UInt8, payload: UnsafeRawBufferPointer, sink: inout S
    ) {
        var dataSeq = seq
        if flags & 0x02 != 0 {
            if !st.started {
                st.started = true
                st.isn = seq
                st.nextSeq = seq &+ 1
            }
            st.synSeen = true
            dataSeq = seq &+ 1
        }
        let fin = flags & 0x01 != 0
        if !st.started && (payload.count > 0 || fin) {
            // Midstream pickup: the first data we see starts the stream.
            st.started = true
            st.isn = dataSeq &- 1
            st.nextSeq = dataSeq
        }
        var bytes = payload
        if st.finSeen {
            // Nothing follows a FIN: bytes past it would take the FIN's sequence number
            // without a gap being reported.
            let room = max(0, Seq.diff(dataSeq, st.finSeq))
            if room < bytes.count {
                counters.pastFinBytes &+= UInt64(bytes.count - room)
                bytes = UnsafeRawBufferPointer(rebasing: bytes[..<room])
            }
        }
        if bytes.count > 0 {
            counters.segments &+= 1
            insert(&st, flow: flow, direction: direction, seq: dataSeq, bytes: bytes, sink: &sink, retry: true)
        }
        if fin && !st.finSeen {
            st.finSeen = true
            st.finSeq = dataSeq &+ UInt32(truncatingIfNeeded: bytes.count)
            dropPastFin(&st)
        }
        consumeFin(&st)
    }

    /// The peer acknowledged up to `ack` of `direction`'s stream: bytes it acknowledged that
    /// we never saw are reported as a gap, so the stream moves on.
    @inlinable
    public mutating func acknowledged<S: StreamSink & ~Copyable>(
        _ st: inout StreamDirectionState, flow: UInt32, direction: Direction, ack: UInt32, sink: inout S
    ) {
        guard st.started, !st.finConsumed, Seq.gt(ack, st.nextSeq) else { return }
        var limit = ack
        if st.finSeen && Seq.gt(limit, st.finSeq) { limit = st.finSeq }
        // Each hole up to the acknowledged point becomes a gap; buffered bytes between holes are delivered.
        while Seq.gt(limit, st.nextSeq) {
            var target = limit
            if st.oooHead != 0 {
                let head = nodeSeq[Int(st.oooHead - 1)]
                if Seq.lt(head, target) { target = head }
            }
            if Seq.gt(target, st.nextSeq) { gap(&st, flow: flow, direction: direction, to: target, sink: &sink) }
            drain(&st, flow: flow, direction: direction, sink: &sink)
        }
        consumeFin(&st)
    }

    /// Ends the stream: buffered bytes are delivered with the holes between them reported as
    /// gaps, and the nodes go back to the pool.
    @inlinable
    public mutating func flush<S: StreamSink & ~Copyable>(
        _ st: inout StreamDirectionState, flow: UInt32, direction: Direction, sink: inout S
    ) {
        while st.oooHead != 0 {
            let head = nodeSeq[Int(st.oooHead - 1)]
            if Seq.gt(head, st.nextSeq) { gap(&st, flow: flow, direction: direction, to: head, sink: &sink) }
            drain(&st, flow: flow, direction: direction, sink: &sink)
        }
        consumeFin(&st)
    }

    /// Returns the direction's buffered nodes to the pool without delivering them.
    @inlinable
    public mutating func release(_ st: inout StreamDirectionState) {
        var n = st.oooHead
        while n != 0 {
            let next = nodeNext[Int(n - 1)]
            freeNode(n)
            n = next
        }
        st.oooHead = 0
        st.oooBytes = 0
    }

    // MARK: - Internals

    @inlinable
    mutating func consumeFin(_ st: inout StreamDirectionState) {
        if st.finSeen && !st.finConsumed && st.nextSeq == st.finSeq && st.oooHead == 0 {
            st.finConsumed = true
            st.nextSeq &+= 1
        }
    }

    /// Cuts buffered bytes at or past a FIN that just arrived (out of order data sent "after"
    /// it), so draining can never carry the stream over the FIN.
    @inlinable
    mutating func dropPastFin(_ st: inout StreamDirectionState) {
        var prev: UInt32 = 0
        var n = st.oooHead
        while n != 0 {
            let i = Int(n - 1)
            let next = nodeNext[i]
            let len = Int(nodeLen[i])
            let room = max(0, Seq.diff(nodeSeq[i], st.finSeq))
            if room >= len { prev = n; n = next; continue }
            counters.pastFinBytes &+= UInt64(len - room)
            st.oooBytes &-= UInt32(len - room)
            if room > 0 {
                nodeLen[i] = UInt32(room)
                prev = n
            } else {
                if prev == 0 { st.oooHead = next } else { nodeNext[Int(prev - 1)] = next }
                freeNode(n)
            }
            n = next
        }
    }

    @inlinable
    mutating func gap<S: StreamSink & ~Copyable>(
        _ st: inout StreamDirectionState, flow: UInt32, direction: Direction, to target: UInt32, sink: inout S
    ) {
        let length = UInt32(Seq.diff(st.nextSeq, target))
        sink.streamGap(flow: flow, direction: direction, length: length)
        counters.gaps &+= 1
        counters.gapBytes &+= UInt64(length)
        st.gapBytes &+= UInt64(length)
        st.nextSeq = target
    }

    @inlinable
    mutating func insert<S: StreamSink & ~Copyable>(
        _ st: inout StreamDirectionState, flow: UInt32, direction: Direction,
        seq: UInt32, bytes: UnsafeRawBufferPointer, sink: inout S, retry: Bool
    ) {
        var s = seq
        var p = bytes
        let end = seq &+ UInt32(truncatingIfNeeded: bytes.count)
        if Seq.le(end, st.nextSeq) {
            counters.retransmissions &+= 1
            counters.overlapBytes &+= UInt64(bytes.count)
            return
        }
        if Seq.lt(s, st.nextSeq) {
            let trim = Seq.diff(s, st.nextSeq)
            counters.overlaps &+= 1
            counters.overlapBytes &+= UInt64(trim)
            s = st.nextSeq
            p = UnsafeRawBufferPointer(rebasing: p[trim...])
        }
        if s == st.nextSeq {
            var inOrder = p.count
            if st.oooHead != 0 {
                let head = nodeSeq[Int(st.oooHead - 1)]
                if Seq.lt(head, end) { inOrder = Seq.diff(s, head) }
            }
            deliver(&st, flow: flow, direction: direction, UnsafeRawBufferPointer(rebasing: p[..<inOrder]), sink: &sink)
            if inOrder < p.count {
                // The rest overlaps bytes buffered earlier: those win, only holes are filled.
                let rest = UnsafeRawBufferPointer(rebasing: p[inOrder...])
                buffer(&st, flow: flow, direction: direction, seq: st.nextSeq, bytes: rest, sink: &sink, retry: retry)
            }
            drain(&st, flow: flow, direction: direction, sink: &sink)
        } else {
            counters.outOfOrder &+= 1
            buffer(&st, flow: flow, direction: direction, seq: s, bytes: p, sink: &sink, retry: retry)
        }
    }

    @inlinable
    mutating func deliver<S: StreamSink & ~Copyable>(
        _ st: inout StreamDirectionState, flow: UInt32, direction: Direction,
        _ bytes: UnsafeRawBufferPointer, sink: inout S
    ) {
        guard bytes.count > 0 else { return }
        sink.streamData(flow: flow, direction: direction, bytes: bytes)
        st.nextSeq &+= UInt32(truncatingIfNeeded: bytes.count)
        st.delivered &+= UInt64(bytes.count)
    }

    @inlinable
    mutating func drain<S: StreamSink & ~Copyable>(
        _ st: inout StreamDirectionState, flow: UInt32, direction: Direction, sink: inout S
    ) {
        while st.oooHead != 0 {
            let n = st.oooHead
            let i = Int(n - 1)
            let seq = nodeSeq[i]
            guard Seq.le(seq, st.nextSeq) else { return }
            let len = Int(nodeLen[i])
            let nodeEnd = seq &+ UInt32(len)
            if Seq.gt(nodeEnd, st.nextSeq) {
                let off = Seq.diff(seq, st.nextSeq)
                let bytes = UnsafeRawBufferPointer(start: data + i * chunkSize + off, count: len - off)
                deliver(&st, flow: flow, direction: direction, bytes, sink: &sink)
            }
            st.oooHead = nodeNext[i]
            st.oooBytes &-= UInt32(len)
            freeNode(n)
        }
    }

    /// Copies the holes of [seq, seq+count) into nodes linked in order; bytes that fall on
    /// nodes already held are the overlap that first-wins discards.
    @inlinable
    mutating func buffer<S: StreamSink & ~Copyable>(
        _ st: inout StreamDirectionState, flow: UInt32, direction: Direction,
        seq: UInt32, bytes: UnsafeRawBufferPointer, sink: inout S, retry: Bool
    ) {
        let end = seq &+ UInt32(truncatingIfNeeded: bytes.count)
        var pos = seq
        var prev: UInt32 = 0
        var cur = st.oooHead
        var overlapped = false
        while Seq.lt(pos, end) {
            while cur != 0 && Seq.le(nodeSeq[Int(cur - 1)] &+ nodeLen[Int(cur - 1)], pos) {
                prev = cur
                cur = nodeNext[Int(cur - 1)]
            }
            if cur != 0 && Seq.le(nodeSeq[Int(cur - 1)], pos) {
                let nodeEnd = nodeSeq[Int(cur - 1)] &+ nodeLen[Int(cur - 1)]
                let stop = Seq.lt(nodeEnd, end) ? nodeEnd : end
                counters.overlapBytes &+= UInt64(Seq.diff(pos, stop))
                overlapped = true
                pos = stop
                continue
            }
            var holeEnd = end
            if cur != 0 && Seq.lt(nodeSeq[Int(cur - 1)], end) { holeEnd = nodeSeq[Int(cur - 1)] }
            while Seq.lt(pos, holeEnd) {
                let take = min(chunkSize, Seq.diff(pos, holeEnd))
                let capHit = Int(st.oooBytes) + take > perFlowCap
                if capHit || freeCount == 0 {
                    if capHit { counters.flowCapHits &+= 1 } else { counters.poolHits &+= 1 }
                    // Out of room: give up on the oldest hole so the stream moves on, then retry once.
                    if retry && st.oooHead != 0 {
                        let head = nodeSeq[Int(st.oooHead - 1)]
                        if Seq.gt(head, st.nextSeq) { gap(&st, flow: flow, direction: direction, to: head, sink: &sink) }
                        drain(&st, flow: flow, direction: direction, sink: &sink)
                        let from = Seq.diff(seq, pos)
                        insert(&st, flow: flow, direction: direction, seq: pos,
                               bytes: UnsafeRawBufferPointer(rebasing: bytes[from...]), sink: &sink, retry: false)
                    } else {
                        // Only what is finally left out is counted as dropped.
                        let missing = UInt64(Seq.diff(pos, end))
                        if capHit { counters.flowCapDrops &+= missing } else { counters.poolDrops &+= missing }
                    }
                    if overlapped { counters.overlaps &+= 1 }
                    return
                }
                let n = freeHead
                let i = Int(n - 1)
                freeHead = nodeNext[i]
                freeCount -= 1
                let from = Seq.diff(seq, pos)
                (data + i * chunkSize).copyMemory(from: bytes.baseAddress! + from, byteCount: take)
                nodeSeq[i] = pos
                nodeLen[i] = UInt32(take)
                nodeNext[i] = cur
                if prev == 0 { st.oooHead = n } else { nodeNext[Int(prev - 1)] = n }
                prev = n
                st.oooBytes &+= UInt32(take)
                pos &+= UInt32(take)
            }
        }
        if overlapped { counters.overlaps &+= 1 }
    }

    @inlinable
    mutating func freeNode(_ n: UInt32) {
        nodeNext[Int(n - 1)] = freeHead
        freeHead = n
        freeCount += 1
    }
}
