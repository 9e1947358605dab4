import APITypes
import Foundation

/// Maps requests to the backend: authentication first (every request needs
/// `Authorization: Bearer TOKEN`, on the Unix socket and on TCP alike), then the route.
public struct APIRouter: Sendable {
    let token: [UInt8]
    let backend: any APIBackend

    /// A router checking `token` (the token file's contents, trimmed).
    public init(token: String, backend: any APIBackend) {
        self.token = Array(token.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        self.backend = backend
    }

    /// Whether answering `r` may take seconds (a sensors push compiles Hyperscan databases),
    /// so the server answers it off its event loop.
    public static func isSlow(_ r: APIRequest) -> Bool { r.method == "PUT" && r.path == "/v1/sensors" }

    /// The response to `r`.
    public func handle(_ r: APIRequest) -> APIResponse {
        guard authorized(r) else {
            var resp = APIResponse.error(401, "missing or wrong bearer token")
            resp.headers["WWW-Authenticate"] = "Bearer realm=\"sluice\""
            return resp
        }
        switch (r.method, r.path) {
        case ("GET", "/v1/status"):
            return .json(200, backend.status())
        case ("GET", "/v1/policy"):
            let p = backend.currentPolicy()
            if r.query["format"] == "yaml" {
                return APIResponse(status: 200, contentType: "application/yaml", body: Array(p.text.utf8),
                                   headers: ["ETag": "\"\(p.version)\""])
            }
            return .json(200, PolicyResponse(version: p.version, source: p.source, policy: p.text), headers: ["ETag": "\"\(p.version)\""])
        case ("PUT", "/v1/policy"):
            return putPolicy(r)
        case ("GET", "/v1/policy/learned"):
            switch backend.learnedPolicy(mode: r.query["mode"]) {
            case .failure(let f):
                return .error(f.status, f.reason)
            case .success(let answer):
                guard r.query["format"] == "yaml" else { return .json(200, answer) }
                let text = r.query["merge"] == "1" ? answer.merged : answer.policy
                return APIResponse(status: 200, contentType: "application/yaml", body: Array(text.utf8))
            }
        case ("GET", "/v1/sensors"):
            let pushed = backend.pushedSensors()
            if r.query["format"] == "yaml" {
                return APIResponse(status: 200, contentType: "application/yaml", body: Array(pushed.text.utf8),
                                   headers: ["ETag": "\"\(pushed.version)\""])
            }
            return .json(200, SensorsResponse(sensors: backend.sensors(), version: pushed.version, file: pushed.text))
        case ("PUT", "/v1/sensors"):
            guard let text = String(bytes: r.body, encoding: .utf8), !text.isEmpty else {
                return .error(400, "the body must be a sensor file (YAML)")
            }
            return pushResult(backend.pushSensors(text, file: r.query["name"] ?? "pushed-sensors.yaml"))
        case ("GET", "/v1/events"):
            return events(r)
        case (_, "/v1/captures"), (_, _) where r.path.hasPrefix("/v1/captures/"):
            return captures(r)
        case ("GET", "/v1/flows"):
            let limit: Int
            do { limit = try r.intQuery("limit", in: 1...100_000, default: 1000) } catch { return error.response }
            let f = backend.flows(limit: limit)
            return .json(200, FlowsResponse(flows: f.flows, count: f.flows.count, workersLate: f.late))
        case ("GET", "/v1/threats"):
            return .json(200, backend.threats())
        case ("GET", "/v1/workloads"):
            return .json(200, WorkloadsResponse(workloads: backend.workloads()))
        case ("PUT", _) where r.path.hasPrefix("/v1/workloads/"):
            return putWorkload(r, name: String(r.path.dropFirst("/v1/workloads/".count)))
        case ("GET", "/v1/interfaces"):
            return .json(200, InterfacesResponse(interfaces: backend.interfaces()))
        case ("POST", "/v1/interfaces"):
            do {
                switch backend.attachInterface(try AttachRequest.parse(r.body)) {
                case .success(let i): return .json(201, i)
                case .failure(let f): return .error(f.status, f.reason)
                }
            } catch {
                return error.response
            }
        case ("DELETE", _) where r.path.hasPrefix("/v1/interfaces/"):
            switch backend.detachInterface(String(r.path.dropFirst("/v1/interfaces/".count))) {
            case .success(let i): return .json(200, i)
            case .failure(let f): return .error(f.status, f.reason)
            }
        case ("GET", "/v1/openapi.yaml"):
            return APIResponse(status: 200, contentType: "application/yaml", body: Array(OpenAPIDocument.yaml.utf8))
        case (_, "/v1/status"), (_, "/v1/policy"), (_, "/v1/sensors"), (_, "/v1/events"), (_, "/v1/policy/learned"),
             (_, "/v1/openapi.yaml"), (_, "/v1/interfaces"), (_, "/v1/threats"):
            return .error(405, "\(r.method) is not allowed on \(r.path)")
        default:
            return .error(404, "no such endpoint: \(r.path)")
        }
    }

    /// The most records `tail` may ask for.
    public static let maxTail = 10_000

    /// The last `tail` EVE records (default 100, at most ``maxTail``), as JSON lines, read
    /// from the end of the file; with `follow=1`, then every record written after, as it is
    /// written.
    func events(_ r: APIRequest) -> APIResponse {
        guard let path = backend.eventFile else { return .error(404, "EVE output is off (no `eve` in the daemon config)") }
        let tail: Int
        do { tail = try r.intQuery("tail", in: 0...Self.maxTail, default: 100) } catch { return error.response }
        guard let (body, end) = FileTail.lastLines(path: path, count: tail) else { return .error(500, "cannot read \(path)") }
        var resp = APIResponse(status: 200, contentType: "application/x-ndjson", body: body)
        if r.query["follow"] == "1" || r.query["follow"] == "true" { resp.followFile = (path, end) }
        return resp
    }

    /// `POST /v1/captures`, `GET /v1/captures`, `GET|DELETE /v1/captures/ID`,
    /// `GET /v1/captures/ID/pcap`, `POST /v1/captures/ID/stop`.
    func captures(_ r: APIRequest) -> APIResponse {
        func answer(_ result: Result<CaptureResponse, APIFailure>, _ ok: Int = 200) -> APIResponse {
            switch result {
            case .success(let o): return .json(ok, o)
            case .failure(let f): return .error(f.status, f.reason)
            }
        }
        let parts = r.path.split(separator: "/").map(String.init)   // ["v1", "captures", id?, verb?]
        switch (r.method, parts.count) {
        case ("POST", 2):
            do {
                return answer(backend.startCapture(try CaptureStartRequest.parse(r.body)), 201)
            } catch {
                return error.response
            }
        case ("GET", 2):
            return .json(200, CapturesResponse(captures: backend.listCaptures()))
        case ("GET", 3):
            return answer(backend.capture(parts[2]))
        case ("DELETE", 3):
            switch backend.deleteCapture(parts[2]) {
            case .success: return .json(200, CaptureDeletedResponse(deleted: parts[2]))
            case .failure(let f): return .error(f.status, f.reason)
            }
        case ("GET", 4) where parts[3] == "pcap":
            switch backend.capturePcapng(parts[2]) {
            case .success(let bytes):
                return APIResponse(status: 200, contentType: "application/x-pcapng", body: bytes,
                                   headers: ["Content-Disposition": "attachment; filename=\"\(parts[2]).pcapng\""])
            case .failure(let f): return .error(f.status, f.reason)
            }
        case ("POST", 4) where parts[3] == "stop":
            return answer(backend.stopCapture(parts[2]))
        default:
            return .error(404, "no such endpoint: \(r.method) \(r.path)")
        }
    }

    /// `{"mode": "protect"|"monitor"|"discover", "quarantine": true|false}`, either or both.
    func putWorkload(_ r: APIRequest, name: String) -> APIResponse {
        let mode: String?, quarantine: Bool?
        do {
            let o = try JSONFields(r.body, allowed: ["mode", "quarantine"])
            mode = try o.string("mode", maxBytes: 16)
            quarantine = try o.bool("quarantine")
        } catch {
            return error.response
        }
        if let mode, !["discover", "monitor", "protect"].contains(mode) {
            return APIFieldError("mode", "must be discover, monitor or protect").response
        }
        guard mode != nil || quarantine != nil else { return .error(400, "give mode, quarantine or both") }
        return pushResult(backend.setWorkload(name, mode: mode, quarantine: quarantine))
    }

    func pushResult(_ result: Result<PolicyPushResult, PolicyPushError>) -> APIResponse {
        switch result {
        case .success(let r):
            return .json(200, PushResponse(version: r.version, appliedMs: r.appliedMilliseconds ?? -1), headers: ["ETag": "\"\(r.version)\""])
        case .failure(.invalid(let e)):
            return .error(APIErrorDetail(status: 422, reason: e.reason, file: e.file, line: e.line, column: e.column, key: e.key,
                                         message: e.description))
        case .failure(.conflict(let current)):
            return .error(APIErrorDetail(status: 409, reason: "the policy in force is version \(current)", currentVersion: current))
        case .failure(.persist(let why)):
            return .error(500, "could not store the policy: \(why); nothing changed")
        case .failure(.noSuchWorkload(let name)):
            return .error(404, "the policy has no workload \(name)")
        }
    }

    func putPolicy(_ r: APIRequest) -> APIResponse {
        guard let text = String(bytes: r.body, encoding: .utf8), !text.isEmpty else {
            return .error(400, "the body must be the policy YAML (UTF-8)")
        }
        var expected: Int?
        if let m = r.headers["if-match"] {
            guard let v = Int(m.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))) else {
                return .error(400, "If-Match must be a policy version")
            }
            expected = v
        }
        let file = r.query["name"] ?? "pushed-policy.yaml"
        return pushResult(backend.pushPolicy(text, file: file, expectedVersion: expected))
    }

    /// Whether `r` carries the token; compared in constant time.
    func authorized(_ r: APIRequest) -> Bool {
        guard !token.isEmpty, let auth = r.headers["authorization"], auth.hasPrefix("Bearer ") else { return false }
        let given = Array(auth.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)
        guard given.count == token.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<token.count { diff |= given[i] ^ token[i] }
        return diff == 0
    }
}
