import Sensors
import XCTest

/// Form bodies decode to the same bytes however they are cut, invalid escapes included: the
/// bytes of an escape carried over from the previous piece are read again when it turns out
/// invalid (`%4` | `%41` and `%+` | `x` used to decode differently when cut there; the
/// wafNormalize fuzz target checks this property on every input).
final class FormDecoderTests: XCTestCase {
    func decode(_ pieces: [String]) -> String {
        var d = FormDecoder()
        var out: [UInt8] = []
        for p in pieces {
            let bytes = Array(p.utf8)
            var buf = [UInt8](repeating: 0, count: bytes.count + 2)
            let n = bytes.withUnsafeBytes { i in buf.withUnsafeMutableBytes { d.decode(i, into: $0) } }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    func testEveryCutDecodesLikeTheWhole() {
        for text in ["%4%41", "%+x", "%%41", "a=%2", "%zz%4G%41+%", "x%", "%25%32%35"] {
            let whole = decode([text])
            let chars = Array(text)
            for cut in 0...chars.count {
                XCTAssertEqual(decode([String(chars[..<cut]), String(chars[cut...])]), whole, "\(text) cut at \(cut)")
            }
        }
        XCTAssertEqual(decode(["%4", "%41"]), "%4A")
        XCTAssertEqual(decode(["%+", "x"]), "% x")
    }
}
