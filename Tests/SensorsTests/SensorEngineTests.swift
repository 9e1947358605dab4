import Sensors
import SluiceConfig
import XCTest

/// The engine on hand-made streams: what it finds does not depend on how the bytes are cut.
final class SensorEngineTests: XCTestCase {
    func engine(_ rules: [SensorRule], config: SensorConfig = SensorConfig()) throws -> SensorEngine {
        var c = config
        c.rawStreams = min(c.rawStreams, 8); c.bodyStreams = min(c.bodyStreams, 8)
        var e = try SensorEngine(set: SensorSet(sensors: [Sensor(name: "t", rules: rules)]), config: c)
        e.attach(capacity: 4)
        return e
    }

    /// Feeds `text` cut at `cut` into a raw stream and returns the sids fired.
    func stream(_ e: inout SensorEngine, _ text: String, cut: Int, flowID: UInt64, toServer: Bool = true) -> [UInt32] {
        let bytes = Array(text.utf8)
        var fired: [UInt32] = []
        for part in [bytes[..<cut], bytes[cut...]] {
            Array(part).withUnsafeBytes { e.scanStream(flow: 1, flowID: flowID, bytes: $0, toServer: toServer) }
            for i in 0..<e.firedCount { fired.append(e.set!.rules[Int(e.fired(i).rule)].id) }
            e.clearFired()
        }
        e.flowEnded(flow: 1, flowID: flowID)
        for i in 0..<e.firedCount { fired.append(e.set!.rules[Int(e.fired(i).rule)].id) }
        e.clearFired()
        return fired
    }

