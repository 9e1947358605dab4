import Codecs
import Engine
import Foundation
import L7
import PacketIO
import XCTest

/// The per-worker name-to-address cache that FQDN groups match through: filled from the DNS
/// answers of the recorded dig/dnsmasq capture, and its own rules (case, TTL, eviction).
final class NameCacheTests: XCTestCase {
    func testAnswersOfTheRecordedCaptureFillTheCache() throws {
        var source = try PcapFile(path: L7Harness.path("l7-dns-tls.pcap"))
        var worker = Worker(config: EngineConfig(), stage: L7Stage(eveFD: -1), eveFD: -1)
        _ = try Replay.run(&source, through: &worker)
        // The capture's own clock: entries live at least a minute past the answers.
        var clock = try PcapFile(path: L7Harness.path("l7-dns-tls.pcap"))
        var now: UInt64 = 0
        while let p = try clock.nextPacket() { now = max(now, p.timestamp) }
        let v4 = try XCTUnwrap(IPAddress("10.77.0.2")), v6 = try XCTUnwrap(IPAddress("fd77::2"))
        // www answers A and AAAA; web is a CNAME to www: both the asked name and the owner of
        // the A record are remembered for the address. The PTR, MX, SRV answers name no address.
        XCTAssertEqual(worker.stage.names.names(of: v4, now: now), ["web.sluice.test", "www.sluice.test"])
        XCTAssertEqual(worker.stage.names.names(of: v6, now: now), ["www.sluice.test"])
        // NXDOMAIN answers nothing; an address no answer named has no names.
        XCTAssertEqual(worker.stage.names.names(of: try XCTUnwrap(IPAddress("10.77.0.1")), now: now), [])
        worker.shutdown()
    }

    func testCaseTTLAndEviction() throws {
        var cache = NameCache(capacity: 16)
        let a = IPAddress(v4: 0x0a00_0001)
        let second: UInt64 = 1_000_000_000
        "WWW.Example.COM".utf8CString.withUnsafeBytes { cache.insert(address: a, name: UnsafeRawBufferPointer(rebasing: $0.dropLast()), ttl: 5, now: 0) }
        XCTAssertEqual(cache.names(of: a, now: 0), ["www.example.com"])
        // A 5 s TTL is kept for the 60 s minimum, then expires.
        XCTAssertEqual(cache.names(of: a, now: 59 * second), ["www.example.com"])
        XCTAssertEqual(cache.names(of: a, now: 61 * second), [])
        // The same pair again refreshes instead of adding a second entry.
        for _ in 0..<3 { "x.test".utf8CString.withUnsafeBytes { cache.insert(address: a, name: UnsafeRawBufferPointer(rebasing: $0.dropLast()), ttl: 300, now: 0) } }
        XCTAssertEqual(cache.names(of: a, now: 0), ["www.example.com", "x.test"])
        // More names for one address than its probe window holds: the oldest give way, counted.
        for i in 0..<20 {
            "n\(i).test".utf8CString.withUnsafeBytes {
                cache.insert(address: a, name: UnsafeRawBufferPointer(rebasing: $0.dropLast()), ttl: UInt32(100 + i), now: 0)
            }
        }
        let kept = cache.names(of: a, now: 0)
        XCTAssertEqual(kept.count, 8)
        XCTAssertTrue(kept.contains("n19.test"))
        XCTAssertGreaterThan(cache.evictions, 0)
    }

    /// A capture's clock may read anything: an answer seen near the end of it must neither
    /// trap nor be forgotten at once.
    func testInsertNearTheEndOfTheClock() {
        var cache = NameCache(capacity: 16)
        let a = IPAddress(v4: 0x0a00_0001)
        let now = UInt64.max - 5
        "late.test".utf8CString.withUnsafeBytes { cache.insert(address: a, name: UnsafeRawBufferPointer(rebasing: $0.dropLast()), ttl: 300, now: now) }
        XCTAssertEqual(cache.names(of: a, now: now), ["late.test"])
    }
}
