/// Capture on alert: one worker's recent frames with their flow ids, so that when a sensor or
/// policy event fires on a flow, the packets that led to it can still be saved, followed by
/// the flow's next N frames as they pass.
///
/// The history is a fixed ring of bytes (4 MiB by default) allocated at creation: each frame
/// is copied in (cut to the snap length) with a small header, evicting the oldest frames when
/// full. Recording a frame and feeding armed saves allocate nothing; only
/// ``saveFlow(flowID:next:to:)``, called when an event fires, opens a file. Owned by one
/// worker thread: no locks.
public final class FlowHistory {
    /// The ring's size in bytes.
    public let capacity: Int
    /// Bytes kept of each frame.
    public let snapLength: Int
    /// Names of the worker's interfaces, by `iface` number, written into the files.
    public let interfaceNames: [String]
    let budget: DiskBudget?
    let ring: UnsafeMutableRawPointer
    /// Offset of the oldest record.
    var head = 0
    /// Offset where the next record goes.
    var tail = 0
    /// While wrapped, records run from `head` to `end`, then from 0 to `tail`.
    var end = 0
    var wrapped = false
    /// Frames in the ring.
    public private(set) var frameCount = 0
    var saves: [Save]
    /// Saves in progress (the flow's next frames are still being appended).
    public private(set) var armedCount = 0
    /// Frames of armed flows not written because the disk budget was used up (the file is then closed).
    public private(set) var budgetDrops: UInt64 = 0

    /// A record's fixed header: flow id, timestamp, wire length, captured length, interface.
    static let recordHeader = 32

    /// One flow being saved.
    struct Save {
        var flowID: UInt64 = 0
        var remaining = 0
        var writer: PcapngWriter?
        /// Per iface number: 1 + the file's interface id, 0 before the interface was described.
        var interfaceSlots: [UInt32] = []
    }

    /// What a save wrote so far, for the event that asked for it.
    public struct SaveResult: Sendable, Equatable {
        /// The pcapng file (for an already armed flow, the file of that earlier save).
        public var path: String
        /// Frames of the flow that were still in the history and were written now.
        public var earlierFrames: Int
    }

    /// A history of `capacity` bytes keeping `snapLength` bytes of each frame, for a worker
    /// whose interfaces are `interfaceNames` (by `iface`), with at most `maxSaves` saves
    /// armed at once. Saved files take their bytes from `budget` when one is given.
    public init(capacity: Int = 4 << 20, snapLength: Int = 65_535, interfaceNames: [String],
                maxSaves: Int = 8, budget: DiskBudget? = nil) {
        // Room for two frames at the snap length, so a full-size frame always fits.
        let snap = max(snapLength, 64)
        self.capacity = max(capacity, 2 * (Self.recordHeader + snap + 8)) & ~7
        self.snapLength = snap
        self.interfaceNames = interfaceNames
        self.budget = budget
        ring = .allocate(byteCount: self.capacity, alignment: 8)
        saves = Array(repeating: Save(), count: max(maxSaves, 1))
    }

    deinit {
        for i in saves.indices where saves[i].writer != nil { finish(i) }
        ring.deallocate()
    }

    /// Records one frame of flow `flowID` seen on `iface`, and appends it to the flow's save
    /// file if one is armed. Call for every frame whose flow is known.
    @inline(__always)
    public func offer(frame: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64, iface: UInt16, flowID: UInt64) {
        append(frame: frame, wireLength: wireLength, timestamp: timestamp, iface: iface, flowID: flowID)
        if armedCount == 0 { return }
        for i in saves.indices where saves[i].writer != nil && saves[i].flowID == flowID {
            write(i, frame: frame, wireLength: wireLength, timestamp: timestamp, iface: iface)
            saves[i].remaining -= 1
            if saves[i].remaining <= 0 { finish(i) }  // no-op when the write already closed it
        }
    }

