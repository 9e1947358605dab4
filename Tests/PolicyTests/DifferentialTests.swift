import Codecs
import L7Core
import Policy
import SluiceTestSupport
import XCTest

/// The compiled classifier against a plain reading of the rules — every rule tried in id
/// order, every CIDR and pattern tested directly — on thousands of random policies and flows
/// built to collide: nested and adjacent prefixes, shared port-range ends, overlapping
/// wildcards, both address families.
final class DifferentialTests: XCTestCase {
    /// The straightforward evaluator the compiled tables must agree with.
    struct Reference {
        let doc: PolicyDocument

        func inGroup(_ name: String, _ a: IPAddress, names: [String]?) -> Bool {
            if name == PolicyDocument.anyGroup { return true }
            guard let g = doc.groups.first(where: { $0.name == name }) else { return false }
            if g.cidrs.contains(where: { $0.contains(a) }) { return true }
            guard let names else { return false }
            return names.contains { n in g.fqdns.contains { $0.matches(n) } }
        }

        func workload(_ a: IPAddress) -> Int32 {
            var best: (len: Int, index: Int32) = (-1, -1)
            for (i, w) in doc.workloads.enumerated() {
                guard let g = doc.groups.first(where: { $0.name == w.group }) else { continue }
                for c in g.cidrs where c.contains(a) && c.prefixLength > best.len { best = (c.prefixLength, Int32(i)) }
            }
            return best.index
        }

        func decide(src: IPAddress, dst: IPAddress, proto: UInt8, port: UInt16, app: AppProto, names: [String]) -> Decision {
            var w = workload(dst)
            if w < 0 { w = workload(src) }
            let mode = w >= 0 ? (doc.workloads[Int(w)].mode ?? doc.mode) : doc.mode
            let ordered = doc.rules.sorted { $0.id < $1.id }
            for (i, r) in ordered.enumerated() {
                guard r.from.contains(where: { inGroup($0, src, names: nil) }),
                      r.to.contains(where: { inGroup($0, dst, names: names) }),
                      r.ports.contains(where: { $0.contains(proto: proto, port: port) }) else { continue }
                if !r.apps.isEmpty {
                    if app == .unknown {
                        return Decision(status: .needsApp, ruleIndex: UInt32(i), ruleID: r.id, action: r.action, mode: mode, workload: w)
                    }
                    if !r.apps.contains(app) { continue }
                }
                return Decision(status: .decided, ruleIndex: UInt32(i), ruleID: r.id, action: r.action, mode: mode, workload: w)
            }
            return Decision(status: .decided, ruleIndex: .max, ruleID: nil, action: doc.defaultAction, mode: mode, workload: w)
        }
    }

    struct Gen {
        var rng: SplitMix
        mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { int(100) < percent }

        static let v4Bases: [UInt32] = [0x0A00_0000, 0x0A01_0000, 0x0A01_0200, 0x0A01_0280, 0xC000_0200, 0xFFFF_FF00, 0]
        static let v6Bases: [(UInt64, UInt64)] = [(0x2001_0db8_0000_0000, 0), (0x2001_0db8_0000_0001, 0),
                                                   (0xfd77_0000_0000_0000, 0), (0, 0), (0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ff00)]
        static let names = ["example.com", "www.example.com", "a.b.example.com", "api.example.com", "v1.api.example.com",
                            "example.org", "x.example.org", "Evil.test", "com", "org"]
        static let patterns = ["*.example.com", "example.com", "*.api.example.com", "api.example.com", "*.org",
                               "x.example.org", "*.com", "evil.test"]
        static let portEnds: [UInt16] = [0, 1, 22, 53, 79, 80, 81, 443, 1000, 2000, 65534, 65535]

