import APITypes
import ControlAPI
import Foundation
import XCTest

/// The router's answers read back as the APITypes `sluice ctl` decodes, with the field names
/// docs/api.md documents, and the OpenAPI document is served.
final class RouterAnswersTests: XCTestCase {
    let router = APIRouter(token: "t", backend: FixedBackend())

    func get(_ uri: String, method: String = "GET", body: [UInt8] = []) -> APIResponse {
        router.handle(APIRequest(method: method, uri: uri, headers: ["Authorization": "Bearer t"], body: body))
    }

    func testOpenAPIDocumentIsServed() {
        let r = get("/v1/openapi.yaml")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.contentType, "application/yaml")
        XCTAssertEqual(String(decoding: r.body, as: UTF8.self), OpenAPIDocument.yaml)
        XCTAssertEqual(get("/v1/openapi.yaml", method: "PUT").status, 405)
        XCTAssertEqual(router.handle(APIRequest(method: "GET", uri: "/v1/openapi.yaml")).status, 401, "the token is needed here too")
    }

    func testAnswersDecodeAsTheSharedTypes() throws {
        let status = try APIJSON.decode(StatusResponse.self, from: get("/v1/status").body)
        XCTAssertEqual(status, FixedBackend.statusValue)
        XCTAssertEqual(try APIJSON.decode(PolicyResponse.self, from: get("/v1/policy").body).version, 1)
        XCTAssertEqual(try APIJSON.decode(FlowsResponse.self, from: get("/v1/flows?limit=2").body).count, 0)
        XCTAssertEqual(try APIJSON.decode(WorkloadsResponse.self, from: get("/v1/workloads").body).workloads.first?.sensorBindings.first?.action,
                       "block")
        XCTAssertEqual(try APIJSON.decode(ThreatsResponse.self, from: get("/v1/threats").body).threats.first?.detections, 4)
        let pushed = try APIJSON.decode(PushResponse.self, from: get("/v1/policy?name=p.yaml", method: "PUT", body: Array("version: 1\n".utf8)).body)
        XCTAssertEqual(pushed, PushResponse(version: 2, appliedMs: -1))
        XCTAssertEqual(try APIJSON.decode(CaptureDeletedResponse.self, from: get("/v1/captures/cap-1", method: "DELETE").body).deleted, "cap-1")
    }

    func testWireNamesStayAsDocumented() throws {
        let status = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(get("/v1/status").body)) as? [String: Any])
        XCTAssertEqual(Set(status.keys), ["uptime_seconds", "workers", "fail", "interfaces", "policy", "sensors"])
        let policy = try XCTUnwrap(status["policy"] as? [String: Any])
        XCTAssertEqual(Set(policy.keys), ["version", "source", "generation", "overrides", "last_apply_ms"])
        let interface = try XCTUnwrap((status["interfaces"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(interface.keys), ["name", "mode", "pair", "workload"], "absent optionals are left out, as before")
        let pushed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(get("/v1/policy", method: "PUT", body: Array("x".utf8)).body)) as? [String: Any])
        XCTAssertEqual(pushed["applied_ms"] as? Double, -1)
        let rejected = get("/v1/workloads/web", method: "PUT", body: Array(#"{"quarantine": 1}"#.utf8))
        XCTAssertEqual(rejected.status, 400)
        XCTAssertEqual(try APIJSON.decode(APIErrorResponse.self, from: rejected.body).error.field, "quarantine")
    }
}

/// Fixed answers, enough to read every route back.
final class FixedBackend: APIBackend {
    static let statusValue = StatusResponse(
        uptimeSeconds: 3, workers: 2, fail: "open",
        interfaces: [InterfaceStatus(name: "web", mode: "inline", pair: ["a", "b"], workload: "web")],
        policy: PolicyStatus(version: 1, source: "p.yaml", generation: 1, overrides: PolicyOverrides(modes: [:], quarantined: []),
                             lastApplyMs: -1),
        sensors: ["waf-core"])
    func status() -> StatusResponse { Self.statusValue }
    func threats() -> ThreatsResponse {
        ThreatsResponse(threats: [ThreatInfo(id: 3001, name: "tcp_syn_flood", signature: "s", classification: "c", severity: 2,
                                             enabled: true, action: "alert", threshold: "1000 SYNs/s", detections: 4)], workers: 2)
    }
    func currentPolicy() -> (version: Int, source: String, text: String) { (1, "p.yaml", "version: 1\n") }
    func pushPolicy(_ text: String, file: String, expectedVersion: Int?) -> Result<PolicyPushResult, PolicyPushError> {
        .success(PolicyPushResult(version: 2, appliedMilliseconds: nil))
    }
    func sensors() -> [SensorInfo] { [] }
    func pushedSensors() -> (version: Int, text: String) { (0, "") }
    func pushSensors(_ text: String, file: String) -> Result<PolicyPushResult, PolicyPushError> { .failure(.persist("read-only")) }
    func workloads() -> [WorkloadInfo] {
        [WorkloadInfo(name: "web", group: "web", mode: "protect", quarantine: false, sensors: ["waf-core"],
                      sensorBindings: [SensorBindingInfo(name: "waf-core", action: "block", disable: [])])]
    }
    func setWorkload(_ name: String, mode: String?, quarantine: Bool?) -> Result<PolicyPushResult, PolicyPushError> {
        .success(PolicyPushResult(version: 2, appliedMilliseconds: 0.5))
    }
    func startCapture(_ request: CaptureStartRequest) -> Result<CaptureResponse, APIFailure> { .failure(APIFailure(503, "off")) }
    func listCaptures() -> [CaptureResponse] { [] }
    func capture(_ id: String) -> Result<CaptureResponse, APIFailure> { .failure(APIFailure(404, "no")) }
    func capturePcapng(_ id: String) -> Result<[UInt8], APIFailure> { .failure(APIFailure(404, "no")) }
    func stopCapture(_ id: String) -> Result<CaptureResponse, APIFailure> { .failure(APIFailure(404, "no")) }
    func deleteCapture(_ id: String) -> Result<Void, APIFailure> { .success(()) }
    func flows(limit: Int) -> (flows: [FlowInfo], late: Int) { ([], 0) }
    func learnedPolicy(mode: String?) -> Result<LearnedPolicyResponse, APIFailure> { .failure(APIFailure(400, "no")) }
    var eventFile: String? { nil }
}
