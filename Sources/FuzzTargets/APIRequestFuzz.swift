import APITypes
import ControlAPI
import Foundation

/// One request through the local API's router (authentication, routing, query parameters and
/// JSON bodies) with a stub backend: no sockets, no daemon. Input: a flags byte (bit 7: the
/// method is the next record, else the low bits pick one; bit 6: no bearer token), then
/// records for the URI and the header lines (`name: value`, one per line), then the body.
/// `scripts/fuzz-api-seeds.py` writes the seeds from the requests the API tests make.
enum APIRequestFuzz {
    static let methods = ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS", "get"]
    static let router = APIRouter(token: "fuzz-token", backend: StubBackend())

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let flags = input.byte()
        let method = flags & 0x80 != 0 ? text(input.record()) : methods[Int(flags & 7)]
        let uri = text(input.record())
        var headers: [String: String] = [:]
        for line in text(input.record()).split(separator: "\n") {
            let kv = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            headers[String(kv[0])] = kv.count > 1 ? kv[1].trimmingCharacters(in: .whitespaces) : ""
        }
        if flags & 0x40 == 0 { headers["Authorization"] = "Bearer fuzz-token" }
        let body = Array(input.rest())
        _ = router.handle(APIRequest(method: method, uri: uri, headers: headers, body: body))
    }

    static func text(_ bytes: UnsafeRawBufferPointer?) -> String {
        bytes.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

/// A backend answering every call with fixed values, and an EVE file of a few records for
/// the event tail.
final class StubBackend: APIBackend {
    static let eve: String = {
        let path = NSTemporaryDirectory() + "sluice-fuzz-eve-\(getpid()).json"
        var text = ""
        for i in 0..<50 { text += "{\"event_type\":\"flow\",\"flow_id\":\(i)}\n" }
        text += "{\"event_type\":\"partial\""
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }()

    func threats() -> ThreatsResponse { ThreatsResponse(threats: [], workers: 1) }
    func status() -> StatusResponse {
        StatusResponse(uptimeSeconds: 1, workers: 1, fail: "open", interfaces: [InterfaceStatus(name: "web", mode: "tap", interface: "veth0")],
                       policy: PolicyStatus(version: 1, source: "stub", generation: 1, overrides: PolicyOverrides(modes: [:], quarantined: []),
                                            lastApplyMs: -1),
                       sensors: ["waf-core"])
    }
    func currentPolicy() -> (version: Int, source: String, text: String) { (1, "stub", "version: 1\n") }
    func pushPolicy(_ text: String, file: String, expectedVersion: Int?) -> Result<PolicyPushResult, PolicyPushError> {
        if let expectedVersion, expectedVersion != 1 { return .failure(.conflict(current: 1)) }
        return .success(PolicyPushResult(version: 2, appliedMilliseconds: 0.1))
    }
    func sensors() -> [SensorInfo] { [SensorInfo(name: "waf-core", rules: [])] }
    func pushedSensors() -> (version: Int, text: String) { (0, "") }
    func pushSensors(_ text: String, file: String) -> Result<PolicyPushResult, PolicyPushError> {
        .success(PolicyPushResult(version: 1, appliedMilliseconds: nil))
    }
    func workloads() -> [WorkloadInfo] {
        [WorkloadInfo(name: "web", group: "web", mode: "protect", quarantine: false, sensors: [], sensorBindings: [])]
    }
    func setWorkload(_ name: String, mode: String?, quarantine: Bool?) -> Result<PolicyPushResult, PolicyPushError> {
        name == "web" ? .success(PolicyPushResult(version: 2, appliedMilliseconds: nil)) : .failure(.noSuchWorkload(name))
    }
    static func capture(_ id: String, filter: String = "", limits: CaptureLimitsInfo = CaptureLimitsInfo(packets: 0, bytes: 0, seconds: 0)) -> CaptureResponse {
        CaptureResponse(id: id, target: "interface web", interfaces: ["web"], filter: filter, snaplen: 262_144, state: "running", closed: false,
                        limits: limits, counters: CaptureCountersInfo(seen: 0, matched: 0, written: 0, bytes: 0, fileBytes: 0))
    }
    func startCapture(_ request: CaptureStartRequest) -> Result<CaptureResponse, APIFailure> {
        .success(Self.capture("cap-1", filter: request.filter,
                              limits: CaptureLimitsInfo(packets: request.packets, bytes: request.bytes, seconds: request.seconds)))
    }
    func listCaptures() -> [CaptureResponse] { [Self.capture("cap-1")] }
    func capture(_ id: String) -> Result<CaptureResponse, APIFailure> {
        id == "cap-1" ? .success(Self.capture(id)) : .failure(APIFailure(404, "no capture '\(id)'"))
    }
    func capturePcapng(_ id: String) -> Result<[UInt8], APIFailure> { id == "cap-1" ? .success([0x0A, 0x0D, 0x0D, 0x0A]) : .failure(APIFailure(404, "no")) }
    func stopCapture(_ id: String) -> Result<CaptureResponse, APIFailure> { capture(id) }
    func deleteCapture(_ id: String) -> Result<Void, APIFailure> { id == "cap-1" ? .success(()) : .failure(APIFailure(404, "no")) }
    func flows(limit: Int) -> (flows: [FlowInfo], late: Int) {
        let flow = FlowInfo(flowID: 1, srcIP: "10.0.0.1", destIP: "10.0.0.2", srcPort: 40000, destPort: 80, proto: 6,
                            state: "established", pkts: 3, bytes: 180, ageSeconds: 0.5, verdict: "allow")
        return (Array(repeating: flow, count: min(limit, 3)), 0)
    }
    func learnedPolicy(mode: String?) -> Result<LearnedPolicyResponse, APIFailure> {
        guard mode == nil || mode == "protect" || mode == "monitor" || mode == "discover" else { return .failure(APIFailure(400, "bad mode")) }
        return .success(LearnedPolicyResponse(count: 0, flows: [], workersLate: 0, policy: "version: 1\n", merged: "version: 1\n",
                                              mergedRulesAdded: 0, alreadyAllowed: 0, explicitlyDenied: [], policyVersion: 1))
    }
    var eventFile: String? { Self.eve }
}
