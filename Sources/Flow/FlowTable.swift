import Codecs
import Stream

/// One worker's flows: a fixed array of entries, an open-addressing index over them (linear
/// probing, backward-shift deletion), and one expiry list per timeout class ordered by last
/// activity. Everything is allocated in `init`; lookups, inserts and removals never allocate.
public struct FlowTable: ~Copyable {
    /// The entries; valid at indices handed out by `insert` until `remove`.
    public let entries: UnsafeMutablePointer<FlowEntry>
    /// Index slots: entry index + 1, 0 when empty.
    @usableFromInline let slots: UnsafeMutablePointer<UInt32>
    /// The hash of the entry in each slot, compared before touching the entry.
    @usableFromInline let tags: UnsafeMutablePointer<UInt32>
    @usableFromInline let mask: Int
    /// Most flows held at once.
    public let capacity: Int
    @usableFromInline var freeHead: UInt32
    /// Flows held now.
    public var count: Int { held }
    @usableFromInline var held: Int = 0
    @usableFromInline let listHeads: UnsafeMutablePointer<UInt32>
    @usableFromInline let listTails: UnsafeMutablePointer<UInt32>
    @usableFromInline let timeoutNanos: UnsafeMutablePointer<UInt64>
    @usableFromInline var idCounter: UInt64 = 0

