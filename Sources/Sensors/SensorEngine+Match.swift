import PatternMatch

extension SensorEngine {
    /// Whether a rule of context `c` applies to a scan of `family` in this direction.
    @inlinable
    static func accepts(_ c: SensorContext, family: UInt8, toServer: Bool) -> Bool {
        switch c {
        case .url: return family == FamilyCode.url
        case .header: return family == FamilyCode.header
        case .query: return family == FamilyCode.query
        case .body: return family == FamilyCode.body
        case .packet: return family == FamilyCode.stream
        case .request: return family == FamilyCode.stream && toServer
        case .response: return family == FamilyCode.stream && !toServer
        }
    }

    /// Turns the matches of the last scan into fired rules. `chunk` is what was scanned,
    /// starting at offset `chunkStart` of its unit; `tail` holds the bytes just before it
    /// (streamed units), for matches that began in an earlier chunk.
    @inlinable
    mutating func process(_ f: UnsafeMutablePointer<SensorFlow>, family: UInt8, chunk: UnsafeRawBufferPointer,
                          chunkStart: UInt64, tail: UnsafeRawBufferPointer, toServer: Bool, unit: UInt64,
                          pendingKey: UInt64) {
        let n = matches.count
        counters.matches &+= UInt64(n)
        counters.matchesDropped &+= UInt64(matches.dropped)
        guard n > 0 else { return }
        for i in 0..<n {
            var m = matches[i]
            let p = patterns![Int(m.id)]
            let r = rules! + Int(p.rule)
            guard Self.accepts(r.pointee.context, family: family, toServer: toServer),
                  f.pointee.mask & (1 << UInt64(r.pointee.sensor)) != 0 else { continue }
            let outcome = self.outcome(f, rule: p.rule, sensor: r.pointee.sensor, ruleBlocks: r.pointee.action == .block)
            guard outcome != .off else { counters.disabledMatches &+= 1; continue }
            if p.bit == 0 && r.pointee.validate != .none {
                if p.confirm != Confirm.none {
                    // Number-heavy traffic matches card and SSN shapes every few hundred
                    // bytes: a match that cannot change the outcome is not checked at all.
                    if redundant(f, rule: p.rule, unit: unit, multi: r.pointee.fullMask != 1, bit: p.bit, family: family,
                                 key: pendingKey) {
                        counters.redundantMatches &+= 1
                        continue
                    }
                    guard let start = confirmStart(p, id: m.id, end: m.to, chunk: chunk, chunkStart: chunkStart, tail: tail) else {
                        counters.validationRejected &+= 1
                        continue
                    }
                    m.from = start
                }
                guard validate(r.pointee.validate, m, chunk: chunk, chunkStart: chunkStart, tail: tail) else {
                    counters.validationRejected &+= 1
                    continue
                }
            }
            if r.pointee.fullMask != 1 {
                guard accumulate(f, rule: p.rule, bit: p.bit, family: family, key: pendingKey) == r.pointee.fullMask else { continue }
            }
            guard markFired(f, rule: p.rule, unit: unit) else { continue }
            counters.alerts &+= 1
            ruleAlerts[Int(p.rule)] &+= 1
            let blocks = outcome == .block
            if outcome == .wouldBlock { counters.wouldBlock &+= 1 }
            let firstBlock = blocks && !f.pointee.blocked
            if firstBlock {
                f.pointee.blocked = true
                counters.blockedFlows &+= 1
            }
            guard firedTotal < Self.firedCapacity else { continue }
            let a = firedStorage + firedTotal
            firedTotal += 1
            a.pointee.flow = UInt32(truncatingIfNeeded: f - flows!)
            a.pointee.rule = Int32(p.rule)
            a.pointee.context = r.pointee.context
            a.pointee.toServer = toServer
            a.pointee.matchStart = p.som ? m.from : nil
            a.pointee.matchEnd = m.to
            a.pointee.blocks = blocks
            a.pointee.wouldBlock = outcome == .wouldBlock
            a.pointee.firstBlock = firstBlock
            excerpt(a, m, som: p.som, chunk: chunk, chunkStart: chunkStart, tail: tail)
        }
    }