        mutating func cidr() -> CIDR {
            if chance(60) {
                let len = [0, 8, 16, 23, 24, 25, 30, 31, 32][int(9)]
                var base = Self.v4Bases[int(Self.v4Bases.count)] &+ UInt32(int(4)) << 8
                if chance(30) { base = UInt32(truncatingIfNeeded: rng.next()) }
                let mask: UInt32 = len == 0 ? 0 : ~0 << UInt32(32 - len)
                return CIDR(address: IPAddress(v4: base & mask), prefixLength: 96 + len, isV4: true)
            }
            let len = [0, 16, 32, 63, 64, 65, 96, 97, 120, 127, 128][int(11)]
            var (hi, lo) = Self.v6Bases[int(Self.v6Bases.count)]
            lo |= UInt64(int(3))
            if chance(20) { hi = rng.next(); lo = rng.next() }
            let hm: UInt64 = len >= 64 ? .max : (len == 0 ? 0 : ~0 << UInt64(64 - len))
            let lm: UInt64 = len <= 64 ? 0 : (len >= 128 ? .max : ~0 << UInt64(128 - len))
            return CIDR(address: IPAddress(hi: hi & hm, lo: lo & lm), prefixLength: len, isV4: false)
        }

        mutating func port() -> PortRange {
            if chance(15) { return .any }
            let a = Self.portEnds[int(Self.portEnds.count)], b = Self.portEnds[int(Self.portEnds.count)]
            return PortRange(transport: chance(60) ? .tcp : .udp, low: min(a, b), high: chance(50) ? min(a, b) : max(a, b))
        }

        mutating func policy() -> PolicyDocument {
            var doc = PolicyDocument()
            doc.mode = PolicyMode.allCases[int(3)]
            doc.defaultAction = chance(50) ? .allow : .deny
            let groupCount = 1 + int(10)
            var cidrGroups: [String] = [], allGroups: [String] = []
            // Some policies are large enough for the classifier's jump table over addresses.
            let blocksPerGroup = chance(15) ? 40 : 4
            for g in 0..<groupCount {
                var group = PolicyGroup(name: "g\(g)")
                let kind = int(10)
                if kind < 7 || g == 0 { for _ in 0..<(1 + int(blocksPerGroup)) { group.cidrs.append(cidr()) } }
                if kind >= 5 && g > 0 {
                    for _ in 0..<(1 + int(3)) {
                        let p = Self.patterns[int(Self.patterns.count)]
                        group.fqdns.append(try! FQDNPattern.parse(p).get())
                    }
                }
                if group.fqdns.isEmpty { cidrGroups.append(group.name) }
                allGroups.append(group.name)
                doc.groups.append(group)
            }
            for (i, g) in cidrGroups.enumerated() where chance(30) {
                doc.workloads.append(Workload(name: "w\(i)", group: g, mode: chance(50) ? PolicyMode.allCases[int(3)] : nil))
            }
            var ids = Set<Int>()
            for _ in 0..<(int(30) + (chance(10) ? 200 : 0)) {
                var id = int(1000)
                while ids.contains(id) { id = int(1000) }
                ids.insert(id)
                let from = (0..<(1 + (chance(20) ? 1 : 0))).map { _ in chance(20) ? "any" : cidrGroups[int(cidrGroups.count)] }
                let to = (0..<(1 + (chance(20) ? 1 : 0))).map { _ in chance(20) ? "any" : allGroups[int(allGroups.count)] }
                let ports = chance(20) ? [PortRange.any] : (0..<(1 + int(3))).map { _ in port() }
                var apps: [AppProto] = []
                if chance(35) {
                    for _ in 0..<(1 + int(3)) {
                        let a = [AppProto.http, .tls, .dns, .ssh, .redis][int(5)]
                        if !apps.contains(a) { apps.append(a) }
                    }
                }
                doc.rules.append(PolicyRule(id: id, from: Array(Set(from)), to: Array(Set(to)), ports: ports, apps: apps,
                                            action: chance(50) ? .allow : .deny))
            }
            return doc
        }

        /// An address at, just inside or just outside some block of the policy, or random.
        mutating func address(_ doc: PolicyDocument) -> IPAddress {
            let blocks = doc.groups.flatMap(\.cidrs)
            if blocks.isEmpty || chance(10) {
                return chance(50) ? IPAddress(v4: UInt32(truncatingIfNeeded: rng.next())) : IPAddress(hi: rng.next(), lo: rng.next())
            }
            let c = blocks[int(blocks.count)]
            let host = 128 - c.prefixLength
            let hostMask: UInt64 = host >= 64 ? .max : (host == 0 ? 0 : .max >> UInt64(64 - host))
            var a = c.address
            switch int(4) {
            case 0: break
            case 1: a.lo |= hostMask; if host > 64 { a.hi |= .max >> UInt64(128 - host) }
            case 2: a.lo |= rng.next() & hostMask
            default:
                // One past either end.
                if chance(50) { a.lo &-= 1; if a.lo == .max { a.hi &-= 1 } } else {
                    a.lo |= hostMask; if host > 64 { a.hi |= .max >> UInt64(128 - host) }
                    a.lo &+= 1; if a.lo == 0 { a.hi &+= 1 }
                }
            }
            return a
        }
    }

