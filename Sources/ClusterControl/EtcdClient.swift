import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A client of etcd's v3 API through its JSON gateway (`/v3/kv/...`, `/v3/watch`): what the
/// control plane writes with and what every node watches with. Endpoints are tried in turn;
/// the one that answered last is tried first next time.
public final class EtcdClient: Sendable {
    let http: HTTPClient
    let endpoints: [String]
    let preferred = Mutex<Int>(0)
    let credentials: (user: String, password: String)?
    let token = Mutex<String?>(nil)
    /// How long a unary request (put, range, txn) may take, connection included.
    let requestTimeout: TimeAmount

    /// A client for `config`'s endpoints, TLS and auth (the password file is read here).
    /// `maxConnections`: connections kept per endpoint (a watch holds one for its life).
    public init(config: ClusterConfig, requestTimeout: TimeAmount = .seconds(5), maxConnections: Int = 8) throws {
        precondition(!config.endpoints.isEmpty, "ClusterConfig.parse requires endpoints")
        endpoints = config.endpoints
        self.requestTimeout = requestTimeout
        var c = HTTPClient.Configuration()
        c.timeout = .init(connect: .seconds(2), read: nil)
        c.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections))
        // etcd's gateway speaks HTTP/1.1 and HTTP/2; one protocol keeps streaming simple.
        c.httpVersion = .http1Only
        if config.endpoints.contains(where: { $0.hasPrefix("https:") }) || config.caFile != nil {
            var tls = TLSConfiguration.makeClientConfiguration()
            // Read here, so a missing or unreadable file is a start-up error that names it.
            if let ca = config.caFile {
                do { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) } catch {
                    throw EtcdError.setup("tls.ca \(ca): \(error)")
                }
            }
            if let cert = config.certFile, let key = config.keyFile {
                do { tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) } } catch {
                    throw EtcdError.setup("tls.cert \(cert): \(error)")
                }
                do { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)) } catch {
                    throw EtcdError.setup("tls.key \(key): \(error)")
                }
            }
            c.tlsConfiguration = tls
        }
        if let user = config.user, let file = config.passwordFile {
            let pw: String
            do { pw = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
                throw EtcdError.setup("auth.password_file \(file): cannot read")
            }
            credentials = (user, pw)
        } else {
            credentials = nil
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
    }

    let closed = Atomic<Bool>(false)

    /// Closes every connection; the client is unusable after.
    public func shutdown() async {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        try? await http.shutdown()
    }

    // A client dropped without `shutdown()` (a daemon whose start failed after creating it)
    // is closed here, when that is allowed (not on an event loop thread); AsyncHTTPClient
    // otherwise stops a debug build at its deinit.
    deinit {
        if !closed.load(ordering: .relaxed) && MultiThreadedEventLoopGroup.currentEventLoop == nil {
            try? http.syncShutdown()
        }
    }

    // MARK: unary requests

    /// Puts `value` at `key`; the store revision the put made.
    @discardableResult
    public func put(_ key: String, _ value: [UInt8]) async throws -> Int64 {
        let o = try await call("/v3/kv/put", ["key": EtcdJSON.b64(key), "value": EtcdJSON.b64(value)])
        return try EtcdJSON.headerRevision(o)
    }

    /// Puts every pair in one transaction: one revision, so a watcher sees them together.
    @discardableResult
    public func putAll(_ pairs: [(key: String, value: [UInt8])]) async throws -> Int64 {
        let ops: [[String: Any]] = pairs.map { ["request_put": ["key": EtcdJSON.b64($0.key), "value": EtcdJSON.b64($0.value)]] }
        let o = try await call("/v3/kv/txn", ["success": ops])
        return try EtcdJSON.headerRevision(o)
    }

    /// Deletes `key`; the store revision after.
    @discardableResult
    public func delete(_ key: String) async throws -> Int64 {
        try EtcdJSON.headerRevision(try await call("/v3/kv/deleterange", ["key": EtcdJSON.b64(key)]))
    }

    /// Every key under `prefix` and the store revision they were read at.
    public func range(prefix: String) async throws -> (revision: Int64, kvs: [EtcdKeyValue]) {
        let o = try await call("/v3/kv/range", ["key": EtcdJSON.b64(prefix), "range_end": EtcdJSON.b64(EtcdJSON.rangeEnd(prefix))])
        return try EtcdJSON.rangeAnswer(object: o)
    }

    /// Compacts history before `revision` (tests use it to make a watcher resync).
    public func compact(_ revision: Int64) async throws {
        _ = try await call("/v3/kv/compaction", ["revision": String(revision), "physical": true])
    }

    /// POSTs `body` to each endpoint in turn until one answers 200; its JSON. An expired auth
    /// token is renewed once.
    func call(_ path: String, _ body: [String: Any], retryAuth: Bool = true) async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body)
        var failures: [String] = []
        let first = preferred.withLock { $0 }
        for k in 0..<endpoints.count {
            let i = (first + k) % endpoints.count
            do {
                let (status, bytes) = try await send(endpoints[i], path, data, auth: try await authToken(i))
                preferred.withLock { $0 = i }
                if status == 200 { return try EtcdJSON.object(bytes) }
                let message = Self.message(bytes)
                if status == 401 && retryAuth && credentials != nil {
                    token.withLock { $0 = nil }
                    return try await call(path, body, retryAuth: false)
                }
                throw EtcdError.failed(status: status, message: message)
            } catch let e as EtcdError {
                if case .failed = e { throw e }
                failures.append("\(endpoints[i]): \(e)")
            } catch {
                failures.append("\(endpoints[i]): \(error)")
            }
        }
        throw EtcdError.unreachable(failures.joined(separator: "; "))
    }

    func send(_ endpoint: String, _ path: String, _ body: Data, auth: String?) async throws -> (Int, [UInt8]) {
        var r = HTTPClientRequest(url: endpoint + path)
        r.method = .POST
        r.headers.add(name: "Content-Type", value: "application/json")
        if let auth { r.headers.add(name: "Authorization", value: auth) }
        r.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(r, timeout: requestTimeout)
        let buffer = try await response.body.collect(upTo: EtcdJSON.maxAnswerBytes)
        return (Int(response.status.code), Array(buffer.readableBytesView))
    }

    /// The auth token for endpoint `i`, fetched when auth is configured and none is held.
    func authToken(_ i: Int) async throws -> String? {
        guard let credentials else { return nil }
        if let t = token.withLock({ $0 }) { return t }
        let body = try JSONSerialization.data(withJSONObject: ["name": credentials.user, "password": credentials.password])
        let (status, bytes) = try await send(endpoints[i], "/v3/auth/authenticate", body, auth: nil)
        guard status == 200 else { throw EtcdError.failed(status: status, message: "authenticate: " + Self.message(bytes)) }
        guard let t = try EtcdJSON.object(bytes)["token"] as? String, !t.isEmpty else { throw EtcdError.malformed("authenticate: no token") }
        token.withLock { $0 = t }
        return t
    }

    static func message(_ bytes: [UInt8]) -> String {
        let o = (try? JSONSerialization.jsonObject(with: Data(bytes.prefix(64 << 10)))) as? [String: Any]
        return (o?["message"] as? String) ?? (o?["error"] as? String) ?? String(decoding: bytes.prefix(200), as: UTF8.self)
    }

    // MARK: watch

    /// Watches every key under `prefix` from `revision` on: calls `created` once etcd has
    /// registered the watch, then `events` with each batch (a batch never splits a revision)
    /// and the store revision it was sent at. Returns when the stream ends (etcd stopped,
    /// connection lost); throws `.compacted` when `revision` is gone (resync with `range`).
    public func watch(prefix: String, from revision: Int64, created: @Sendable () async -> Void = {},
                      events: @Sendable ([EtcdEvent], Int64) async throws -> Void) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["create_request": [
            "key": EtcdJSON.b64(prefix), "range_end": EtcdJSON.b64(EtcdJSON.rangeEnd(prefix)), "start_revision": String(revision),
        ]])
        var failures: [String] = []
        let first = preferred.withLock { $0 }
        for k in 0..<endpoints.count {
            let i = (first + k) % endpoints.count
            let response: HTTPClientResponse
            do {
                var r = HTTPClientRequest(url: endpoints[i] + "/v3/watch")
                r.method = .POST
                r.headers.add(name: "Content-Type", value: "application/json")
                if let auth = try await authToken(i) { r.headers.add(name: "Authorization", value: auth) }
                r.body = .bytes(ByteBuffer(bytes: body))
                // The timeout covers the response head only; the body streams for as long as the watch lives.
                response = try await http.execute(r, timeout: requestTimeout)
            } catch let e as EtcdError {
                if case .failed = e { throw e }
                failures.append("\(endpoints[i]): \(e)")
                continue
            } catch {
                failures.append("\(endpoints[i]): \(error)")
                continue
            }
            preferred.withLock { $0 = i }
            guard response.status == .ok else {
                let bytes = (try? await response.body.collect(upTo: 64 << 10)).map { Array($0.readableBytesView) } ?? []
                if response.status.code == 401 { token.withLock { $0 = nil } }
                throw EtcdError.failed(status: Int(response.status.code), message: Self.message(bytes))
            }
            var lines = LineSplitter(limit: EtcdJSON.maxAnswerBytes)
            for try await chunk in response.body {
                for line in try lines.push(chunk.readableBytesView) {
                    let (batch, rev, isCreated) = try EtcdJSON.watchLine(line)
                    if isCreated { await created() }
                    if !batch.isEmpty { try await events(batch, rev) }
                }
            }
            return
        }
        throw EtcdError.unreachable(failures.joined(separator: "; "))
    }
}

/// Splits a byte stream into newline-terminated lines (the gateway's watch stream), refusing
/// a line longer than `limit`.
struct LineSplitter {
    let limit: Int
    var pending: [UInt8] = []

    mutating func push<C: Collection>(_ bytes: C) throws(EtcdError) -> [[UInt8]] where C.Element == UInt8 {
        var out: [[UInt8]] = []
        for b in bytes {
            if b == 0x0a {
                if !pending.isEmpty { out.append(pending) }
                pending.removeAll(keepingCapacity: true)
            } else {
                guard pending.count < limit else { throw .malformed("watch line over \(limit) bytes") }
                pending.append(b)
            }
        }
        return out
    }
}
