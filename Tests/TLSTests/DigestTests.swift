import Digests
import Crypto
import Foundation
import TLS
import XCTest

// Ours, apart from swift-crypto's types of the same names.
typealias SluiceSHA256 = Digests.SHA256

/// The allocation-free digests behind JA3 (MD5), JA4 (SHA-256) and certificate fingerprints
/// (SHA-1), against their standards' test vectors and against swift-crypto at every length
/// around the block and padding boundaries.
final class DigestTests: XCTestCase {
    typealias Digest = (UnsafeRawBufferPointer, (UnsafeRawBufferPointer) -> String) -> String

    func hex(_ s: [UInt8], _ digest: Digest) -> String {
        s.withUnsafeBytes { b in digest(b) { d in d.map { String(format: "%02x", $0) }.joined() } }
    }

    func testMD5RFC1321Vectors() {
        XCTAssertEqual(hex([], MD5.digest), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(hex(Array("abc".utf8), MD5.digest), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(hex(Array("message digest".utf8), MD5.digest), "f96b697d7cb7938d525a2f31aaf161d0")
        XCTAssertEqual(hex(Array(String(repeating: "1234567890", count: 8).utf8), MD5.digest),
                       "57edf4a22be3c955ac49da2e2107b67a")
    }

    func testSHAFIPSVectors() {
        XCTAssertEqual(hex(Array("abc".utf8), SHA1.digest), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hex(Array("abc".utf8), SluiceSHA256.digest),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex([], SluiceSHA256.digest),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testEveryLengthAgainstSwiftCrypto() {
        var bytes: [UInt8] = []
        func ref<H: HashFunction>(_: H.Type) -> String { H.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
        for n in 0..<300 {
            XCTAssertEqual(hex(bytes, MD5.digest), ref(Insecure.MD5.self), "md5 length \(n)")
            XCTAssertEqual(hex(bytes, SHA1.digest), ref(Insecure.SHA1.self), "sha1 length \(n)")
            XCTAssertEqual(hex(bytes, SluiceSHA256.digest), ref(Crypto.SHA256.self), "sha256 length \(n)")
            bytes.append(UInt8(truncatingIfNeeded: n &* 31 &+ 7))
        }
    }
}
