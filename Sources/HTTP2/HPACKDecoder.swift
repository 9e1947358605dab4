import L7Core

/// One decoded header field, cut to sizes that cover every field the parser keeps (longer
/// names are never interesting; longer values are cut, and `value.truncated` says so).
@usableFromInline struct HeaderField {
    @usableFromInline var name = FixedBytes<32>()
    @usableFromInline var value = FixedBytes<256>()
    @usableFromInline init() {}
}

/// The HPACK decoder of one direction (RFC 7541). It decodes one representation at a time
/// from a header-block buffer, and only once the representation is there whole, so a block
/// may arrive in any pieces. Any error leaves the dynamic table unknowable (both ends must
/// apply every representation in order), so the decoder stops for good: `lost`.
@usableFromInline struct HPACKDecoder {
    /// Why decoding stopped.
    @usableFromInline enum Failure: UInt8 {
        case none, malformed, badIndex, badHuffman, sizeUpdateTooLarge, tableBeyondCapacity, blockTooLarge, gap
    }

    /// What `next` found.
    @usableFromInline enum Step {
        /// A header field, written to `next`'s `field` (not carried here: returning the
        /// 300-byte field by value copies it at every hand-over).
        case field
        /// A representation continues past the buffer's end.
        case needMore
        /// A dynamic table size update was applied.
        case sizeUpdate
        case error
    }

    @usableFromInline var table = DynamicTable()
    /// SETTINGS_HEADER_TABLE_SIZE the decoding side advertised: the most a size update may ask.
    @usableFromInline var settingsLimit = 4096
    /// Why the decoder stopped (`.none` while it works).
    @usableFromInline var failure = Failure.none
    /// Header fields decoded.
    @usableFromInline var fields: UInt64 = 0

    @usableFromInline init() {}

    @usableFromInline var lost: Bool { failure != .none }

    @usableFromInline mutating func fail(_ why: Failure) -> Step {
        if failure == .none { failure = why }
        return .error
    }

    /// Decodes the representation at `pos`, advancing `pos` past it unless it is incomplete;
    /// on `.field` the field is in `f` (whose previous contents are dropped).
    @usableFromInline mutating func next(_ buf: UnsafeRawBufferPointer, at pos: inout Int,
                                         into f: inout HeaderField) -> Step {
        if lost { return .error }
        var p = pos
        guard p < buf.count else { return .needMore }
        let first = buf[p]
        if first & 0x80 != 0 {
            guard let index = Self.integer(buf, &p, prefix: 7) else { return .needMore }
            guard index >= 0, let (name, value) = lookup(index) else { return fail(index < 0 ? .malformed : .badIndex) }
            f.name.removeAll()
            f.value.removeAll()
            guard materialize(name, into: &f.name) != nil, materialize(value, into: &f.value) != nil else {
                return fail(.badHuffman)
            }
            pos = p
            fields &+= 1
            return .field
        }
        if first & 0xe0 == 0x20 {
            guard let size = Self.integer(buf, &p, prefix: 5) else { return .needMore }
            guard size >= 0, size <= settingsLimit else { return fail(.sizeUpdateTooLarge) }
            table.setMaxSize(size)
            pos = p
            return .sizeUpdate
        }
        let indexing = first & 0xc0 == 0x40
        guard let index = Self.integer(buf, &p, prefix: indexing ? 6 : 4) else { return .needMore }
        guard index >= 0 else { return fail(.malformed) }
        let name: HeaderString
        if index == 0 {
            switch Self.string(buf, &p) {
            case .some(.some(let s)): name = s
            case .some(.none): return fail(.malformed)
            case .none: return .needMore
            }
        } else {
            guard let (n, _) = lookup(index) else { return fail(.badIndex) }
            name = n
        }
        let value: HeaderString
        switch Self.string(buf, &p) {
        case .some(.some(let s)): value = s
        case .some(.none): return fail(.malformed)
        case .none: return .needMore
        }
        f.name.removeAll()
        f.value.removeAll()
        // The decoded lengths come with the copies: a Huffman string is not decoded again to count.
        guard let nl = materialize(name, into: &f.name), let vl = materialize(value, into: &f.value) else {
            return fail(.badHuffman)
        }
        if indexing {
            guard table.insert(name: name, nameLength: nl, value: value, valueLength: vl) else { return fail(.tableBeyondCapacity) }
        }
        pos = p
        fields &+= 1
        return .field
    }

    /// Static or dynamic entry `index` (1-based, dynamic after the 61 static ones).
    /// `mutating` (like `materialize`) only so `self` comes by address: non-mutating, the
    /// decoder with its 4 KB table is copied to a temporary on every call.
    @usableFromInline mutating func lookup(_ index: Int) -> (HeaderString, HeaderString)? {
        if let e = HPACKStaticTable.entry(index) { return (.fixed(e.name), .fixed(e.value)) }
        let i = index - HPACKStaticTable.count - 1
        guard i >= 0, i < table.count else { return nil }
        let e = table.entry(i)
        let start = Int(e.start)
        return (.table(start: start, length: Int(e.nameLength)),
                .table(start: start + Int(e.nameLength), length: Int(e.valueLength)))
    }

    /// Copies `s` into `out` (cut to fit) and returns its whole decoded length; nil for a bad
    /// Huffman string, which is checked to its end even when `out` fills early.
    @usableFromInline mutating func materialize<let n: Int>(_ s: HeaderString, into out: inout FixedBytes<n>) -> Int? {
        switch s {
        case .literal(let p, let huffman):
            if huffman {
                var decoded = 0
                return HuffmanDecoder.decode(p) { out.append($0); decoded += 1 } ? decoded : nil
            }
            out.append(p)
            return p.count
        case .fixed(let s):
            out.append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
            return s.utf8CodeUnitCount
        case .table(let start, let length):
            for i in 0..<length { out.append(table.byte(at: start + i)) }
            return length
        }
    }

    /// An HPACK integer with an `prefix`-bit prefix (RFC 7541 section 5.1) starting at `p`;
    /// nil when it continues past the buffer, -1 when it is too big to be sane (over 2^28).
    @usableFromInline static func integer(_ buf: UnsafeRawBufferPointer, _ p: inout Int, prefix: Int) -> Int? {
        let mask = (1 << prefix) - 1
        var q = p
        guard q < buf.count else { return nil }
        var value = Int(buf[q]) & mask
        q += 1
        if value == mask {
            var shift = 0
            while true {
                guard q < buf.count else { return nil }
                let b = buf[q]
                q += 1
                value += Int(b & 0x7f) << shift
                shift += 7
                if b & 0x80 == 0 { break }
                if shift > 28 { p = q; return -1 }
            }
            if value > 1 << 28 { p = q; return -1 }
        }
        p = q
        return value
    }

    /// A string literal at `p`: nil when incomplete, .some(nil) when malformed.
    @usableFromInline static func string(_ buf: UnsafeRawBufferPointer, _ p: inout Int) -> HeaderString?? {
        guard p < buf.count else { return nil }
        let huffman = buf[p] & 0x80 != 0
        var q = p
        guard let length = integer(buf, &q, prefix: 7) else { return nil }
        guard length >= 0 else { return .some(nil) }
        guard buf.count - q >= length else { return nil }
        p = q + length
        return .some(.literal(UnsafeRawBufferPointer(rebasing: buf[q..<(q + length)]), huffman: huffman))
    }
}
