#if os(Linux)
import Foundation
import Glibc
import XCTest

/// EVE under abuse and rotation: a flood of denied SYNs writes a bounded number of deny
/// records and accounts for the rest in aggregate records; SIGUSR1 after a rename sends new
/// records to a new file, as logrotate expects.
final class EveBoundTests: XCTestCase {
    /// 20 000 SYNs from one client to a port the policy denies, each a new flow: at most
    /// `per_source` deny records per second per worker, the rest counted (`aggregated`,
    /// `count`) so records plus counts equal the denied flows of the summary.
    func testDeniedSynFloodWritesBoundedRecords() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.write("policy.yaml", protectPolicy())
        let sluice = try Daemon(bed, interfaces: [inlinePair], extra: "eve_limit: { per_source: 20, per_worker: 2000, window_ms: 1000 }\n")
        defer { sluice.stop() }
        let before = maxRSS(daemonPID(sluice))
        try bed.write("synflood.py", """
            import socket, struct, sys
            def csum(b):
                if len(b) % 2: b += b"\\0"
                s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
                s = (s >> 16) + (s & 0xffff); s += s >> 16
                return ~s & 0xffff
            src, dst = socket.inet_aton("10.98.0.1"), socket.inet_aton("10.98.0.2")
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
            n = int(sys.argv[1])
            for i in range(n):
                sport = 10000 + i
                tcp = struct.pack("!HHIIBBHHH", sport, 8081, i, 0, 5 << 4, 0x02, 64240, 0, 0)
                tcp = tcp[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xffff, 0, 64, 6, 0, src, dst)
                s.sendto(ip + tcp, ("10.98.0.2", 0))
            print(n)
            """)
        let sent = bed.exec(bed.client, "python3 '\(bed.dir)/synflood.py' 20000")
        XCTAssertEqual(sent.status, 0, sent.output)
        usleep(1_500_000)
        let during = maxRSS(daemonPID(sluice))
        XCTAssertEqual(sluice.stop(), 0, sluice.log)
        let policy = sluice.records("policy")
        let plain = policy.filter { sluiceField($0, "policy", "action") == "deny" && sluiceField($0, "policy", "aggregated") == nil }
        let aggregates = policy.filter { sluiceField($0, "policy", "aggregated") != nil }
        let counted = aggregates.compactMap { Int(sluiceField($0, "policy", "count") ?? "") }.reduce(0, +)
        let denied = Int(sluice.log.components(separatedBy: "denied ").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? -1
        let eveBytes = (try? FileManager.default.attributesOfItem(atPath: sluice.eve)[.size] as? Int) ?? 0
        // The flood's flows, either way round (a reset the daemon sends can open one from the server).
        let floodFlows = sluice.records("flow").filter { field($0, "dest_port") == "8081" || field($0, "src_port") == "8081" }.count
        print("denied SYN flood: 20000 sent, \(denied) flows denied, \(plain.count) deny records, \(aggregates.count) aggregates "
              + "counting \(counted), \(floodFlows) flow records; EVE \(eveBytes) bytes; daemon VmHWM \(before) kB before, \(during) kB after")
        XCTAssertGreaterThan(denied, 1000, "the flood reached the daemon: \(sluice.log)")
        XCTAssertLessThan(plain.count, 400, "deny records are bounded")
        XCTAssertEqual(floodFlows, plain.count, "flow records only for the flows with a deny record")
        XCTAssertFalse(aggregates.isEmpty, "suppressed records are counted in aggregates")
        XCTAssertEqual(plain.count + counted, denied, "every denied flow is a record or counted in one")
    }

    /// Rename the EVE file, SIGUSR1: records written after go to a new file at the path, and
    /// an event stream that was following goes on with the new file.
    func testSigusr1ReopensEveForLogrotate() throws {
        let bed = try Bed()
        defer { bed.tearDown() }
        try bed.startHTTP()
        try bed.write("policy.yaml", protectPolicy())
        try bed.write("token", "t-\(UInt64.random(in: 1...UInt64.max))\n")
        let sluice = try Daemon(bed, interfaces: [inlinePair], extra: APITests.api)
        defer { sluice.stop() }
        let follow = try bed.start(bed.middle, "events-follow",
                                   "timeout 8 '\(SluiceBinary.path)' ctl events --tail 0 --follow --socket '\(bed.dir)/api.sock' --token-file '\(bed.dir)/token'")
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt?before-rotation").status, 0)
        usleep(1_200_000)
        XCTAssertEqual(rename(sluice.eve, sluice.eve + ".1"), 0)
        kill(sluice.process.pid, SIGUSR1)
        XCTAssertTrue(sluice.process.wait(for: "eve: reopened", seconds: 5), sluice.log)
        XCTAssertEqual(bed.curl("http://10.98.0.2/hello.txt?after-rotation").status, 0)
        // The follower polls every 200 ms and the worker flushes within 100 ms of going idle.
        usleep(1_500_000)
        XCTAssertEqual(sluice.stop(), 0)
        let new = (try? String(contentsOfFile: sluice.eve, encoding: .utf8)) ?? ""
        let old = (try? String(contentsOfFile: sluice.eve + ".1", encoding: .utf8)) ?? ""
        XCTAssertTrue(new.contains("after-rotation"), "new file: \(new.prefix(2000))")
        XCTAssertFalse(new.contains("before-rotation"), "the new file starts after the rotation")
        XCTAssertTrue(old.contains("before-rotation"), "rotated file: \(old.prefix(2000))")
        // Only the new file has this record: the stream switched files.
        XCTAssertTrue(follow.text.contains("after-rotation"),
                      "the followed stream goes on after the rotation: \(follow.text.prefix(2000))")
    }
}
#endif
