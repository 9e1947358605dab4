import PatternMatch

/// Database families as small numbers, for the per-flow tables.
@usableFromInline enum FamilyCode {
    @usableFromInline static let url: UInt8 = 0
    @usableFromInline static let header: UInt8 = 1
    @usableFromInline static let query: UInt8 = 2
    @usableFromInline static let body: UInt8 = 3
    @usableFromInline static let stream: UInt8 = 4
}

extension SensorEngine {
    // MARK: - Block contexts

    /// Matches `url` rules on a request target (`uri` as sent; normalized here). `unit`
    /// numbers the transaction, so a rule fires once per request.
    @inlinable
    public mutating func scanURL(flow: UInt32, flowID: UInt64, uri: UnsafeRawBufferPointer, unit: UInt64) {
        guard let db = urlDB, uri.count > 0 else { return }
        let f = state(flow, flowID)
        guard f.pointee.mask != 0 else { return }
        let n = WAFNormalizer.url(uri, into: work)
        scanBlock(db, f, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(work)[0..<n]),
                  family: FamilyCode.url, toServer: true, unit: unit)
    }

    /// Matches `header` rules on one header line.
    @inlinable
    public mutating func scanHeader(flow: UInt32, flowID: UInt64, name: UnsafeRawBufferPointer,
                                    value: UnsafeRawBufferPointer, toServer: Bool, unit: UInt64) {
        guard let db = headerDB else { return }
        let f = state(flow, flowID)
        guard f.pointee.mask != 0 else { return }
        let n = WAFNormalizer.headerLine(name: name, value: value, into: work)
        scanBlock(db, f, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(work)[0..<n]),
                  family: FamilyCode.header, toServer: toServer, unit: unit)
    }

    /// Matches `query` rules on one datastore command.
    @inlinable
    public mutating func scanQuery(flow: UInt32, flowID: UInt64, text: UnsafeRawBufferPointer, unit: UInt64) {
        guard let db = queryDB, text.count > 0 else { return }
        let f = state(flow, flowID)
        guard f.pointee.mask != 0 else { return }
        scanBlock(db, f, text, family: FamilyCode.query, toServer: true, unit: unit)
    }

    @inlinable
    mutating func scanBlock(_ db: DatabaseHandle, _ f: UnsafeMutablePointer<SensorFlow>, _ bytes: UnsafeRawBufferPointer,
                            family: UInt8, toServer: Bool, unit: UInt64) {
        counters.scans &+= 1
        counters.bytesScanned &+= UInt64(bytes.count)
        if let r = recorderRef { r._withUnsafeGuaranteedRef { $0.add(ScanRecorder.Kind(rawValue: family)!, slot: -1, bytes) } }
        let status = db.scan(bytes, scratch: scratch!, into: matches)
        if status.rawValue != 0 { counters.scanErrors &+= 1 }
        blockSeq &+= 1
        process(f, family: family, chunk: bytes, chunkStart: 0, tail: UnsafeRawBufferPointer(start: nil, count: 0),
                toServer: toServer, unit: unit, pendingKey: blockSeq)
    }

    // MARK: - Streamed contexts

    /// Matches `body` rules on the next piece of an HTTP body (de-chunked, decompressed).
    /// `unit` identifies the body's transaction (HTTP/1 index, HTTP/2 stream id): a new unit
    /// ends the previous body of that direction. `form` bodies are percent-decoded first.
    @inlinable
    public mutating func scanBody(flow: UInt32, flowID: UInt64, bytes: UnsafeRawBufferPointer, toServer: Bool,
                                  unit: UInt64, form: Bool) {
        guard body.streams.count > 0, bytes.count > 0 else { return }
        let f = state(flow, flowID)
        guard f.pointee.mask != 0 else { return }
        let d = direction(f, toServer)
        if d.pointee.bodyUnit != unit {
            if d.pointee.bodySlot >= 0 { finishStream(f, raw: false, toServer: toServer, unit: d.pointee.bodyUnit) }
            d.pointee.bodyUnit = unit
            d.pointee.bodySeen = 0
            d.pointee.bodyDone = false
            d.pointee.form = FormDecoder()
        }
        guard !d.pointee.bodyDone else { return }
        if d.pointee.bodySlot < 0 {
            let s = body.borrow()
            guard s >= 0 else { counters.scannersExhausted &+= 1; d.pointee.bodyDone = true; return }
            d.pointee.bodySlot = s
        }
        var piece = bytes
        let room = config.bodyDepth &- d.pointee.bodySeen
        let cut = UInt64(piece.count) > room
        if cut { piece = UnsafeRawBufferPointer(rebasing: piece[0..<Int(room)]) }
        d.pointee.bodySeen &+= UInt64(piece.count)
        if form {
            // Decoded in pieces that fit the work area (decoding never lengthens, bar a
            // carried escape of two bytes).
            var at = 0
            let step = Self.workSize - 4
            while at < piece.count {
                let part = UnsafeRawBufferPointer(rebasing: piece[at..<min(piece.count, at + step)])
                let n = d.pointee.form.decode(part, into: work)
                scanSlot(raw: false, d.pointee.bodySlot, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(work)[0..<n]),
                         f, toServer: toServer, unit: unit)
                at += part.count
            }
        } else {
            scanSlot(raw: false, d.pointee.bodySlot, piece, f, toServer: toServer, unit: unit)
        }
        if cut {
            counters.depthExceeded &+= 1
            finishStream(f, raw: false, toServer: toServer, unit: unit)
            d.pointee.bodyDone = true
        }
    }

    /// The transaction's bodies ended (its response is complete): their end-of-data matches
    /// are reported and their scanners go back.
    @inlinable
    public mutating func endBodies(flow: UInt32, flowID: UInt64) {
        guard body.streams.count > 0 else { return }
        let f = flows! + Int(flow)
        guard f.pointee.flowID == flowID else { return }
        if f.pointee.toServer.bodySlot >= 0 { finishStream(f, raw: false, toServer: true, unit: f.pointee.toServer.bodyUnit) }
        if f.pointee.toClient.bodySlot >= 0 { finishStream(f, raw: false, toServer: false, unit: f.pointee.toClient.bodyUnit) }
    }

    /// Matches `packet`, `request` and `response` rules on the next bytes of a reassembled
    /// TCP stream, up to the stream depth.
    @inlinable
    public mutating func scanStream(flow: UInt32, flowID: UInt64, bytes: UnsafeRawBufferPointer, toServer: Bool) {
        guard raw.streams.count > 0, bytes.count > 0 else { return }
        let f = state(flow, flowID)
        guard f.pointee.mask != 0 else { return }
        let d = direction(f, toServer)
        guard !d.pointee.rawDone else { return }
        if d.pointee.rawSlot < 0 {
            let s = raw.borrow()
            guard s >= 0 else { counters.scannersExhausted &+= 1; d.pointee.rawDone = true; return }
            d.pointee.rawSlot = s
        }
        var piece = bytes
        let room = config.streamDepth &- d.pointee.rawSeen
        let cut = UInt64(piece.count) > room
        if cut { piece = UnsafeRawBufferPointer(rebasing: piece[0..<Int(room)]) }
        d.pointee.rawSeen &+= UInt64(piece.count)
        scanSlot(raw: true, d.pointee.rawSlot, piece, f, toServer: toServer, unit: 0)
        if cut {
            counters.depthExceeded &+= 1
            finishStream(f, raw: true, toServer: toServer, unit: 0)
            d.pointee.rawDone = true
        }
    }

    /// Matches `packet`, `request` and `response` rules on one UDP payload, as a stream of
    /// its own.
    @inlinable
    public mutating func scanDatagram(flow: UInt32, flowID: UInt64, bytes: UnsafeRawBufferPointer, toServer: Bool) {
        guard raw.streams.count > 0, bytes.count > 0 else { return }
        let f = state(flow, flowID)
        guard f.pointee.mask != 0 else { return }
        let s = raw.borrow()
        guard s >= 0 else { counters.scannersExhausted &+= 1; return }
        scanSlot(raw: true, s, bytes, f, toServer: toServer, unit: 0)
        endSlot(raw: true, s, f, toServer: toServer, unit: 0)
        raw.giveBack(s)
    }

    @inlinable
    mutating func scanSlot(raw isRaw: Bool, _ slot: Int32, _ bytes: UnsafeRawBufferPointer, _ f: UnsafeMutablePointer<SensorFlow>,
                           toServer: Bool, unit: UInt64) {
        guard bytes.count > 0 else { return }
        counters.scans &+= 1
        counters.bytesScanned &+= UInt64(bytes.count)
        if let r = recorderRef { r._withUnsafeGuaranteedRef { $0.add(isRaw ? .stream : .body, slot: slot, bytes) } }
        let start: UInt64, tail: UnsafeRawBufferPointer, status: HyperscanStatus
        if isRaw {
            start = raw.offsets[Int(slot)]; tail = raw.tail(slot)
            status = raw.streams.scan(slot, bytes, scratch: scratch!, into: matches)
        } else {
            start = body.offsets[Int(slot)]; tail = body.tail(slot)
            status = body.streams.scan(slot, bytes, scratch: scratch!, into: matches)
        }
        if status.rawValue != 0 { counters.scanErrors &+= 1 }
        process(f, family: isRaw ? FamilyCode.stream : FamilyCode.body, chunk: bytes, chunkStart: start, tail: tail,
                toServer: toServer, unit: unit, pendingKey: unit)
        if isRaw { raw.advance(slot, bytes) } else { body.advance(slot, bytes) }
    }

    /// Reports end-of-data matches of `slot` (which stays lent, reset).
    @inlinable
    mutating func endSlot(raw isRaw: Bool, _ slot: Int32, _ f: UnsafeMutablePointer<SensorFlow>, toServer: Bool, unit: UInt64) {
        if let r = recorderRef {
            r._withUnsafeGuaranteedRef { $0.add(isRaw ? .streamEnd : .bodyEnd, slot: slot, UnsafeRawBufferPointer(start: nil, count: 0)) }
        }
        let start: UInt64, tail: UnsafeRawBufferPointer, status: HyperscanStatus
        if isRaw {
            start = raw.offsets[Int(slot)]; tail = raw.tail(slot)
            status = raw.streams.finish(slot, scratch: scratch!, into: matches)
        } else {
            start = body.offsets[Int(slot)]; tail = body.tail(slot)
            status = body.streams.finish(slot, scratch: scratch!, into: matches)
        }
        if status.rawValue != 0 { counters.scanErrors &+= 1 }
        process(f, family: isRaw ? FamilyCode.stream : FamilyCode.body, chunk: UnsafeRawBufferPointer(start: nil, count: 0),
                chunkStart: start, tail: tail, toServer: toServer, unit: unit, pendingKey: unit)
    }

    /// Ends the direction's raw stream or body: end-of-data matches, then the scanner goes back.
    @inlinable
    mutating func finishStream(_ f: UnsafeMutablePointer<SensorFlow>, raw isRaw: Bool, toServer: Bool, unit: UInt64) {
        let d = direction(f, toServer)
        let slot = isRaw ? d.pointee.rawSlot : d.pointee.bodySlot
        guard slot >= 0 else { return }
        endSlot(raw: isRaw, slot, f, toServer: toServer, unit: unit)
        if isRaw { raw.giveBack(slot); d.pointee.rawSlot = -1 } else { body.giveBack(slot); d.pointee.bodySlot = -1 }
    }
}