    /// Checks the bytes of match `m`, rebuilt from `tail` and `chunk` when it spans them.
    @inlinable
    func validate(_ v: Validation, _ m: Match, chunk: UnsafeRawBufferPointer, chunkStart: UInt64,
                  tail: UnsafeRawBufferPointer) -> Bool {
        // Checked before converting: a reversed match would make the distance huge.
        guard m.to >= m.from, m.to - m.from <= 128 else { return false }
        let length = Int(m.to - m.from)
        if m.from >= chunkStart {
            let lo = Int(m.from - chunkStart), hi = Int(m.to - chunkStart)
            guard hi <= chunk.count else { return false }
            return Validators.check(v, UnsafeRawBufferPointer(rebasing: chunk[lo..<hi]))
        }
        let before = Int(chunkStart - m.from)
        guard before <= tail.count else { return false }
        return withUnsafeTemporaryAllocation(byteCount: 128, alignment: 1) { buf in
            let fromTail = min(before, length)
            buf.baseAddress!.copyMemory(from: tail.baseAddress! + (tail.count - before), byteCount: fromTail)
            let rest = length - fromTail
            if rest > 0 {
                guard rest <= chunk.count else { return false }
                (buf.baseAddress! + fromTail).copyMemory(from: chunk.baseAddress!, byteCount: rest)
            }
            return Validators.check(v, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[0..<length]))
        }
    }

    /// Whether a match of the rule's validated pattern can be skipped: the rule already fired
    /// on `unit` (a second firing is suppressed anyway), or, for a rule of several patterns,
    /// this pattern already counted in the unit (setting its bit again changes nothing).
    @inlinable
    func redundant(_ f: UnsafeMutablePointer<SensorFlow>, rule: UInt32, unit: UInt64, multi: Bool, bit: UInt8, family: UInt8,
                   key: UInt64) -> Bool {
        for i in 0..<8 where f.pointee.fired[i].rule == rule && f.pointee.fired[i].unit == unit { return true }
        guard multi else { return false }
        for i in 0..<4 where f.pointee.pending[i].rule == rule && f.pointee.pending[i].family == family
            && f.pointee.pending[i].unit == key && f.pointee.pending[i].mask & (1 << bit) != 0 {
            return true
        }
        return false
    }

    /// The start of a prefiltered match ending at `end`: `end - width` for a fixed-width
    /// pattern, else the leftmost start the confirm database finds for that end in the bytes
    /// just before it (rebuilt from `tail` and `chunk`); nil when the bytes are out of reach.
    @inlinable
    mutating func confirmStart(_ p: PatternInfo, id: UInt32, end: UInt64, chunk: UnsafeRawBufferPointer, chunkStart: UInt64,
                               tail: UnsafeRawBufferPointer) -> UInt64? {
        let width = UInt64(p.width)
        if p.confirm == Confirm.fixed { return end >= width ? end - width : nil }
        guard let db = confirmDB else { return nil }
        // One byte more than the widest match, so a leading `\b` sees the byte before it.
        let reach = chunkStart >= UInt64(tail.count) ? chunkStart - UInt64(tail.count) : 0
        let lo = max(end > width ? end - width - 1 : 0, reach)
        guard end > lo, end <= chunkStart + UInt64(chunk.count), end - lo <= 129 else { return nil }
        let length = Int(end - lo)
        counters.confirmScans &+= 1
        let scratch = self.scratch!, out = confirmMatches
        let found: UInt64? = withUnsafeTemporaryAllocation(byteCount: 160, alignment: 16) { buf in
            let base = buf.baseAddress!
            var at = 0
            if lo < chunkStart {
                // The part before the chunk comes from the tail.
                let fromTail = Int(min(chunkStart, end) - lo)
                base.copyMemory(from: tail.baseAddress! + (tail.count - Int(chunkStart - lo)), byteCount: fromTail)
                at = fromTail
            }
            if end > chunkStart {
                let from = lo > chunkStart ? Int(lo - chunkStart) : 0
                (base + at).copyMemory(from: chunk.baseAddress! + from, byteCount: Int(end - chunkStart) - from)
            }
            _ = db.scan(UnsafeRawBufferPointer(start: base, count: length), scratch: scratch, into: out)
            var best: UInt64? = nil
            for k in 0..<out.count {
                let c = out[k]
                if c.id == id && c.to == UInt64(length) && (best == nil || c.from < best!) { best = c.from }
            }
            return best
        }
        return found.map { lo + $0 }
    }

    /// Sets `bit` for the rule in the current unit and returns the rule's mask so far.
    @inlinable
    mutating func accumulate(_ f: UnsafeMutablePointer<SensorFlow>, rule: UInt32, bit: UInt8, family: UInt8, key: UInt64) -> UInt8 {
        for i in 0..<4 where f.pointee.pending[i].rule == rule && f.pointee.pending[i].family == family {
            if f.pointee.pending[i].unit != key { f.pointee.pending[i].unit = key; f.pointee.pending[i].mask = 0 }
            f.pointee.pending[i].mask |= 1 << bit
            return f.pointee.pending[i].mask
        }
        let i = Int(f.pointee.pendingNext & 3)
        f.pointee.pendingNext &+= 1
        f.pointee.pending[i].rule = rule
        f.pointee.pending[i].family = family
        f.pointee.pending[i].unit = key
        f.pointee.pending[i].mask = 1 << bit
        return f.pointee.pending[i].mask
    }

    /// Records that the rule fired on `unit`; false when it already had.
    @inlinable
    mutating func markFired(_ f: UnsafeMutablePointer<SensorFlow>, rule: UInt32, unit: UInt64) -> Bool {
        for i in 0..<8 where f.pointee.fired[i].rule == rule && f.pointee.fired[i].unit == unit { return false }
        let i = Int(f.pointee.firedNext & 7)
        f.pointee.firedNext &+= 1
        f.pointee.fired[i].rule = rule
        f.pointee.fired[i].unit = unit
        return true
    }

    /// Copies the matched bytes with up to 16 bytes around them, at most 128 bytes, from the
    /// chunk (the part of a match in an earlier chunk is left out).
    @inlinable
    func excerpt(_ a: UnsafeMutablePointer<FiredAlert>, _ m: Match, som: Bool, chunk: UnsafeRawBufferPointer,
                 chunkStart: UInt64, tail: UnsafeRawBufferPointer) {
        let chunkEnd = chunkStart + UInt64(chunk.count)
        let matchFrom = som ? m.from : (m.to > 48 ? m.to - 48 : 0)
        var lo = max(chunkStart, matchFrom > 16 ? matchFrom - 16 : 0)
        let hi = min(chunkEnd, m.to + 16)
        if hi > lo && hi - lo > 128 { lo = hi - 128 }
        guard hi > lo else { a.pointee.excerpt.set(UnsafeRawBufferPointer(start: nil, count: 0)); a.pointee.excerptOffset = m.to; return }
        a.pointee.excerptOffset = lo
        a.pointee.excerpt.set(UnsafeRawBufferPointer(rebasing: chunk[Int(lo - chunkStart)..<Int(hi - chunkStart)]))
    }
}
