import SluiceTestSupport
import Codecs
import Flow
import Stream

/// A flow's key as the tests spell it, with the table calls that take it apart.
struct FlowKey: Hashable {
    var client: IPAddress
    var clientPort: UInt16
    var server: IPAddress
    var serverPort: UInt16
    var proto: UInt8 = IPProto.tcp
    var vlan: UInt16 = 0
    var iface: UInt16 = 0

    /// The symmetric hash the engine would use.
    var hash: UInt32 {
        FlowHash.hash(client, clientPort, server, serverPort, proto: proto, vlan: vlan, iface: iface)
    }

    /// A TCP/IPv4 key numbered `n`.
    static func v4(_ n: UInt32, proto: UInt8 = IPProto.tcp) -> FlowKey {
        FlowKey(client: IPAddress(v4: 0x0a00_0000 | n), clientPort: UInt16(truncatingIfNeeded: 1024 + n),
                server: IPAddress(v4: 0xc0a8_0001), serverPort: 443, proto: proto)
    }
}

/// A lookup result flattened so it compares with `XCTAssertEqual`.
struct Found: Equatable {
    var index: UInt32
    var direction: Direction
}

extension FlowTable {
    /// Inserts `k` (client side first), with `hash` overriding the key's real hash.
    mutating func add(_ k: FlowKey, hash: UInt32? = nil, now: UInt64 = 0) -> UInt32? {
        insert(client: k.client, clientPort: k.clientPort, server: k.server, serverPort: k.serverPort,
               proto: k.proto, ipVersion: k.client.isV4 ? 4 : 6, vlan: k.vlan, iface: k.iface,
               hash: hash ?? k.hash, now: now)
    }

    /// Looks `k` up as a packet from the client, or from the server when `fromServer`.
    func find(_ k: FlowKey, fromServer: Bool = false, hash: UInt32? = nil) -> Found? {
        let r = fromServer
            ? lookup(src: k.server, srcPort: k.serverPort, dst: k.client, dstPort: k.clientPort,
                     proto: k.proto, vlan: k.vlan, iface: k.iface, hash: hash ?? k.hash)
            : lookup(src: k.client, srcPort: k.clientPort, dst: k.server, dstPort: k.serverPort,
                     proto: k.proto, vlan: k.vlan, iface: k.iface, hash: hash ?? k.hash)
        return r.map { Found(index: $0.index, direction: $0.direction) }
    }
}


let second: UInt64 = 1_000_000_000
