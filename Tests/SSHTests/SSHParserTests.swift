import L7Core
import Output
import SSH
import XCTest

/// Collects what the parser reports.
struct Reports: SSHSink {
    var count = 0
    var client = SSHSide()
    var server = SSHSide()
    mutating func sshHandshake(client: UnsafePointer<SSHSide>, server: UnsafePointer<SSHSide>) {
        count += 1
        self.client = client.pointee
        self.server = server.pointee
    }
}

/// Builds the two streams of an SSH-2 handshake's cleartext part.
enum Handshake {
    static func packet(_ payload: [UInt8], padding: Int = 4) -> [UInt8] {
        let length = UInt32(payload.count + padding + 1)
        return withUnsafeBytes(of: length.bigEndian) { Array($0) } + [UInt8(padding)] + payload
            + [UInt8](repeating: 0, count: padding)
    }

    static func nameList(_ s: String) -> [UInt8] {
        withUnsafeBytes(of: UInt32(s.utf8.count).bigEndian) { Array($0) } + Array(s.utf8)
    }

    /// KEXINIT (20): cookie, the 10 name-lists, first_kex_packet_follows, reserved.
    static func kexInit(kex: String, encryption: String, mac: String, compression: String) -> [UInt8] {
        var p: [UInt8] = [20] + [UInt8](repeating: 7, count: 16)
        for list in [kex, "ssh-ed25519", encryption, encryption, mac, mac, compression, compression, "", ""] {
            p += nameList(list)
        }
        return p + [0, 0, 0, 0, 0]
    }

    static let client = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n".utf8)
        + packet(kexInit(kex: "curve25519-sha256,ext-info-c", encryption: "aes128-ctr,chacha20-poly1305@openssh.com",
                         mac: "hmac-sha2-256", compression: "none,zlib@openssh.com"))
        + packet([30] + [UInt8](repeating: 1, count: 36)) + packet([21])
    static let server = Array("SSH-2.0-Test_1.0\r\n".utf8)
        + packet(kexInit(kex: "curve25519-sha256,ext-info-c", encryption: "aes256-gcm@openssh.com",
                         mac: "hmac-sha2-512", compression: "none"), padding: 9)
        + packet([31] + [UInt8](repeating: 2, count: 100)) + packet([21]) + [0xde, 0xad, 0xbe, 0xef]
}

final class SSHParserTests: XCTestCase {
    func feed(_ p: inout SSHParser, _ sink: inout Reports, _ bytes: [UInt8], toServer: Bool, pieces: Int = 1) {
        let step = max(1, bytes.count / pieces)
        bytes.withUnsafeBytes { b in
            var i = 0
            while i < b.count {
                let end = min(b.count, i + step)
                p.feed(UnsafeRawBufferPointer(rebasing: b[i..<end]), toServer: toServer, sink: &sink)
                i = end
            }
        }
    }

    func testHandshakeReportsVersionsAndHASSHOnceBothSidesSentNewKeys() {
        var p = SSHParser(), sink = Reports()
        feed(&p, &sink, Handshake.server, toServer: false)
        XCTAssertEqual(sink.count, 0)
        feed(&p, &sink, Handshake.client, toServer: true)
        XCTAssertEqual(sink.count, 1)
        XCTAssertTrue(p.finished)
        XCTAssertEqual(sink.client.protoVersion.string, "2.0")
        XCTAssertEqual(sink.client.softwareVersion.string, "OpenSSH_9.2p1")
        XCTAssertEqual(sink.client.hasshString.string,
                       "curve25519-sha256,ext-info-c;aes128-ctr,chacha20-poly1305@openssh.com;hmac-sha2-256;none,zlib@openssh.com")
        XCTAssertEqual(sink.client.hassh.string, "10a480bf5dc9271b2f614bbb1ffd5d37")
        XCTAssertEqual(sink.server.softwareVersion.string, "Test_1.0")
        XCTAssertEqual(sink.server.hasshString.string, "curve25519-sha256,ext-info-c;aes256-gcm@openssh.com;hmac-sha2-512;none")
        XCTAssertEqual(sink.server.hassh.string, "b7e18b45f9987a36b706acc001395fd6")
        p.end(sink: &sink)
        XCTAssertEqual(sink.count, 1, "reported once")
        XCTAssertEqual(p.counters.badPacketLengths + p.counters.malformedKexInits + p.counters.badBanners, 0)
    }

