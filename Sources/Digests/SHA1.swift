/// SHA-1 (FIPS 180-4) over a buffer, without allocating, for certificate fingerprints
/// (Suricata's `tls.fingerprint`); swift-crypto allocates a context object per digest.
public enum SHA1 {
    /// The 20-byte digest of `bytes`, passed to `body`.
    public static func digest<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
        forEachPaddedBlock(bytes, bigEndianLength: true) { compress(&h, $0) }
        h = (h.0.bigEndian, h.1.bigEndian, h.2.bigEndian, h.3.bigEndian, h.4.bigEndian)
        return withUnsafeBytes(of: &h) { body($0) }
    }

    @usableFromInline
    static func compress(_ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32), _ m: UnsafeRawBufferPointer) {
        var w: InlineArray<80, UInt32> = InlineArray(repeating: 0)
        for i in 0..<16 { w[i] = UInt32(bigEndian: m.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
        for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
        var a = h.0, b = h.1, c = h.2, d = h.3, e = h.4
        for i in 0..<80 {
            let f: UInt32, k: UInt32
            switch i {
            case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
            case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
            case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
            default: f = b ^ c ^ d; k = 0xCA62C1D6
            }
            let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
            e = d; d = c; c = rotl(b, 30); b = a; a = t
        }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
    }
}

@inline(__always)
func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }

@inline(__always)
func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
