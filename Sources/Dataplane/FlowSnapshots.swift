import Codecs
import Flow
import Foundation
import L7Core
import Synchronization

/// One active flow as `GET /v1/flows` lists it.
public struct FlowSummary: Sendable {
    /// The flow's slot in its worker's table.
    public var slot: UInt32
    public var flowID: UInt64
    public var client: IPAddress
    public var server: IPAddress
    public var clientPort: UInt16
    public var serverPort: UInt16
    public var proto: UInt8
    public var iface: UInt16
    public var app: UInt8
    public var state: FlowState
    public var firstSeen: UInt64
    public var lastSeen: UInt64
    public var packets: UInt64
    public var bytes: UInt64
    /// The policy's effect so far (`Decision.Effect` raw value), 255 while undecided.
    public var verdict: UInt8
}

/// Active flows as the API lists them.
public typealias FlowSnapshots = WorkerSnapshots<FlowSummary>

/// Per-worker state on request (active flows, learned shapes): the API asks (one atomic
/// increment), each worker notices at its next batch (one atomic load), copies up to `limit`
/// items from its own tables into its own preallocated list under that list's lock, and
/// answers. No lock is taken unless asked.
public final class WorkerSnapshots<Item: Sendable>: Sendable {
    final class Slot: Sendable {
        let answered = Atomic<UInt64>(0)
        let flows: Mutex<[Item]>
        init(limit: Int) {
            var a: [Item] = []
            a.reserveCapacity(limit)
            flows = Mutex(a)
        }
    }
    let requested = Atomic<UInt64>(0)
    let slots: [Slot]
    /// Flows each worker lists at most.
    public let limit: Int

    /// Lists for `workers` workers, `limit` flows each.
    public init(workers: Int, limit: Int = 4096) {
        slots = (0..<max(1, workers)).map { _ in Slot(limit: limit) }
        self.limit = limit
    }

    /// The request generation a worker compares with its last answer.
    public var request: UInt64 { requested.load(ordering: .acquiring) }

    /// Worker `index` answers request `generation` with the flows `fill` appends.
    public func answer(worker index: Int, generation: UInt64, _ fill: (inout [Item]) -> Void) {
        slots[index].flows.withLock { list in
            list.removeAll(keepingCapacity: true)
            fill(&list)
        }
        slots[index].answered.store(generation, ordering: .releasing)
    }

    /// Asks every worker and waits (up to `timeoutMs`) for their lists; a worker that did not
    /// answer in time contributes nothing and is counted in `late`.
    public func collect(timeoutMs: Int = 500) -> (flows: [Item], late: Int) {
        let g = requested.add(1, ordering: .acquiringAndReleasing).newValue
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while Date() < deadline && !slots.allSatisfy({ $0.answered.load(ordering: .acquiring) >= g }) { usleep(500) }
        var out: [Item] = []
        var late = 0
        for s in slots {
            if s.answered.load(ordering: .acquiring) >= g { out += s.flows.withLock { $0 } } else { late += 1 }
        }
        return (out, late)
    }
}
