import Sensors

/// The WAF normalizers: URL decoding (rounds of percent-decoding, `\` and `+` rewriting) into
/// outputs of the input's size and smaller, header lines cut to small outputs, and form
/// bodies decoded across pieces, which must decode to the same bytes however they are cut.
///
/// Input: a byte choosing output sizes, then records: the first is the URL and header value,
/// each one after it a piece of a form body.
enum WAFNormalizeFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let sizes = input.byte()
        guard let target = input.record() else { return }

        for size in [target.count, Int(sizes)] {
            let out = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
            defer { out.deallocate() }
            let n = WAFNormalizer.url(target, into: out)
            precondition(n >= 0 && n <= min(size, target.count), "url() wrote \(n) bytes into \(size)")
            let h = WAFNormalizer.headerLine(name: target, value: target, into: out)
            precondition(h >= 0 && h <= size, "headerLine() wrote \(h) bytes into \(size)")
        }

        var pieces: [UnsafeRawBufferPointer] = []
        while let piece = input.record() { pieces.append(piece) }
        var whole: [UInt8] = []
        for p in pieces { whole.append(contentsOf: p) }
        var decoded: [UInt8] = []
        var form = FormDecoder()
        for p in pieces { decoded.append(contentsOf: decode(&form, p)) }
        var once = FormDecoder()
        let expected = whole.withUnsafeBytes { decode(&once, $0) }
        // A body cut mid-escape keeps the escape pending; both decoders end in the same state.
        precondition(decoded == expected, "form decoding depends on where the body was cut")
    }

    static func decode(_ form: inout FormDecoder, _ piece: UnsafeRawBufferPointer) -> [UInt8] {
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: piece.count + 2, alignment: 1)
        defer { out.deallocate() }
        let n = form.decode(piece, into: out)
        precondition(n >= 0 && n <= piece.count + 2, "form decode wrote \(n) bytes of \(piece.count + 2)")
        return Array(out[0..<n])
    }
}
