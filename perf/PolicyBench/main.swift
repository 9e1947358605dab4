// sluice-policy-bench: lookup cost of the compiled whitelist classifier against policy size.
//
// For each size it builds a random policy (rules over random group pairs, CIDR groups of both
// families with nested prefixes, some FQDN groups, port ranges, app-aware rules), compiles it,
// then times `classify` over a fixed set of flows whose addresses fall inside the policy's
// blocks (so lookups find groups and pairs, the expensive case). Prints ns per lookup and heap
// allocations per lookup, which must be zero.
import CAllocCounter
import Codecs
import L7Core
import Policy
#if canImport(Glibc)
import Glibc
#endif

struct Rng {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func nanos() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

struct Flow {
    var src: IPAddress
    var dst: IPAddress
    var proto: UInt8
    var port: UInt16
    var app: AppProto
    var nameOffset: Int
    var nameLength: Int
}

func makePolicy(rules ruleCount: Int, cidrs cidrCount: Int, rng: inout Rng) -> PolicyDocument {
    var doc = PolicyDocument()
    doc.mode = .protect
    doc.defaultAction = .deny
    let groupCount = min(1000, max(4, ruleCount / 10))
    let fqdnGroups = max(1, groupCount / 10)
    var cidrGroups: [String] = []
    for g in 0..<groupCount {
        var group = PolicyGroup(name: "g\(g)")
        if g < fqdnGroups {
            group.fqdns = [FQDNPattern(name: "svc\(g).example.com", isWildcard: true), FQDNPattern(name: "svc\(g).example.com", isWildcard: false)]
        } else {
            cidrGroups.append(group.name)
        }
        doc.groups.append(group)
    }
    let cidrGroupBase = fqdnGroups
    for i in 0..<cidrCount {
        let g = cidrGroupBase + i % cidrGroups.count
        if rng.int(4) == 0 {
            let len = [48, 56, 64, 96, 128][rng.int(5)]
            let hi = 0xfd00_0000_0000_0000 | (rng.next() & 0x00ff_ffff_ffff_0000)
            let hm: UInt64 = len >= 64 ? .max : ~0 << UInt64(64 - len)
            let lm: UInt64 = len <= 64 ? 0 : (len >= 128 ? .max : ~0 << UInt64(128 - len))
            doc.groups[g].cidrs.append(CIDR(address: IPAddress(hi: hi & hm, lo: rng.next() & lm), prefixLength: len, isV4: false))
        } else {
            // Mostly small blocks spread over the space, some /16s: an address is in a few
            // groups, as with real service and subnet groups.
            let len = [16, 20, 24, 24, 28, 32, 32][rng.int(7)]
            let mask: UInt32 = ~0 << UInt32(32 - len)
            let a = UInt32(truncatingIfNeeded: rng.next()) & mask
            doc.groups[g].cidrs.append(CIDR(address: IPAddress(v4: a), prefixLength: 96 + len, isV4: true))
        }
    }
    var ids = Set<Int>()
    for _ in 0..<ruleCount {
        var id = rng.int(Int(Int32.max))
        while ids.contains(id) { id = rng.int(Int(Int32.max)) }
        ids.insert(id)
        let from = rng.int(10) == 0 ? "any" : cidrGroups[rng.int(cidrGroups.count)]
        let to = rng.int(10) == 0 ? "any" : doc.groups[rng.int(groupCount)].name
        var ports: [PortRange] = []
        for _ in 0..<(1 + rng.int(2)) {
            let p = UInt16(1 + rng.int(200))
            ports.append(PortRange(transport: rng.int(3) == 0 ? .udp : .tcp, low: p, high: rng.int(4) == 0 ? p + UInt16(rng.int(100)) : p))
        }
        let apps: [AppProto] = rng.int(5) == 0 ? [[.http, .tls, .dns, .redis][rng.int(4)]] : []
        doc.rules.append(PolicyRule(id: id, from: [from], to: [to], ports: ports, apps: apps, action: rng.int(2) == 0 ? .allow : .deny))
    }
    return doc
}

func makeFlows(_ doc: PolicyDocument, count: Int, names: inout [UInt8], rng: inout Rng) -> [Flow] {
    let blocks = doc.groups.flatMap(\.cidrs)
    let fqdn = doc.groups.filter { !$0.fqdns.isEmpty }
    func inside() -> IPAddress {
        let c = blocks[rng.int(blocks.count)]
        let host = 128 - c.prefixLength
        var a = c.address
        if host > 0 {
            a.lo |= rng.next() & (host >= 64 ? .max : .max >> UInt64(64 - host))
            if host > 64 { a.hi |= rng.next() & (.max >> UInt64(128 - host)) }
        }
        return a
    }
    var flows: [Flow] = []
    for _ in 0..<count {
        var f = Flow(src: inside(), dst: inside(), proto: rng.int(3) == 0 ? 17 : 6, port: UInt16(1 + rng.int(220)),
                     app: AppProto.allCases[rng.int(AppProto.allCases.count)], nameOffset: names.count, nameLength: 0)
        if rng.int(2) == 0 {
            let g = fqdn[rng.int(fqdn.count)]
            let name = Array("api.\(g.fqdns[0].name)".utf8)
            names += name
            f.nameLength = name.count
        }
        flows.append(f)
    }
    return flows
}

let sizes = CommandLine.arguments.count > 1 ? CommandLine.arguments.dropFirst().compactMap { Int($0) } : [10, 100, 1000, 10_000, 100_000]
let lookups = 2_000_000
print("rules    cidrs  groups  build_ms  ns/classify  ns/sni+classify  allocs/lookup  rule_hits")
for size in sizes {
    var rng = Rng(state: 0x5EED &+ UInt64(size))
    let cidrs = min(10_000, max(8, size))
    let doc = makePolicy(rules: size, cidrs: cidrs, rng: &rng)
    let t0 = nanos()
    let policy = CompiledPolicy(doc)
    let buildMs = Double(nanos() - t0) / 1e6
    var names: [UInt8] = []
    let flows = makeFlows(doc, count: 4096, names: &names, rng: &rng)

    var sink: UInt64 = 0
    var hits = 0
    // Warm up, and count hits.
    for f in flows where policy.classify(src: f.src, dst: f.dst, proto: f.proto, dstPort: f.port, app: f.app, fqdn: .empty).ruleID != nil { hits += 1 }

    flows.withUnsafeBufferPointer { fl in
        let a0 = sluice_alloc_count()
        let start = nanos()
        for i in 0..<lookups {
            let f = fl[i & 4095]
            let d = policy.classify(src: f.src, dst: f.dst, proto: f.proto, dstPort: f.port, app: f.app, fqdn: .empty)
            sink &+= UInt64(d.ruleIndex)
        }
        let plain = Double(nanos() - start) / Double(lookups)
        let a1 = sluice_alloc_count()
        let allocs1 = a1 - a0
        let nameStart = nanos()
        names.withUnsafeBytes { nb in
            for i in 0..<lookups {
                let f = fl[i & 4095]
                let set = f.nameLength == 0 ? GroupSet.empty
                    : policy.fqdnGroups(matching: UnsafeRawBufferPointer(rebasing: nb[f.nameOffset..<(f.nameOffset + f.nameLength)]))
                let d = policy.classify(src: f.src, dst: f.dst, proto: f.proto, dstPort: f.port, app: f.app, fqdn: set)
                sink &+= UInt64(d.ruleIndex)
            }
        }
        let withNames = Double(nanos() - nameStart) / Double(lookups)
        let allocs = Double(allocs1 + (sluice_alloc_count() - a1)) / Double(2 * lookups)
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        print(pad("\(size)", 6), pad("\(cidrs)", 8), pad("\(doc.groups.count)", 7), pad(String(format1(buildMs)), 9),
              pad(format1(plain), 12), pad(format1(withNames), 16), pad(format1(allocs), 14),
              pad("\(hits * 100 / flows.count)%", 10))
    }
    if sink == 42 { print("") }
}

func format1(_ v: Double) -> String {
    let scaled = Int((v * 10).rounded())
    return "\(scaled / 10).\(scaled % 10)"
}