    func testAnySplitGivesTheSameResult() {
        for pieces in [2, 3, 7, 50, 10_000] {
            var p = SSHParser(), sink = Reports()
            feed(&p, &sink, Handshake.client, toServer: true, pieces: pieces)
            feed(&p, &sink, Handshake.server, toServer: false, pieces: pieces)
            XCTAssertEqual(sink.count, 1, "\(pieces)")
            XCTAssertEqual(sink.client.hassh.string, "10a480bf5dc9271b2f614bbb1ffd5d37", "\(pieces)")
            XCTAssertEqual(sink.server.hassh.string, "b7e18b45f9987a36b706acc001395fd6", "\(pieces)")
        }
    }

    func testImpossiblePacketLengthIsCountedNotTrusted() {
        var p = SSHParser(), sink = Reports()
        for length: [UInt8] in [[0xff, 0xff, 0xff, 0xff], [0, 0, 0, 1], [0, 0, 0, 4]] {
            p.reset()
            // packet_length 2^32-1, then 1 (no room for the message code), then padding 200 > length.
            feed(&p, &sink, Array("SSH-2.0-x\r\n".utf8) + length + [200, 20, 0, 0], toServer: true)
            XCTAssertEqual(p.counters.badPacketLengths, 1, "\(length)")
        }
    }

    func testNameListRunningPastTheMessageIsMalformed() {
        var p = SSHParser(), sink = Reports()
        var kex = Handshake.kexInit(kex: "a", encryption: "b", mac: "c", compression: "d")
        kex[17...20] = [0x7f, 0xff, 0xff, 0xff]   // the kex list claims 2 GB
        feed(&p, &sink, Array("SSH-2.0-x\r\n".utf8) + Handshake.packet(kex), toServer: true)
        XCTAssertEqual(p.counters.malformedKexInits, 1)
        p.end(sink: &sink)
        XCTAssertEqual(sink.client.hassh.count, 0)
        XCTAssertEqual(sink.client.softwareVersion.string, "x")
    }

    func testLinesBeforeTheBannerAndTheirLimit() {
        var p = SSHParser(), sink = Reports()
        feed(&p, &sink, Array("hello\r\nworld\nSSH-1.99-Srv comment\r\n".utf8), toServer: false)
        p.end(sink: &sink)
        XCTAssertEqual(sink.server.protoVersion.string, "1.99")
        XCTAssertEqual(sink.server.softwareVersion.string, "Srv")
        var q = SSHParser()
        feed(&q, &sink, Array(String(repeating: "x\n", count: 40).utf8), toServer: false)
        XCTAssertEqual(q.counters.badBanners, 1)
    }

    func testSSH1StopsAfterTheBanner() {
        var p = SSHParser(), sink = Reports()
        feed(&p, &sink, Array("SSH-1.5-Old\n".utf8) + [0, 0, 0, 9, 9, 9], toServer: true)
        feed(&p, &sink, Array("SSH-1.5-Old\n".utf8), toServer: false)
        XCTAssertTrue(p.finished)
        XCTAssertEqual(sink.count, 1)
        XCTAssertEqual(p.counters.badPacketLengths, 0)
    }

    func testRecordShape() {
        var p = SSHParser(), sink = Reports()
        feed(&p, &sink, Handshake.client, toServer: true)
        var out = JSONBuffer(fd: -1, capacity: 1 << 16)
        out.beginObject()
        p.writeEve(into: &out)
        out.endObject()
        let text = String(decoding: out.take(), as: UTF8.self)
        XCTAssertEqual(text, #"{"ssh":{"client":{"proto_version":"2.0","software_version":"OpenSSH_9.2p1","hassh":{"hash":"10a480bf5dc9271b2f614bbb1ffd5d37","string":"curve25519-sha256,ext-info-c;aes128-ctr,chacha20-poly1305@openssh.com;hmac-sha2-256;none,zlib@openssh.com"}}}}"#)
    }
}
