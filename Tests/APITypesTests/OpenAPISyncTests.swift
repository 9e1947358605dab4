import APITypes
import Foundation
import XCTest
import Yams

/// docs/openapi.yaml and the APITypes the daemon encodes and `sluice ctl` decodes describe the
/// same fields: for every schema, a value of its type with every optional field set encodes
/// exactly the schema's properties (nested objects and arrays checked through their `$ref`),
/// the required ones among them, and decodes back to itself.
final class OpenAPISyncTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A value of every schema's type, every optional field set.
    static let samples: [String: any Encodable & Sendable] = {
        let shape = LearnedShape(srcIP: "10.0.0.1", destIP: "10.0.0.2", proto: 6, destPort: 80, appProto: "http")
        let limits = CaptureLimitsInfo(packets: 10, bytes: 1000, seconds: 1.5)
        let counters = CaptureCountersInfo(seen: 5, matched: 4, written: 3, bytes: 300, fileBytes: 512)
        let capture = CaptureResponse(id: "cap-1", target: "interface web", interfaces: ["web"], filter: "tcp", snaplen: 65535,
                                      state: "running", closed: false, limits: limits, counters: counters)
        let rule = SensorRuleInfo(id: 1000201, name: "SQL injection", context: "url", action: "alert", severity: 2)
        let binding = SensorBindingInfo(name: "waf-core", action: "block", disable: [1000203])
        let overrides = PolicyOverrides(modes: ["web": "monitor"], quarantined: ["db"])
        let policyStatus = PolicyStatus(version: 3, source: "api", generation: 4, overrides: overrides, lastApplyMs: 0.25)
        let interface = InterfaceStatus(name: "web", mode: "inline", pair: ["a", "b"], interface: "c", workload: "web")
        let flow = FlowInfo(flowID: 7, srcIP: "10.0.0.1", destIP: "10.0.0.2", srcPort: 40000, destPort: 80, proto: 6, interface: "web",
                            appProto: "http", state: "established", pkts: 12, bytes: 3400, ageSeconds: 1.25, verdict: "allow")
        let attached = InterfaceInfo(name: "veth1", mode: "inline", pair: ["veth1", "sls4"], interface: "veth1", workload: "web",
                                     origin: "container", container: "web-1", containerID: "0a1b", bridge: "cni0",
                                     linkSeenAt: 1.5, attachedAt: 1.6)
        let threat = ThreatInfo(id: 3001, name: "tcp_syn_flood", signature: "Sluice threat: TCP SYN flood",
                                classification: "Attempted Denial of Service", severity: 2, enabled: true, action: "block",
                                threshold: "1000 SYNs/s to one destination", detections: 12)
        var start = CaptureStartRequest(interface: "web", workload: "web")
        start.filter = "tcp port 80"
        return [
            "APIErrorResponse": APIErrorResponse(error: APIErrorDetail(status: 422, reason: "r", field: "f", file: "p.yaml", line: 1,
                                                                      column: 2, key: "k", message: "m", currentVersion: 3)),
            "APIErrorDetail": APIErrorDetail(status: 409, reason: "r", field: "f", file: "p.yaml", line: 1, column: 2, key: "k",
                                             message: "m", currentVersion: 3),
            "StatusResponse": StatusResponse(uptimeSeconds: 5, workers: 2, fail: "open", interfaces: [interface], policy: policyStatus,
                                             sensors: ["waf-core"]),
            "InterfaceStatus": interface,
            "PolicyStatus": policyStatus,
            "PolicyOverrides": overrides,
            "PolicyResponse": PolicyResponse(version: 1, source: "p.yaml", policy: "version: 1\n"),
            "PushResponse": PushResponse(version: 2, appliedMs: 1.5),
            "LearnedPolicyResponse": LearnedPolicyResponse(count: 1, flows: [shape], workersLate: 0, policy: "p", merged: "m",
                                                           mergedRulesAdded: 1, alreadyAllowed: 0, explicitlyDenied: [shape], policyVersion: 1),
            "LearnedShape": shape,
            "SensorsResponse": SensorsResponse(sensors: [SensorInfo(name: "waf-core", rules: [rule])], version: 1, file: "sensors: []\n"),
            "SensorInfo": SensorInfo(name: "waf-core", rules: [rule]),
            "SensorRuleInfo": rule,
            "WorkloadsResponse": WorkloadsResponse(workloads: [WorkloadInfo(name: "web", group: "web", mode: "protect", quarantine: true,
                                                                            sensors: ["waf-core"], sensorBindings: [binding])]),
            "WorkloadInfo": WorkloadInfo(name: "web", group: "web", mode: "protect", quarantine: true, sensors: ["waf-core"],
                                         sensorBindings: [binding]),
            "SensorBindingInfo": binding,
            "WorkloadUpdate": WorkloadUpdate(mode: "monitor", quarantine: false),
            "ThreatsResponse": ThreatsResponse(threats: [threat], workers: 2),
            "ThreatInfo": threat,
            "FlowsResponse": FlowsResponse(flows: [flow], count: 1, workersLate: 0),
            "FlowInfo": flow,
            "CaptureStartRequest": start,
            "CaptureResponse": capture,
            "CaptureLimitsInfo": limits,
            "CaptureCountersInfo": counters,
            "CapturesResponse": CapturesResponse(captures: [capture]),
            "CaptureDeletedResponse": CaptureDeletedResponse(deleted: "cap-1"),
            "InterfacesResponse": InterfacesResponse(interfaces: [attached]),
            "InterfaceInfo": attached,
            "AttachRequest": AttachRequest(name: "web", mode: "inline", pair: ["a", "b"], interface: "c", workload: "web"),
        ]
    }()

    static func schemas() throws -> [String: Any] {
        let doc = try XCTUnwrap(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
        let components = try XCTUnwrap(doc["components"] as? [String: Any])
        return try XCTUnwrap(components["schemas"] as? [String: Any])
    }

    func testCheckedInDocumentIsTheServedOne() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        XCTAssertEqual(file, OpenAPIDocument.yaml,
                       "docs/openapi.yaml and Sources/APITypes/OpenAPIDocument.swift differ: copy the one you edited into the other")
    }

    func testEverySchemaHasATypeAndTheirFieldsMatch() throws {
        let schemas = try Self.schemas()
        XCTAssertEqual(Set(schemas.keys), Set(Self.samples.keys), "a schema without a Swift type, or a type without a schema")
        for (name, sample) in Self.samples {
            let data = try JSONEncoder().encode(sample)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], name)
            try check(object, against: name, schemas: schemas, at: name)
        }
    }

    func testEveryResponseDecodesBackToItself() throws {
        func roundTrip<T: Codable & Equatable>(_ value: T) throws {
            XCTAssertEqual(try APIJSON.decode(T.self, from: APIJSON.encode(value)), value, "\(T.self)")
        }
        for (_, sample) in Self.samples {
            guard let codable = sample as? any (Codable & Equatable) else { continue }   // CaptureStartRequest: encoded only
            try roundTrip(codable)
        }
    }

    /// `object` has exactly the properties of schema `name`, its required ones included; nested
    /// objects (a `$ref`, or an array of them) are checked the same way.
    func check(_ object: [String: Any], against name: String, schemas: [String: Any], at path: String) throws {
        let schema = try XCTUnwrap(schemas[name] as? [String: Any], "no schema \(name)")
        let properties = try XCTUnwrap(schema["properties"] as? [String: Any], "\(name) lists no properties")
        XCTAssertEqual(Set(object.keys), Set(properties.keys), "\(path): the Swift type's keys and the schema's properties differ")
        for required in schema["required"] as? [String] ?? [] {
            XCTAssertNotNil(object[required], "\(path): \(required) is required but not encoded")
        }
        for (key, value) in object {
            guard let property = properties[key] as? [String: Any] else { continue }
            if let ref = Self.refName(property), let nested = value as? [String: Any] {
                try check(nested, against: ref, schemas: schemas, at: "\(path).\(key)")
            } else if let items = property["items"] as? [String: Any], let ref = Self.refName(items), let list = value as? [[String: Any]] {
                for (i, nested) in list.enumerated() { try check(nested, against: ref, schemas: schemas, at: "\(path).\(key)[\(i)]") }
            } else if Self.refName(property) != nil || property["items"].flatMap({ Self.refName($0 as? [String: Any] ?? [:]) }) != nil {
                XCTFail("\(path).\(key): the schema names an object, the type encodes \(value)")
            }
        }
    }

    static func refName(_ schema: [String: Any]) -> String? {
        (schema["$ref"] as? String).map { String($0.split(separator: "/").last ?? "") }
    }
}
