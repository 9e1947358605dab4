/// One DER element: tag byte and the range of its content inside the certificate bytes.
struct DERElement {
    var tag: UInt8
    var from: Int
    var to: Int
}

/// A minimal DER walker over a bounded reader: single-byte tags (all X.509 needs up to the
/// subject) and definite lengths of up to 4 bytes. Anything else ends the walk with nil.
extension ByteReader {
    mutating func der() -> DERElement? {
        guard let tag = u8(), let first = u8() else { return nil }
        var len = 0
        if first < 0x80 {
            len = Int(first)
        } else {
            let n = Int(first & 0x7f)
            guard n >= 1, n <= 4 else { return nil }
            for _ in 0..<n {
                guard let b = u8() else { return nil }
                len = len << 8 | Int(b)
            }
        }
        guard len <= remaining else { return nil }
        let element = DERElement(tag: tag, from: pos, to: pos + len)
        pos += len
        return element
    }

    /// A reader over `element`'s content.
    func inside(_ element: DERElement) -> ByteReader {
        ByteReader(bytes, from: element.from, to: element.to)
    }
}
