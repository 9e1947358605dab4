/// The padding MD5, SHA-1 and SHA-256 share (Merkle–Damgård with 64-byte blocks): the message
/// in whole blocks, then its tail, a 0x80 byte, zeros and the length in bits in the last eight
/// bytes. Each block goes to `compress` from a stack buffer, so hashing allocates nothing.
@inline(__always)
func forEachPaddedBlock(_ bytes: UnsafeRawBufferPointer, bigEndianLength: Bool,
                        _ compress: (UnsafeRawBufferPointer) -> Void) {
    var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    let n = bytes.count
    var offset = 0
    while offset + 64 <= n {
        compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 64)]))
        offset += 64
    }
    let rest = n - offset
    withUnsafeMutableBytes(of: &block) { b in
        for i in 0..<rest { b[i] = bytes[offset + i] }
        b[rest] = 0x80
    }
    if rest >= 56 {
        withUnsafeBytes(of: block) { compress($0) }
        block = (0, 0, 0, 0, 0, 0, 0, 0)
    }
    let bits = UInt64(n) &* 8
    withUnsafeMutableBytes(of: &block) { b in
        b.storeBytes(of: bigEndianLength ? bits.bigEndian : bits.littleEndian, toByteOffset: 56, as: UInt64.self)
    }
    withUnsafeBytes(of: block) { compress($0) }
}