    func testValidatedMatchSplitAtEveryBoundaryFiresOnce() throws {
        var e = try engine([SensorRule(id: 7, name: "visa", patterns: [#"\b4\d{3}(?:[ -]?\d{4}){3}\b"#], context: .packet, validate: .luhn)])
        let good = "order paid with 4111-1111-1111-1111 today"
        let bad = "order number 4111-1111-1111-1112 today"
        for cut in 1..<good.utf8.count {
            XCTAssertEqual(stream(&e, good, cut: cut, flowID: UInt64(1000 + cut)), [7], "cut at \(cut)")
        }
        for cut in 1..<bad.utf8.count {
            XCTAssertEqual(stream(&e, bad, cut: cut, flowID: UInt64(5000 + cut)), [], "cut at \(cut)")
        }
        XCTAssertGreaterThan(e.counters.validationRejected, 0)
    }

    /// Validated patterns run without start tracking and have their starts found on demand
    /// (fixed width, or a confirm scan over the kept tail and the chunk): the alerts, starts,
    /// ends and excerpts must equal those of the start-tracking scan, wherever a chunk ends.
    func testPrefilteredMatchesReportTheSameStartsAsTrackedOnes() throws {
        let rules = [
            SensorRule(id: 1, name: "visa", patterns: [#"\b4\d{3}(?:[ -]?\d{4}){3}\b"#], context: .body, validate: .luhn),
            SensorRule(id: 2, name: "ssn", patterns: [#"\b\d{3}-\d{2}-\d{4}\b"#], context: .body, validate: .ssn),
            SensorRule(id: 3, name: "ssn near keyword", patterns: [#"\b\d{9}\b"#, #"\bssn\b[^0-9\n]{0,24}\d{9}\b"#],
                       context: .body, validate: .ssn, nocase: true),
            SensorRule(id: 4, name: "iban", patterns: [#"\b(?:DE|FR|GB)\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"#],
                       context: .body, validate: .iban),
        ]
        let text = Array(("ids 4111111111111112,4000 1234 5678 9010, 000123456 then 4111 1111 1111 1111 and 078-05-1120;"
            + " SSN: 219099999 iban DE89 3704 0044 0532 0130 00 end").utf8)
        let tracked = try SensorSet(sensors: [Sensor(name: "t", rules: rules)], prefilter: false)
        let prefiltered = try SensorSet(sensors: [Sensor(name: "t", rules: rules)])
        XCTAssertNil(tracked.confirm)
        XCTAssertNotNil(prefiltered.confirm, "the variable-width validated patterns get a confirm database")
        func alerts(_ set: SensorSet, cut: Int) throws -> [String] {
            var c = SensorConfig()
            c.rawStreams = 4; c.bodyStreams = 4
            var e = try SensorEngine(set: set, config: c)
            e.attach(capacity: 4)
            var out: [String] = []
            func collect() {
                for i in 0..<e.firedCount {
                    let a = e.fired(i)
                    let excerpt = a.excerpt.withBytes { String(decoding: $0, as: UTF8.self) }
                    out.append("\(set.rules[Int(a.rule)].id) \(a.matchStart.map(String.init) ?? "-")..\(a.matchEnd) \(excerpt)")
                }
                e.clearFired()
            }
            for part in [text[..<cut], text[cut...]] {
                Array(part).withUnsafeBytes { e.scanBody(flow: 0, flowID: 9, bytes: $0, toServer: false, unit: 1, form: false) }
                collect()
            }
            e.endBodies(flow: 0, flowID: 9)
            collect()
            return out
        }
        let expected = try alerts(tracked, cut: text.count)
        XCTAssertEqual(Set(expected.map { $0.prefix(1) }), ["1", "2", "3", "4"], "\(expected)")
        for cut in 1..<text.count {
            XCTAssertEqual(try alerts(prefiltered, cut: cut), try alerts(tracked, cut: cut), "cut at \(cut)")
        }
    }

    func testDirectionalContexts() throws {
        var e = try engine([SensorRule(id: 1, name: "req", patterns: ["secret"], context: .request),
                            SensorRule(id: 2, name: "resp", patterns: ["secret"], context: .response)])
        XCTAssertEqual(stream(&e, "a secret b", cut: 4, flowID: 1, toServer: true), [1])
        XCTAssertEqual(stream(&e, "a secret b", cut: 4, flowID: 2, toServer: false), [2])
    }

    func testAllPatternsMustMatchInOneBody() throws {
        var e = try engine([SensorRule(id: 3, name: "both", patterns: ["alpha", "omega"], context: .body)])
        func body(_ s: String, unit: UInt64) -> [UInt32] {
            Array(s.utf8).withUnsafeBytes { e.scanBody(flow: 0, flowID: 9, bytes: $0, toServer: false, unit: unit, form: false) }
            defer { e.clearFired() }
            return (0..<e.firedCount).map { e.set!.rules[Int(e.fired($0).rule)].id }
        }
        XCTAssertEqual(body("alpha ...", unit: 0), [])
        XCTAssertEqual(body("... omega", unit: 0), [3])
        XCTAssertEqual(body("alpha omega", unit: 0), [], "fires once per body")
        XCTAssertEqual(body("alpha", unit: 1), [])
        XCTAssertEqual(body("nothing", unit: 2), [])
        XCTAssertEqual(body("omega", unit: 2), [], "alpha was in another body")
    }

    func testFormBodyDecodedAcrossPieces() throws {
        var e = try engine([SensorRule(id: 4, name: "sqli", patterns: ["' or 1=1"], context: .body)])
        let text = Array("q=x%27+or+1%3D1".utf8)
        for cut in 1..<text.count {
            var fired = 0
            for (i, part) in [text[..<cut], text[cut...]].enumerated() {
                _ = i
                Array(part).withUnsafeBytes { e.scanBody(flow: 2, flowID: UInt64(cut), bytes: $0, toServer: true, unit: 0, form: true) }
                fired += e.firedCount
                e.clearFired()
            }
            e.flowEnded(flow: 2, flowID: UInt64(cut))
            XCTAssertEqual(fired, 1, "cut at \(cut)")
        }
    }

    func testSensorMaskAndBlock() throws {
        var e = try engine([SensorRule(id: 5, name: "blocker", patterns: ["attack"], context: .url, action: .block)])
        let uri = Array("/x?attack".utf8)
        e.setSensors(flow: 3, flowID: 1, mask: 0)
        uri.withUnsafeBytes { e.scanURL(flow: 3, flowID: 1, uri: $0, unit: 0) }
        XCTAssertEqual(e.firedCount, 0, "sensor not bound to this flow")
        XCTAssertFalse(e.isBlocked(flow: 3, flowID: 1))
        uri.withUnsafeBytes { e.scanURL(flow: 3, flowID: 2, uri: $0, unit: 0) }
        XCTAssertEqual(e.firedCount, 1)
        XCTAssertTrue(e.fired(0).blocks && e.fired(0).firstBlock)
        XCTAssertTrue(e.isBlocked(flow: 3, flowID: 2))
        XCTAssertFalse(e.isBlocked(flow: 3, flowID: 3), "a new flow in the slot starts unblocked")
    }

    func testURLNormalizationDecodesTwiceEncodedInput() throws {
        var e = try engine([SensorRule(id: 6, name: "trav", patterns: [#"\.\./\.\./etc/passwd"#], context: .url)])
        let uri = Array("/download?file=%252e%252e%252f..%5c%2e%2e/etc/passwd".utf8)
        uri.withUnsafeBytes { e.scanURL(flow: 0, flowID: 4, uri: $0, unit: 0) }
        XCTAssertEqual(e.firedCount, 1)
        XCTAssertEqual(e.fired(0).excerpt.withBytes { String(decoding: $0, as: UTF8.self) }.contains("../../etc/passwd"), true)
    }

    func testStreamDepthIsCounted() throws {
        var c = SensorConfig()
        c.streamDepth = 100
        var e = try engine([SensorRule(id: 8, name: "late", patterns: ["needle"], context: .packet)], config: c)
        let text = String(repeating: "x", count: 150) + "needle"
        XCTAssertEqual(stream(&e, text, cut: 50, flowID: 77), [])
        XCTAssertEqual(e.counters.depthExceeded, 1)
    }

    func testValidators() {
        func check(_ v: Validation, _ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { Validators.check(v, $0) } }
        XCTAssertTrue(check(.luhn, "4111 1111 1111 1111"))
        XCTAssertTrue(check(.luhn, "378282246310005"))
        XCTAssertFalse(check(.luhn, "4111111111111112"))
        XCTAssertTrue(check(.iban, "DE89 3704 0044 0532 0130 00"))
        XCTAssertTrue(check(.iban, "GB82WEST12345698765432"))
        XCTAssertFalse(check(.iban, "GB82WEST12345698765433"))
        XCTAssertTrue(check(.ssn, "123-45-6789"))
        XCTAssertFalse(check(.ssn, "666-45-6789"))
        XCTAssertFalse(check(.ssn, "123-00-6789"))
        XCTAssertFalse(check(.ssn, "912-45-6789"))
    }
}

/// Sensor files and sets: every problem names the file and line, or the rule at fault.
final class SensorFileTests: XCTestCase {
    func error(_ yaml: String) -> String {
        do {
            let sensors = try SensorFile.parse(yaml, file: "bad.yaml")
            _ = try SensorSet(sensors: sensors)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testErrorsNameFileLineAndProblem() {
        let unknownContext = error("""
            sensors:
              - name: s
                rules:
                  - { id: 1, name: a, context: cookie, patterns: [x] }
            """)
        XCTAssertTrue(unknownContext.contains("bad.yaml:4") && unknownContext.contains("unknown context \"cookie\""), unknownContext)
        let noPatterns = error("sensors:\n  - name: s\n    rules:\n      - { id: 1, name: a, context: url }\n")
        XCTAssertTrue(noPatterns.contains("bad.yaml:4") && noPatterns.contains("patterns"), noPatterns)
        let badRegex = error("sensors:\n  - name: s\n    rules:\n      - { id: 1, name: a, context: url, patterns: ['ok'] }\n      - { id: 2, name: b, context: body, patterns: ['(unclosed'] }\n")
        XCTAssertTrue(badRegex.contains("bad.yaml:5") && badRegex.contains("rule 2") && badRegex.contains("(unclosed"), badRegex)
        let duplicate = error("sensors:\n  - name: s\n    rules:\n      - { id: 1, name: a, context: url, patterns: [x] }\n      - { id: 1, name: b, context: url, patterns: [y] }\n")
        XCTAssertTrue(duplicate.contains("bad.yaml:5") && duplicate.contains("already used at bad.yaml:4"), duplicate)
        let badValidate = error("sensors:\n  - name: s\n    rules:\n      - { id: 1, name: a, context: url, patterns: [x], validate: crc }\n")
        XCTAssertTrue(badValidate.contains("unknown check \"crc\""), badValidate)
        let syntax = error("sensors:\n  - name: s\n    rules: [\n")
        XCTAssertTrue(syntax.contains("bad.yaml:") && syntax.contains("YAML syntax"), syntax)
    }

    func testBuiltInSetsLoadAndCompile() throws {
        let sensors = try SensorFile.allBuiltIn()
        XCTAssertEqual(sensors.map(\.name), ["dlp-pii", "dlp-secrets", "waf-core"])
        let set = try SensorSet(sensors: sensors)
        XCTAssertGreaterThan(set.rules.count, 100)
        XCTAssertNotNil(set.url); XCTAssertNotNil(set.header); XCTAssertNotNil(set.body)
    }

    func testTesterExplainsNormalization() throws {
        let rule = SensorRule(id: 9, name: "u", patterns: ["union select"], context: .url, nocase: true)
        let results = SensorTester.run([Sensor(name: "t", rules: [rule])], input: Array("/q?x=UNION%2520SELECT".utf8))
        XCTAssertEqual(results.count, 1)
        XCTAssertTrue(results[0].fires)
        XCTAssertEqual(String(decoding: results[0].normalized, as: UTF8.self), "/q?x=UNION SELECT")
        XCTAssertEqual(results[0].patterns[0].matches, [5..<17])
    }
}