    func testCompiledAgreesWithReference() {
        var gen = Gen(rng: SplitMix(state: 0x5EED_0005))
        let policies = 2000, flowsPerPolicy = 100
        var compared = 0, needsApp = 0, defaults = 0, fqdnHits = 0
        for _ in 0..<policies {
            let doc = gen.policy()
            let compiled = CompiledPolicy(doc)
            let ref = Reference(doc: doc)
            for _ in 0..<flowsPerPolicy {
                let src = gen.address(doc), dst = gen.address(doc)
                let proto: UInt8 = [6, 6, 17, 17, 1, 58][gen.int(6)]
                let port = gen.chance(80) ? Gen.portEnds[gen.int(Gen.portEnds.count)] : UInt16(truncatingIfNeeded: gen.rng.next())
                let app = AppProto.allCases[gen.int(AppProto.allCases.count)]
                var names: [String] = []
                for _ in 0..<gen.int(4) { names.append(Gen.names[gen.int(Gen.names.count)] + (gen.chance(10) ? "." : "")) }
                var set = GroupSet.empty
                for n in names { set.formUnion(compiled.fqdnGroups(matching: n)) }
                let want = ref.decide(src: src, dst: dst, proto: proto, port: port, app: app, names: names)
                let got = compiled.classify(src: src, dst: dst, proto: proto, dstPort: port, app: app, fqdn: set)
                if got != want {
                    XCTFail("""
                    mismatch: \(src) -> \(dst) proto \(proto) port \(port) app \(app) names \(names)
                    want \(want)
                     got \(got)
                    policy \(doc)
                    """)
                    return
                }
                compared += 1
                if want.status == .needsApp { needsApp += 1 }
                if want.ruleID == nil { defaults += 1 }
                if !set.isEmpty { fqdnHits += 1 }
            }
        }
        // The random mix must exercise every kind of outcome, not just the default.
        XCTAssertEqual(compared, policies * flowsPerPolicy)
        XCTAssertGreaterThan(needsApp, compared / 100)
        XCTAssertGreaterThan(compared - defaults, compared / 5)
        XCTAssertGreaterThan(fqdnHits, compared / 5)
        print("differential: \(compared) flows over \(policies) policies; \(needsApp) needs-app, \(compared - defaults) rule hits, \(fqdnHits) with FQDN groups")
    }

    /// The same policies written out as YAML and loaded again compile to the same answers
    /// (the loader and the model agree on every field).
    func testYAMLRoundTripOfRandomPolicies() throws {
        var gen = Gen(rng: SplitMix(state: 0xFEED))
        for _ in 0..<200 {
            let doc = gen.policy()
            var y = "version: 1\nmode: \(doc.mode.name)\ndefault: \(doc.defaultAction.name)\ngroups:\n"
            for g in doc.groups {
                y += "  \(g.name): { cidrs: [\(g.cidrs.map { "\"\($0)\"" }.joined(separator: ", "))], fqdns: [\(g.fqdns.map { "\"\($0)\"" }.joined(separator: ", "))] }\n"
            }
            if !doc.workloads.isEmpty {
                y += "workloads:\n"
                for w in doc.workloads { y += "  \(w.name): { group: \(w.group)\(w.mode.map { ", mode: \($0.name)" } ?? "") }\n" }
            }
            y += "rules:\n"
            for r in doc.rules {
                y += "  - { id: \(r.id), from: [\(r.from.joined(separator: ", "))], to: [\(r.to.joined(separator: ", "))], "
                y += "ports: [\(r.ports.map(\.description).joined(separator: ", "))], "
                if !r.apps.isEmpty { y += "apps: [\(r.apps.map { "\($0.name)" }.joined(separator: ", "))], " }
                y += "action: \(r.action.name) }\n"
            }
            let loaded = try PolicyDocument.parse(y, file: "random.yaml")
            XCTAssertEqual(loaded, doc, y)
        }
    }
}
