import XCTest
import Codecs
import Stream
@testable import Flow

/// FlowTable basics: insert and lookup in both directions, key fields that must all match
/// (addresses, ports, protocol, VLAN, interface), removal, count/capacity, a full table,
/// index reuse and the fields an inserted entry starts with.
final class FlowTableTests: XCTestCase {
    func makeTable(capacity: Int = 8) -> FlowTable {
        var c = FlowConfig()
        c.capacity = capacity
        return FlowTable(config: c)
    }

    func testInsertThenLookupBothDirections() {
        var t = makeTable()
        let k = FlowKey.v4(1)
        guard let i = t.add(k, now: 5) else { return XCTFail("insert failed") }
        XCTAssertEqual(t.find(k), Found(index: i, direction: .toServer))
        XCTAssertEqual(t.find(k, fromServer: true), Found(index: i, direction: .toClient))
        XCTAssertEqual(t.count, 1)
    }

    func testInsertedEntryFields() {
        var t = makeTable()
        let k = FlowKey(client: IPAddress("2001:db8::1")!, clientPort: 5000, server: IPAddress("fd77::2")!,
                        serverPort: 53, proto: IPProto.udp, vlan: 12, iface: 3)
        guard let i = t.add(k, now: 77 * second) else { return XCTFail("insert failed") }
        let e = t.entries[Int(i)]
        XCTAssertEqual(e.client, k.client)
        XCTAssertEqual(e.server, k.server)
        XCTAssertEqual(e.clientPort, 5000)
        XCTAssertEqual(e.serverPort, 53)
        XCTAssertEqual(e.proto, IPProto.udp)
        XCTAssertEqual(e.ipVersion, 6)
        XCTAssertEqual(e.vlan, 12)
        XCTAssertEqual(e.iface, 3)
        XCTAssertEqual(e.hash, k.hash)
        XCTAssertEqual(e.firstSeen, 77 * second)
        XCTAssertEqual(e.lastSeen, 77 * second)
        XCTAssertEqual(e.state, .new)
        XCTAssertEqual(e.tcpState, .none)
        XCTAssertEqual(e.timeoutClass, .udpNew)
        XCTAssertEqual(e.pktsToServer + e.pktsToClient, 0)
        XCTAssertLessThan(e.flowID, 1 << 51)
    }

    func testFlowIDsAreDistinctAnd51Bits() {
        var t = makeTable(capacity: 256)
        var ids = Set<UInt64>()
        for n in 0..<256 {
            guard let i = t.add(.v4(UInt32(n)), now: 1000) else { return XCTFail("insert \(n) failed") }
            let id = t.entries[Int(i)].flowID
            XCTAssertLessThan(id, 1 << 51)
            ids.insert(id)
        }
        XCTAssertEqual(ids.count, 256)
    }

    func testEveryKeyFieldMustMatch() {
        var t = makeTable()
        let k = FlowKey(client: IPAddress(v4: 0x0a00_0001), clientPort: 1111, server: IPAddress(v4: 0x0a00_0002),
                        serverPort: 80, proto: IPProto.tcp, vlan: 10, iface: 1)
        guard t.add(k) != nil else { return XCTFail("insert failed") }
        var variants: [(String, FlowKey)] = []
        var v = k; v.vlan = 11; variants.append(("vlan", v))
        v = k; v.iface = 2; variants.append(("iface", v))
        v = k; v.proto = IPProto.udp; variants.append(("proto", v))
        v = k; v.clientPort = 1112; variants.append(("client port", v))
        v = k; v.serverPort = 81; variants.append(("server port", v))
        v = k; v.client = IPAddress(v4: 0x0a00_0003); variants.append(("client address", v))
        v = k; v.server = IPAddress(hi: 0, lo: 0x0a00_0002); variants.append(("IPv4-compatible IPv6 server", v))
        v = k; v.clientPort = 80; v.serverPort = 1111; variants.append(("ports swapped between sides", v))
        for (what, other) in variants {
            // Same hash as the stored flow, so only the field comparison can tell them apart.
            XCTAssertNil(t.find(other, hash: k.hash), what)
            XCTAssertNil(t.find(other, fromServer: true, hash: k.hash), what)
            XCTAssertNil(t.find(other), what)
        }
        XCTAssertNotNil(t.find(k))
    }

    func testWrongHashMissesEvenWithMatchingKey() {
        var t = makeTable()
        let k = FlowKey.v4(9)
        guard t.add(k) != nil else { return XCTFail("insert failed") }
        XCTAssertNil(t.find(k, hash: k.hash ^ 0x8000_0000), "the stored hash tag is compared first")
    }

    func testRemoveThenLookupFails() {
        var t = makeTable()
        let a = FlowKey.v4(1), b = FlowKey.v4(2)
        guard let ia = t.add(a), let ib = t.add(b) else { return XCTFail("insert failed") }
        t.remove(ia)
        XCTAssertNil(t.find(a))
        XCTAssertNil(t.find(a, fromServer: true))
        XCTAssertEqual(t.find(b), Found(index: ib, direction: .toServer))
        XCTAssertEqual(t.count, 1)
        t.remove(ib)
        XCTAssertNil(t.find(b))
        XCTAssertEqual(t.count, 0)
    }

    func testCapacityFullTableAndIndexReuse() {
        var t = makeTable(capacity: 4)
        XCTAssertEqual(t.capacity, 4)
        var indices: [UInt32] = []
        for n in 0..<4 {
            guard let i = t.add(.v4(UInt32(n))) else { return XCTFail("insert \(n) failed") }
            indices.append(i)
        }
        XCTAssertEqual(Set(indices).count, 4)
        XCTAssertTrue(indices.allSatisfy { $0 < 4 })
        XCTAssertEqual(t.count, 4)
        XCTAssertNil(t.add(.v4(99)), "a full table refuses inserts")
        XCTAssertEqual(t.count, 4)
        t.remove(indices[2])
        XCTAssertEqual(t.add(.v4(99)), indices[2], "the freed index is handed out again")
        XCTAssertNotNil(t.find(.v4(99)))
        XCTAssertNil(t.find(.v4(2)))
        for n in [0, 1, 3] { XCTAssertEqual(t.find(.v4(UInt32(n)))?.index, indices[n]) }
    }

    func testZeroCapacityIsClampedToOne() {
        var t = makeTable(capacity: 0)
        XCTAssertEqual(t.capacity, 1)
        XCTAssertNotNil(t.add(.v4(1)))
        XCTAssertNil(t.add(.v4(2)))
    }

    func testCollidingHashesAllFound() {
        var t = makeTable(capacity: 16)
        var idx: [UInt32] = []
        for n in 0..<16 {
            guard let i = t.add(.v4(UInt32(n)), hash: 7) else { return XCTFail("insert failed") }
            idx.append(i)
        }
        for n in 0..<16 {
            XCTAssertEqual(t.find(.v4(UInt32(n)), hash: 7), Found(index: idx[n], direction: .toServer))
            XCTAssertEqual(t.find(.v4(UInt32(n)), fromServer: true, hash: 7), Found(index: idx[n], direction: .toClient))
        }
        // Remove from the front, the middle and the end of the probe chain.
        for n in [0, 8, 15] { t.remove(idx[n]) }
        for n in 0..<16 {
            let found = t.find(.v4(UInt32(n)), hash: 7)
            if [0, 8, 15].contains(n) { XCTAssertNil(found, "\(n)") } else { XCTAssertEqual(found?.index, idx[n], "\(n)") }
        }
    }
}
