/// HPACK's Huffman code (RFC 7541 Appendix B) decoded bit by bit as a canonical code: the
/// RFC's code is canonical (codes of one length are consecutive and ordered by symbol), so
/// per-length first codes and counts plus the symbols in code order describe it completely
/// in about 350 bytes, and decoding needs no tree and no allocation.
@usableFromInline enum HuffmanDecoder {
    /// The first code of each length 0...30 (valid only where `counts` is non-zero).
    static let firstCode: [UInt32] = [
        0, 0, 0, 0, 0, 0, 20, 92, 248, 0, 1016, 2042, 4090, 8184, 16380, 32764, 0, 0, 0,
        524272, 1048550, 2097116, 4194258, 8388568, 16777194, 33554412, 67108832, 134217694,
        268435426, 0, 1073741820,
    ]
    /// How many codes each length 0...30 has.
    static let counts: [UInt8] = [
        0, 0, 0, 0, 0, 10, 26, 32, 6, 0, 5, 3, 2, 6, 2, 3, 0, 0, 0, 3, 8, 13, 26, 29, 12, 4, 15,
        19, 29, 0, 4,
    ]
    /// Where each length's symbols start in `symbols`.
    static let offsets: [UInt16] = [
        0, 0, 0, 0, 0, 0, 10, 36, 68, 0, 74, 79, 82, 84, 90, 92, 0, 0, 0, 95, 98, 106, 119, 145,
        174, 186, 190, 205, 224, 0, 253,
    ]
    /// Byte symbols in code order (EOS, symbol 256, is the last 30-bit code and is left out:
    /// decoding it is an error).
    static let symbols: [UInt8] = [
        48, 49, 50, 97, 99, 101, 105, 111, 115, 116, 32, 37, 45, 46, 47, 51, 52, 53, 54, 55, 56, 57,
        61, 65, 95, 98, 100, 102, 103, 104, 108, 109, 110, 112, 114, 117, 58, 66, 67, 68, 69, 70,
        71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 89, 106, 107, 113, 118,
        119, 120, 121, 122, 38, 42, 44, 59, 88, 90, 33, 34, 40, 41, 63, 39, 43, 124, 35, 62, 0, 36,
        64, 91, 93, 126, 94, 125, 60, 96, 123, 92, 195, 208, 128, 130, 131, 162, 184, 194, 224, 226,
        153, 161, 167, 172, 176, 177, 179, 209, 216, 217, 227, 229, 230, 129, 132, 133, 134, 136,
        146, 154, 156, 160, 163, 164, 169, 170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198,
        228, 232, 233, 1, 135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152, 155, 157, 158,
        165, 166, 168, 174, 175, 180, 182, 183, 188, 191, 197, 231, 239, 9, 142, 144, 145, 148, 159,
        171, 206, 215, 225, 236, 237, 199, 207, 234, 235, 192, 193, 200, 201, 202, 205, 210, 213,
        218, 219, 238, 240, 242, 243, 255, 203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245,
        246, 247, 248, 250, 251, 252, 253, 254, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19,
        20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127, 220, 249, 10, 13, 22,
    ]

    /// Decodes `src`, calling `emit` per byte. Returns false on an invalid string: the EOS
    /// symbol, a code longer than 30 bits, or padding that is longer than 7 bits or not all
    /// ones (RFC 7541 section 5.2) — bytes emitted before the error are not taken back.
    @usableFromInline static func decode(_ src: UnsafeRawBufferPointer, _ emit: (UInt8) -> Void) -> Bool {
        var code: UInt32 = 0
        var len = 0
        for byte in src {
            var bit = 7
            while bit >= 0 {
                code = code << 1 | UInt32((byte >> UInt8(bit)) & 1)
                len += 1
                bit -= 1
                if len < 5 { continue }
                if len > 30 { return false }
                let n = UInt32(counts[len])
                if n == 0 { continue }
                let first = firstCode[len]
                if code >= first && code - first < n {
                    let index = Int(offsets[len]) + Int(code - first)
                    if index >= symbols.count { return false }  // EOS inside the string
                    emit(symbols[index])
                    code = 0
                    len = 0
                }
            }
        }
        // What is left must be a prefix of EOS (all ones), at most 7 bits.
        return len <= 7 && code == (UInt32(1) << UInt32(len)) - 1
    }
}
