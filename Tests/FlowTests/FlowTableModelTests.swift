import SluiceTestSupport
import XCTest
import Codecs
import Stream
@testable import Flow

/// FlowTable against a Dictionary model: 50,000 seeded inserts, removals and lookups at
/// capacity 512, with most keys forced onto a few hash values (including ones whose probe
/// chains wrap around the end of the index and ones sharing a slot with different tags) so
/// backward-shift deletion is exercised on long, overlapping, wrapping clusters.
final class FlowTableModelTests: XCTestCase {
    /// Key `id`'s hash: real for some keys, forced into collision clusters for the rest.
    static func hash(for id: Int, key: FlowKey) -> UInt32 {
        let base = id / 4
        switch base % 4 {
        case 0: return key.hash
        case 1: return [1020, 1021, 1022, 1023][base % 3]              // slots at the end of the 1024-slot index
        case 2: return [5, 5 + 1024, 5 + 4096, 6][(base / 4) % 4]     // same slot, different tags
        default: return 0xdead_beef
        }
    }

    /// Key `id`: four variants per base differ only in VLAN, interface or protocol.
    static func key(_ id: Int) -> FlowKey {
        var k = FlowKey.v4(UInt32(id / 4))
        switch id % 4 {
        case 1: k.vlan = 1
        case 2: k.iface = 1
        case 3: k.proto = IPProto.udp
        default: break
        }
        return k
    }

    func testRandomOperationsMatchDictionaryModel() {
        var c = FlowConfig()
        c.capacity = 512
        var t = FlowTable(config: c)
        var model: [Int: UInt32] = [:]      // key id → entry index
        var rng = SplitMix(state: 0xf10e)
        let keySpace = 1600
        var mismatches: [String] = []
        var refusedWhenFull = 0
        var fewestAfterFull = Int.max
        func note(_ s: String) { if mismatches.count < 10 { mismatches.append(s) } }

        func check(_ id: Int, _ t: borrowing FlowTable, op: Int) {
            let k = Self.key(id), h = Self.hash(for: id, key: k)
            let there = t.find(k, hash: h), back = t.find(k, fromServer: true, hash: h)
            if let i = model[id] {
                if there != Found(index: i, direction: .toServer) { note("op \(op): key \(id) forward \(String(describing: there)) != \(i)") }
                if back != Found(index: i, direction: .toClient) { note("op \(op): key \(id) reverse \(String(describing: back)) != \(i)") }
            } else if there != nil || back != nil {
                note("op \(op): absent key \(id) found \(String(describing: there)) \(String(describing: back))")
            }
        }

        for op in 0..<50_000 {
            let id = Int.random(in: 0..<keySpace, using: &rng)
            let roll = Int.random(in: 0..<100, using: &rng)
            // Alternate fill-up and drain phases so the table is both full and sparse at times.
            let fillPhase = (op / 5000) % 2 == 0
            if roll < (fillPhase ? 70 : 30) {
                if model[id] == nil {
                    let k = Self.key(id)
                    let r = t.add(k, hash: Self.hash(for: id, key: k), now: UInt64(op))
                    if model.count == 512 {
                        if r != nil { note("op \(op): insert into a full table succeeded") }
                        refusedWhenFull += 1
                    } else if let i = r {
                        if model.values.contains(i) { note("op \(op): index \(i) handed out twice") }
                        if i >= 512 { note("op \(op): index \(i) out of range") }
                        model[id] = i
                    } else {
                        note("op \(op): insert refused with \(model.count) flows")
                    }
                }
            } else if roll < (fillPhase ? 85 : 80) {
                // Remove a present key (the one drawn, or any when it is absent).
                if let victim = model[id] != nil ? id : model.keys.randomElement(using: &rng) {
                    t.remove(model[victim]!)
                    model[victim] = nil
                    check(victim, t, op: op)
                }
            }
            check(id, t, op: op)
            if refusedWhenFull > 0 { fewestAfterFull = min(fewestAfterFull, model.count) }
            if t.count != model.count { note("op \(op): count \(t.count) != \(model.count)") }
            if op % 5000 == 4999 {
                for probe in 0..<keySpace { check(probe, t, op: op) }
                for (kid, i) in model {
                    let e = t.entries[Int(i)], k = Self.key(kid)
                    if e.client != k.client || e.clientPort != k.clientPort || e.vlan != k.vlan
                        || e.iface != k.iface || e.proto != k.proto {
                        note("op \(op): entry \(i) does not hold key \(kid)")
                    }
                }
            }
        }
        XCTAssertEqual(mismatches, [])
        XCTAssertGreaterThan(refusedWhenFull, 0, "the run should reach a full table")
        XCTAssertLessThan(fewestAfterFull, 50, "the drain phases should nearly empty a full table")
    }
}
