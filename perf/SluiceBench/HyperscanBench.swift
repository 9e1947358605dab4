// Block and stream scans through the PatternMatch wrapper: throughput per core and heap
// allocations per scan (the wrapper must add none to Hyperscan's own zero).
import CAllocCounter
import PatternMatch

func runHyperscanBench() throws {
    let patterns = [
        Pattern(id: 1, expression: #"\$\{jndi:(ldap|rmi|dns)://"#, flags: [.caseless]),
        Pattern(id: 2, expression: #"union\s+select"#, flags: [.caseless]),
        Pattern(id: 3, expression: #"\b4[0-9]{12}(?:[0-9]{3})?\b"#),
        Pattern(id: 4, expression: #"AKIA[0-9A-Z]{16}"#),
    ]
    var payload = [UInt8](repeating: UInt8(ascii: "a"), count: 1448)
    let needle = Array("GET /?q=${jndi:ldap://x} union select 4111111111111111 ".utf8)
    payload.replaceSubrange(700..<(700 + needle.count), with: needle)
    for (name, mode) in [("block", ScanMode.block), ("stream", ScanMode.stream)] {
        let db = try HyperscanDatabase.compile(patterns, mode: mode)
        let scratch = try HyperscanScratch(for: db)
        // The packet path's API: plain handles, matches into a fixed buffer, no closure.
        let h = scratch.handle, dh = db.handle
        let buffer = MatchBuffer(capacity: 64)
        let slots = mode == .stream ? try StreamSlots(database: db, count: 1) : StreamSlots()
        let slot = mode == .stream ? slots.borrow() : -1
        var matches = 0
        let rounds = 200_000
        func once() {
            payload.withUnsafeBytes { b in
                if slot >= 0 { _ = slots.scan(slot, b, scratch: h, into: buffer) } else { _ = dh.scan(b, scratch: h, into: buffer) }
            }
            matches += buffer.count
        }
        for _ in 0..<100 { once() }
        let a0 = sluice_alloc_count()
        let t0 = now()
        for _ in 0..<rounds { once() }
        let seconds = now() - t0
        let allocs = sluice_alloc_count() - a0
        slots.deallocate()
        buffer.deallocate()
        print("hyperscan \(name): scans=\(rounds) bytes_per_scan=\(payload.count) seconds=\(fixed(seconds, 3))"
              + " gbps=\(fixed(Double(rounds * payload.count) * 8 / seconds / 1e9, 2)) matches=\(matches)"
              + " allocs=\(allocs) allocs_per_scan=\(fixed(Double(allocs) / Double(rounds), 6))")
    }
}