    /// Allocates a table for `config.capacity` flows.
    public init(config: FlowConfig = FlowConfig()) {
        capacity = max(1, config.capacity)
        var size = 1
        while size < capacity * 2 { size <<= 1 }
        mask = size - 1
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: FlowEntry(), count: capacity)
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        tags = .allocate(capacity: size)
        tags.initialize(repeating: 0, count: size)
        // Free entries are chained through `next`.
        for i in 0..<capacity { entries[i].next = i + 1 < capacity ? UInt32(i + 2) : 0 }
        freeHead = 1
        let classes = TimeoutClass.allCases.count
        listHeads = .allocate(capacity: classes)
        listHeads.initialize(repeating: 0, count: classes)
        listTails = .allocate(capacity: classes)
        listTails.initialize(repeating: 0, count: classes)
        timeoutNanos = .allocate(capacity: classes)
        let t = config.timeouts.nanos
        for i in 0..<classes { timeoutNanos[i] = t[i] }
    }

    deinit {
        entries.deallocate(); slots.deallocate(); tags.deallocate()
        listHeads.deallocate(); listTails.deallocate(); timeoutNanos.deallocate()
    }

    /// Finds the flow a packet belongs to. Returns the entry index and the packet's direction.
    @inlinable
    public func lookup(src: IPAddress, srcPort: UInt16, dst: IPAddress, dstPort: UInt16,
                       proto: UInt8, vlan: UInt16, iface: UInt16, hash: UInt32) -> (index: UInt32, direction: Direction)? {
        var s = Int(hash) & mask
        while true {
            let v = slots[s]
            if v == 0 { return nil }
            if tags[s] == hash {
                let e = entries + Int(v - 1)
                if e.pointee.proto == proto && e.pointee.vlan == vlan && e.pointee.iface == iface {
                    if e.pointee.clientPort == srcPort && e.pointee.serverPort == dstPort
                        && e.pointee.client == src && e.pointee.server == dst {
                        return (v - 1, .toServer)
                    }
                    if e.pointee.clientPort == dstPort && e.pointee.serverPort == srcPort
                        && e.pointee.client == dst && e.pointee.server == src {
                        return (v - 1, .toClient)
                    }
                }
            }
            s = (s + 1) & mask
        }
    }

    /// Adds a flow with `client` as initiator; nil when the table is full (evict first).
    @inlinable
    public mutating func insert(client: IPAddress, clientPort: UInt16, server: IPAddress, serverPort: UInt16,
                                proto: UInt8, ipVersion: UInt8, vlan: UInt16, iface: UInt16,
                                hash: UInt32, now: UInt64) -> UInt32? {
        guard freeHead != 0 else { return nil }
        let index = freeHead - 1
        let e = entries + Int(index)
        freeHead = e.pointee.next
        e.pointee = FlowEntry()
        e.pointee.client = client; e.pointee.clientPort = clientPort
        e.pointee.server = server; e.pointee.serverPort = serverPort
        e.pointee.proto = proto; e.pointee.ipVersion = ipVersion
        e.pointee.vlan = vlan; e.pointee.iface = iface; e.pointee.hash = hash
        e.pointee.firstSeen = now; e.pointee.lastSeen = now
        idCounter &+= 1
        e.pointee.flowID = FlowHash.mix(UInt64(hash) << 32 ^ now ^ idCounter &* 0x9e37_79b9) & ((1 << 51) - 1)
        e.pointee.timeoutClass = e.pointee.currentTimeoutClass
        var s = Int(hash) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = index + 1
        tags[s] = hash
        listAppend(index, e.pointee.timeoutClass)
        held += 1
        return index
    }

    /// Moves a flow to the tail of its (possibly new) timeout list after a packet.
    @inlinable
    public mutating func touch(_ index: UInt32) {
        let e = entries + Int(index)
        let cls = e.pointee.currentTimeoutClass
        if cls == e.pointee.timeoutClass && listTails[Int(cls.rawValue)] == index + 1 { return }
        listUnlink(index)
        e.pointee.timeoutClass = cls
        listAppend(index, cls)
    }

    /// Removes a flow; its index may be handed out again by the next `insert`.
    @inlinable
    public mutating func remove(_ index: UInt32) {
        let hash = entries[Int(index)].hash
        var s = Int(hash) & mask
        while slots[s] != index + 1 { s = (s + 1) & mask }
        // Backward-shift deletion keeps probe chains unbroken without tombstones.
        var hole = s
        var j = s
        while true {
            j = (j + 1) & mask
            if slots[j] == 0 { break }
            let ideal = Int(tags[j]) & mask
            let movable = hole <= j ? (ideal <= hole || ideal > j) : (ideal <= hole && ideal > j)
            if movable {
                slots[hole] = slots[j]
                tags[hole] = tags[j]
                hole = j
            }
        }
        slots[hole] = 0
        listUnlink(index)
        entries[Int(index)].next = freeHead
        freeHead = index + 1
        held -= 1
    }

    /// The flow idle past its timeout with the oldest activity, if any is.
    @inlinable
    public func expired(now: UInt64) -> UInt32? {
        var best: UInt32 = 0
        var bestSeen = UInt64.max
        for c in 0..<TimeoutClass.allCases.count {
            let h = listHeads[c]
            if h == 0 { continue }
            let seen = entries[Int(h - 1)].lastSeen
            // Compared as an age, not `seen + timeout`: near the end of the clock (a capture's
            // timestamp is whatever its file says) that sum wraps and every flow looks expired.
            if seen <= now && now - seen >= timeoutNanos[c] && seen < bestSeen { best = h; bestSeen = seen }
        }
        return best == 0 ? nil : best - 1
    }

    /// Calls `body` with every active flow's index, per timeout class from the least recently
    /// active; stops when `body` returns false. (For snapshots off the packet path.)
    public func forEachActive(_ body: (UInt32) -> Bool) {
        for c in 0..<TimeoutClass.allCases.count {
            var i = listHeads[c]
            while i != 0 {
                guard body(i - 1) else { return }
                i = entries[Int(i - 1)].next
            }
        }
    }

    /// The flow with the oldest activity across all classes: the one to evict under pressure.
    @inlinable
    public func oldest() -> UInt32? {
        var best: UInt32 = 0
        var bestSeen = UInt64.max
        for c in 0..<TimeoutClass.allCases.count {
            let h = listHeads[c]
            if h != 0 && entries[Int(h - 1)].lastSeen < bestSeen { best = h; bestSeen = entries[Int(h - 1)].lastSeen }
        }
        return best == 0 ? nil : best - 1
    }

    @inlinable
    mutating func listAppend(_ index: UInt32, _ cls: TimeoutClass) {
        let c = Int(cls.rawValue)
        let e = entries + Int(index)
        e.pointee.prev = listTails[c]
        e.pointee.next = 0
        if listTails[c] != 0 { entries[Int(listTails[c] - 1)].next = index + 1 } else { listHeads[c] = index + 1 }
        listTails[c] = index + 1
    }

    @inlinable
    mutating func listUnlink(_ index: UInt32) {
        let c = Int(entries[Int(index)].timeoutClass.rawValue)
        let prev = entries[Int(index)].prev, next = entries[Int(index)].next
        if prev != 0 { entries[Int(prev - 1)].next = next } else { listHeads[c] = next }
        if next != 0 { entries[Int(next - 1)].prev = prev } else { listTails[c] = prev }
    }
}
