import Foundation
import Output
import SluiceTestSupport
import TLS
import XCTest

/// Replays suricata-verify's TLS cases through two parsers per connection and compares the
/// EVE `tls.*` fields their test.yaml `match` blocks check.
final class SuricataVerifyTLSTests: XCTestCase {
    static let root = "/work/shared/suricata-verify/tests/tls"
    /// Fields Sluice does not produce (SAN, session resumption, client certs, chains).
    static let unsupportedPrefixes = ["tls.subjectaltname", "tls.session_resumed", "tls.client.",
                                      "tls.chain", "tls.certificate"]

    struct Filter { var fields: [(String, String)] = [] }

    /// Pulls `tls.*: value` pairs per `- filter:` from a test.yaml (values may wrap lines).
    static func filters(_ yaml: String) -> (pcap: String?, filters: [Filter]) {
        var pcap: String?
        var out: [Filter] = []
        var lastIndent = -1
        for raw in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let indent = line.prefix { $0 == " " }.count
            if line.hasPrefix("pcap:") {
                pcap = trimmed.dropFirst(5).trimmingCharacters(in: .whitespaces)
                continue
            }
            if trimmed.hasPrefix("- filter:") { out.append(Filter()); lastIndent = -1; continue }
            if trimmed.hasPrefix("- ") { lastIndent = -1; continue }
            if trimmed.hasPrefix("tls."), let colon = trimmed.range(of: ": "), !out.isEmpty {
                let key = String(trimmed[..<colon.lowerBound])
                let value = String(trimmed[colon.upperBound...])
                out[out.count - 1].fields.append((key, value))
                lastIndent = indent
            } else if lastIndent >= 0, indent > lastIndent, !trimmed.isEmpty, !trimmed.contains(": "),
                      !out.isEmpty, !out[out.count - 1].fields.isEmpty {
                out[out.count - 1].fields[out[out.count - 1].fields.count - 1].1 += " " + trimmed
            } else {
                lastIndent = -1
            }
        }
        let unquoted = out.map { f in
            Filter(fields: f.fields.map { (k, v) in
                var v = v
                if v.count >= 2, let q = v.first, q == "'" || q == "\"", v.last == q {
                    v = String(v.dropFirst().dropLast())
                }
                return (k, v)
            })
        }
        return (pcap, unquoted.filter { !$0.fields.isEmpty })
    }

    /// EVE `tls` objects, one per connection that produced a ClientHello or ServerHello.
    static func events(_ streams: PcapStreams) throws -> [[String: Any]] {
        var result: [[String: Any]] = []
        // Bytes after a hole that was never filled are not fed (as a real reassembler would
        // stall there); the handshake before it is still inspected.
        for c in streams.connections {
            var client = TLSHandshakeParser(), server = TLSHandshakeParser()
            for chunk in c.toServer { chunk.withUnsafeBytes { client.feed($0) } }
            for chunk in c.toClient { chunk.withUnsafeBytes { server.feed($0) } }
            guard client.info.clientHelloSeen || server.info.serverHelloSeen else { continue }
            var out = JSONBuffer(fd: -1)
            out.beginObject()
            TLSEve.write(client: client, server: server, into: &out)
            out.endObject()
            let obj = try JSONSerialization.jsonObject(with: Data(out.take())) as? [String: Any] ?? [:]
            result.append(obj)
        }
        return result
    }

    static func lookup(_ obj: [String: Any], _ path: String) -> String? {
        var cur: Any = obj
        for part in path.split(separator: ".") {
            guard let d = cur as? [String: Any], let next = d[String(part)] else { return nil }
            cur = next
        }
        if let s = cur as? String { return s }
        return "\(cur)"
    }

    /// Runs one case; returns a summary line and whether every supported field matched.
    static func run(_ name: String) throws -> (line: String, pass: Bool?) {
        let dir = root + "/" + name
        guard let yaml = try? String(contentsOfFile: dir + "/test.yaml", encoding: .utf8) else {
            return ("\(name): no test.yaml", nil)
        }
        let (pcapRef, filters) = Self.filters(yaml)
        guard !filters.isEmpty else { return ("\(name): SKIP no tls.* match fields", nil) }
        var pcapPath = pcapRef.map { dir + "/" + $0 }
        if pcapPath == nil {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            pcapPath = files.first { $0.hasSuffix(".pcap") }.map { dir + "/" + $0 }
        }
        guard let path = pcapPath, FileManager.default.fileExists(atPath: path) else {
            return ("\(name): SKIP pcap missing (\(pcapRef ?? "none"))", nil)
        }
        let streams = PcapStreams(path: path)
        if let e = streams.error { return ("\(name): SKIP \(e)", nil) }

        let events = try Self.events(streams).map { $0["tls"] as? [String: Any] ?? [:] }
        var diffs: [String] = []
        var checked = 0, unsupported = Set<String>()
        for f in filters {
            let fields = f.fields.filter { k, _ in
                let skip = unsupportedPrefixes.contains { k.hasPrefix($0) }
                if skip { unsupported.insert(k.components(separatedBy: "[").first!) }
                return !skip
            }
            guard !fields.isEmpty else { continue }
            checked += fields.count
            // The event matching most fields explains the differences best.
            let scored = events.map { e in
                (e, fields.filter { k, v in lookup(["tls": e], k) == v }.count)
            }
            guard let best = scored.max(by: { $0.1 < $1.1 }), best.1 < fields.count else { continue }
            for (k, v) in fields where lookup(["tls": best.0], k) != v {
                diffs.append("\(k) expected '\(v)' got '\(lookup(["tls": best.0], k) ?? "nil")'")
            }
        }
        let note = unsupported.isEmpty ? "" : " (unsupported: \(unsupported.sorted().joined(separator: ", ")))"
        if checked == 0 { return ("\(name): SKIP only unsupported fields\(note)", nil) }
        if diffs.isEmpty { return ("\(name): PASS \(checked) fields\(note)", true) }
        return ("\(name): FAIL \(Set(diffs).sorted().joined(separator: "; "))\(note)", false)
    }

    func testSuricataVerifyTLSCases() throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: Self.root) else {
            throw XCTSkip("suricata-verify not present at \(Self.root)")
        }
        var passed: [String] = [], failed: [String] = []
        for name in names.sorted() {
            let (line, pass) = try Self.run(name)
            print("SV-TLS " + line)
            if pass == true { passed.append(name) } else if pass == false { failed.append(name) }
        }
        print("SV-TLS summary: \(passed.count) passed, \(failed.count) failed")
        let missing = Self.expectedPassing.subtracting(passed)
        XCTAssertTrue(missing.isEmpty, "regressed: \(missing.sorted())")
    }

    /// Cases known to match fully; the test fails if one of them stops matching.
    static let expectedPassing: Set<String> = [
        "tls-altname-zero", "tls-cert-issuer", "tls-cert-validity", "tls-client-hello-frag-01",
        "tls-eve-custom-fields", "tls-fin-close-data-01", "tls-glupteba", "tls-glupteba-mb",
        "tls-issuerdn", "tls-ja3s", "tls-ja3s-pre8", "tls-pre-1970", "tls-subject",
        "tls13-draft14", "tls13-draft18", "tls13-draft19", "tls13-draft22", "tls13-draft23",
        "tls13-draft28", "tls13-draft28-frames",
    ]

    /// Fields of Suricata's recorded `tls` objects (output/eve.json) that Sluice writes.
    static let eveFields = ["subject", "issuerdn", "serial", "fingerprint", "sni", "version",
                            "notbefore", "notafter", "ja3.hash", "ja3.string", "ja3s.hash", "ja3s.string"]

    /// Second opinion from the recorded outputs: every `tls` object in output/eve.json must be
    /// matched, on the fields both sides write, by one of our events.
    func testRecordedEveOutputs() throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: Self.root) else {
            throw XCTSkip("suricata-verify not present at \(Self.root)")
        }
        var passed: [String] = [], failed: [String] = []
        for name in names.sorted() {
            let dir = Self.root + "/" + name
            guard let eve = try? String(contentsOfFile: dir + "/output/eve.json", encoding: .utf8),
                  let yaml = try? String(contentsOfFile: dir + "/test.yaml", encoding: .utf8) else { continue }
            let pcapRef = Self.filters(yaml).pcap
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            guard let path = pcapRef.map({ dir + "/" + $0 }) ?? files.first(where: { $0.hasSuffix(".pcap") }).map({ dir + "/" + $0 }),
                  FileManager.default.fileExists(atPath: path) else {
                print("SV-EVE \(name): SKIP pcap missing"); continue
            }
            let streams = PcapStreams(path: path)
            if streams.error != nil {
                print("SV-EVE \(name): SKIP unreadable pcap"); continue
            }
            let ours = try Self.events(streams).map { $0["tls"] as? [String: Any] ?? [:] }
            var diffs = Set<String>()
            var compared = 0
            for line in eve.split(separator: "\n") {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let tls = obj["tls"] as? [String: Any] else { continue }
                let fields = Self.eveFields.compactMap { k in Self.lookup(tls, k).map { (k, $0) } }
                guard !fields.isEmpty else { continue }
                compared += 1
                let best = ours.max { a, b in
                    fields.filter { Self.lookup(a, $0.0) == $0.1 }.count < fields.filter { Self.lookup(b, $0.0) == $0.1 }.count
                }
                for (k, v) in fields where best.flatMap({ Self.lookup($0, k) }) != v {
                    diffs.insert("\(k) expected '\(v)' got '\(best.flatMap { Self.lookup($0, k) } ?? "nil")'")
                }
            }
            if diffs.isEmpty {
                print("SV-EVE \(name): PASS \(compared) events"); passed.append(name)
            } else {
                print("SV-EVE \(name): FAIL \(diffs.sorted().joined(separator: "; "))"); failed.append(name)
            }
        }
        print("SV-EVE summary: \(passed.count) passed, \(failed.count) failed")
        XCTAssertTrue(failed.isEmpty, "differs from recorded output: \(failed)")
    }
}
