import Datastore
import L7Core
import XCTest

/// DHCP and NTP datagrams (RFC 2131, RFC 5905 layouts).
final class DatagramProbeTests: XCTestCase {
    static func datagram(_ b: [UInt8]) -> DatastoreVerdict { b.withUnsafeBytes { DatastoreProbes.probeDatagram($0, toServer: true) } }

    /// A DHCPDISCOVER from an Ethernet client.
    static let discover: [UInt8] = bytes([1, 1, 6, 0], be32(0x3903_f326), zeros(20), [0x00, 0x0c, 0x29, 0x12, 0x34, 0x56],
                                         zeros(10 + 64 + 128), be32(0x6382_5363), [53, 1, 1, 55, 3, 1, 3, 6, 255], zeros(51))
    /// An NTPv4 client request as ntpdate/chrony send it: mode 3, poll 6, precision -20.
    static let ntpClient: [UInt8] = bytes([0x23, 0, 6, 0xec], zeros(8), zeros(4), zeros(24), be32(0xe9a1_2b3c), be32(0x1234_5678))
    /// An NTPv4 server reply: stratum 2, reference id, small root delay and dispersion.
    static let ntpServer: [UInt8] = bytes([0x24, 2, 6, 0xe9], be32(0x0000_0a3c), be32(0x0000_1234), [192, 168, 1, 1],
                                          be32(0xe9a1_2b00), be32(0), be32(0xe9a1_2b3c), be32(0x1234_5678),
                                          be32(0xe9a1_2b3d), be32(0), be32(0xe9a1_2b3d), be32(0x10))

    func testMatches() {
        XCTAssertEqual(Self.datagram(Self.discover), .match(.dhcp))
        var offer = Self.discover
        offer[0] = 2
        XCTAssertEqual(Self.datagram(offer), .match(.dhcp))
        XCTAssertEqual(Self.datagram(Self.ntpClient), .match(.ntp))
        XCTAssertEqual(Self.datagram(Self.ntpServer), .match(.ntp))
        // SNTP clients (systemd-timesyncd) leave everything but the first byte and transmit time zero.
        XCTAssertEqual(Self.datagram(bytes([0x23], zeros(39), be32(0xe9a1_2b3c), be32(1))), .match(.ntp))
    }

    func testNearMisses() {
        var cookie = Self.discover
        cookie[236] = 0x64
        XCTAssertEqual(Self.datagram(cookie), .noMatch)
        var hlen = Self.discover
        hlen[2] = 7
        XCTAssertEqual(Self.datagram(hlen), .noMatch)
        XCTAssertEqual(Self.datagram(Array(Self.discover.prefix(239))), .noMatch)
        var version = Self.ntpClient
        version[0] = 0x13   // version 2
        XCTAssertEqual(Self.datagram(version), .noMatch)
        var mode = Self.ntpClient
        mode[0] = 0x26      // mode 6 (control)
        XCTAssertEqual(Self.datagram(mode), .noMatch)
        var stratum = Self.ntpServer
        stratum[1] = 99
        XCTAssertEqual(Self.datagram(stratum), .noMatch)
        var precision = Self.ntpClient
        precision[3] = 0x10
        XCTAssertEqual(Self.datagram(precision), .noMatch)
        XCTAssertEqual(Self.datagram(Self.ntpClient + [0]), .noMatch)   // not whole words
        XCTAssertEqual(Self.datagram(Array(Self.ntpClient.prefix(47))), .noMatch)
    }
}