    /// Writes the flow's frames still in the history to a new pcapng file at `path` and arms
    /// it so the flow's next `next` frames (passed to ``offer(frame:wireLength:timestamp:iface:flowID:)``)
    /// are appended, then the file is closed. If the flow is already being saved, nothing new
    /// is written and the earlier file is named.
    public func saveFlow(flowID: UInt64, next: Int, to path: String) throws(CaptureError) -> SaveResult {
        if let i = saves.firstIndex(where: { $0.writer != nil && $0.flowID == flowID }) {
            return SaveResult(path: saves[i].writer!.path, earlierFrames: 0)
        }
        guard let slot = saves.firstIndex(where: { $0.writer == nil }) else { throw CaptureError.tooManyFlowSaves(saves.count) }
        let writer = try PcapngWriter(path: path, bufferSize: 64 * 1024)
        budget?.force(writer.bytesWritten)
        saves[slot] = Save(flowID: flowID, remaining: next, writer: writer,
                           interfaceSlots: [UInt32](repeating: 0, count: max(interfaceNames.count, 1)))
        armedCount += 1
        var earlier = 0
        forEachRecord { r in
            guard r.load(fromByteOffset: 0, as: UInt64.self) == flowID else { return }
            let ts = r.load(fromByteOffset: 8, as: UInt64.self)
            let wire = Int(r.load(fromByteOffset: 16, as: UInt32.self))
            let cap = Int(r.load(fromByteOffset: 20, as: UInt32.self))
            let iface = r.load(fromByteOffset: 24, as: UInt16.self)
            write(slot, frame: UnsafeRawBufferPointer(start: r + Self.recordHeader, count: cap), wireLength: wire,
                  timestamp: ts, iface: iface)
            earlier += 1
        }
        if saves[slot].writer != nil {
            if next <= 0 { finish(slot) } else { do { try writer.flush() } catch { finish(slot) } }
        }
        return SaveResult(path: path, earlierFrames: earlier)
    }

    // MARK: - The ring

    /// Copies a frame into the ring, evicting the oldest records it needs room from.
    @inline(__always)
    func append(frame: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64, iface: UInt16, flowID: UInt64) {
        let cap = min(frame.count, snapLength)
        let size = Self.recordHeader + (cap + 7) & ~7
        while true {
            if !wrapped {
                if tail + size <= capacity { break }
                // No room before the end: the records so far become the upper run, write from 0.
                wrapped = true
                end = tail
                tail = 0
            }
            if tail + size <= head { break }
            evictOldest()
        }
        let r = ring + tail
        r.storeBytes(of: flowID, toByteOffset: 0, as: UInt64.self)
        r.storeBytes(of: timestamp, toByteOffset: 8, as: UInt64.self)
        r.storeBytes(of: UInt32(clamping: wireLength), toByteOffset: 16, as: UInt32.self)
        r.storeBytes(of: UInt32(cap), toByteOffset: 20, as: UInt32.self)
        r.storeBytes(of: iface, toByteOffset: 24, as: UInt16.self)
        if cap > 0 { (r + Self.recordHeader).copyMemory(from: frame.baseAddress!, byteCount: cap) }
        tail += size
        frameCount += 1
    }

    /// Drops the oldest record (only called while wrapped, when the write run reached it).
    func evictOldest() {
        let cap = Int((ring + head).load(fromByteOffset: 20, as: UInt32.self))
        head += Self.recordHeader + (cap + 7) & ~7
        frameCount -= 1
        if head >= end {
            // The upper run is gone: what remains starts at 0.
            wrapped = false
            head = 0
            end = 0
        }
    }

    /// Calls `body` with each record, oldest first.
    func forEachRecord(_ body: (UnsafeMutableRawPointer) -> Void) {
        func run(_ from: Int, _ to: Int) {
            var o = from
            while o < to {
                let r = ring + o
                body(r)
                o += Self.recordHeader + (Int(r.load(fromByteOffset: 20, as: UInt32.self)) + 7) & ~7
            }
        }
        if wrapped { run(head, end); run(0, tail) } else { run(head, tail) }
    }

    // MARK: - Saves

    /// Appends a frame to save `i`, describing its interface first if new; closes the save
    /// when the budget or the disk refuses.
    func write(_ i: Int, frame: UnsafeRawBufferPointer, wireLength: Int, timestamp: UInt64, iface: UInt16) {
        guard let writer = saves[i].writer else { return }
        let k = Int(iface)
        do {
            if k >= saves[i].interfaceSlots.count || saves[i].interfaceSlots[k] == 0 {
                let name = k < interfaceNames.count ? interfaceNames[k] : "iface\(k)"
                let before = writer.bytesWritten
                let id = try writer.addInterface(name: name, snapLength: snapLength)
                budget?.force(writer.bytesWritten - before)
                if k >= saves[i].interfaceSlots.count {
                    saves[i].interfaceSlots += [UInt32](repeating: 0, count: k + 1 - saves[i].interfaceSlots.count)
                }
                saves[i].interfaceSlots[k] = id + 1
            }
            let block = PcapngWriter.packetBlockLength(capturedLength: min(frame.count, snapLength))
            if let budget, !budget.reserve(block) { budgetDrops &+= 1; finish(i); return }
            try writer.writePacket(interface: saves[i].interfaceSlots[k] - 1, timestamp: timestamp, frame: frame,
                                   wireLength: wireLength)
        } catch {
            finish(i)
        }
    }

    /// Closes save `i` and frees its slot.
    func finish(_ i: Int) {
        guard saves[i].writer != nil else { return }
        try? saves[i].writer?.close()
        saves[i].writer = nil
        saves[i].remaining = 0
        armedCount -= 1
    }
}
