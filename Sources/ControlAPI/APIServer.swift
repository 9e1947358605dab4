import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Telemetry

/// The local API over HTTP/1.1: on a Unix socket (mode 0600) and, when asked, on TCP.
/// Requests are read whole (bodies up to 4 MiB; a larger one is refused with 413 as soon as
/// its length is known, without reading it) and answered by an ``APIRouter`` on a worker
/// thread of its own, so a slow request (a filter or a policy to compile) never stops the
/// event loop from accepting, timing out and refusing connections. ``limits`` bounds the
/// connections.
public final class APIServer: Sendable {
    let group: MultiThreadedEventLoopGroup
    let work: APIWork
    let channels: [Channel]
    /// The connection limit and request timeout of each listener: the Unix socket's and
    /// TCP's are separate, so a flood of TCP connections never locks the operator's socket out.
    public let limits: [(listener: String, limits: ConnectionGuard)]
    /// Requests refused before or by the router.
    public let stats: APIStats

    /// Listens on `socketPath` (replacing a stale socket file) and on `listen` (`host:port`)
    /// when given; the router decides every response.
    public init(socketPath: String?, listen: String?, router: APIRouter, maxConnections: Int = 256,
                requestTimeoutMs: Int64 = 10_000) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let work = APIWork()
        let stats = APIStats()
        var limits: [(listener: String, limits: ConnectionGuard)] = []
        func bootstrap(_ listener: String) -> ServerBootstrap {
            let limit = ConnectionGuard(maxConnections: maxConnections, requestTimeout: .milliseconds(requestTimeoutMs))
            limits.append((listener, limit))
            return ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 1024)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(limit.handler())
                        try channel.pipeline.syncOperations.addHandler(APIHandler(router: router, work: work, stats: stats))
                    }
                }
        }
        var channels: [Channel] = []
        do {
            if let socketPath {
                try FileManager.default.createDirectory(atPath: (socketPath as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                // Created under a 0077 umask, so no other user can connect even between bind
                // and the chmod below.
                let old = umask(0o077)
                defer { umask(old) }
                channels.append(try bootstrap("unix").bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true).wait())
                chmod(socketPath, 0o600)
            }
            if let listen {
                let (host, port) = try Self.split(listen)
                channels.append(try bootstrap("tcp").bind(host: host, port: port).wait())
            }
        } catch {
            for c in channels { try? c.close().wait() }
            try? group.syncShutdownGracefully()
            work.stop()
            throw error
        }
        self.group = group
        self.work = work
        self.channels = channels
        self.limits = limits
        self.stats = stats
    }

    /// The TCP port actually bound (for `listen` with port 0), nil without TCP.
    public var tcpPort: Int? { channels.compactMap { $0.localAddress?.port }.first }

    /// Stops listening and waits for the event loop to end.
    public func stop() {
        for c in channels { try? c.close().wait() }
        try? group.syncShutdownGracefully()
        work.stop()
    }

    public static func split(_ listen: String) throws -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw APIServerError("listen address \"\(listen)\" is not host:port")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

/// A listen address or socket that could not be used.
public struct APIServerError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    init(_ d: String) { description = d }
}

/// Requests the API refused, by reason (for `/metrics`).
public final class APIStats: Sendable {
    let tooLarge = Atomic<UInt64>(0)
    let invalid = Atomic<UInt64>(0)
    let tooMany = Atomic<UInt64>(0)
    let unauthorized = Atomic<UInt64>(0)

    init() {}

    /// Counts a response's status when it is a refusal.
    func count(_ status: Int) {
        switch status {
        case 400: invalid.wrappingAdd(1, ordering: .relaxed)
        case 401: unauthorized.wrappingAdd(1, ordering: .relaxed)
        case 413: tooLarge.wrappingAdd(1, ordering: .relaxed)
        case 429: tooMany.wrappingAdd(1, ordering: .relaxed)
        default: break
        }
    }

    /// `sluice_api_requests_refused_total{reason}` and the connection metrics of `limits`.
    public func write(into w: inout PrometheusWriter, limits: [(listener: String, limits: ConnectionGuard)]) {
        w.family("sluice_api_requests_refused_total", .counter,
                 help: "API requests refused: invalid (400), unauthorized (401), too_large (413), too_many (429).")
        let counts = [("invalid", invalid.load(ordering: .relaxed)), ("unauthorized", unauthorized.load(ordering: .relaxed)),
                      ("too_large", tooLarge.load(ordering: .relaxed)), ("too_many", tooMany.load(ordering: .relaxed))]
        for (reason, n) in counts { w.sample("sluice_api_requests_refused_total", [("reason", reason)], n) }
        ConnectionGuard.write(limits, into: &w, prefix: "sluice_api", what: "API")
    }
}

/// The threads requests are answered on, beside the event loop. Requests are handled one at a
/// time, in order, as the backend expects; capture starts have a thread of their own, because
/// compiling a long filter takes seconds (libpcap's optimizer is superlinear), and only one
/// may compile at a time (another gets 429), so they never hold up the rest of the API.
/// Slow requests (``APIRouter/isSlow(_:)``: a sensors push compiles Hyperscan databases, up to
/// `sensors.compile_timeout`) have a thread of their own too, one push at a time in order.
final class APIWork: Sendable {
    let requests = NIOThreadPool(numberOfThreads: 1)
    let captureStarts = NIOThreadPool(numberOfThreads: 1)
    let slow = NIOThreadPool(numberOfThreads: 1)
    let captureStarting = Atomic<Bool>(false)

    init() {
        requests.start()
        captureStarts.start()
        slow.start()
    }

    func stop() {
        try? requests.syncShutdownGracefully()
        try? captureStarts.syncShutdownGracefully()
        try? slow.syncShutdownGracefully()
    }
}

/// Collects one request, has the router answer it on an ``APIWork`` thread and writes the
/// response. A body over ``maxBody`` is answered 413 as soon as that is known (from
/// `Content-Length`, or as a chunked body passes the limit) and the connection is closed
/// without reading the rest.
final class APIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: APIRouter
    let work: APIWork
    let stats: APIStats
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    /// Set once a request was refused for its size: what follows is ignored until the close.
    var refused = false
    static let maxBody = 4 << 20

    init(router: APIRouter, work: APIWork, stats: APIStats) {
        self.router = router
        self.work = work
        self.stats = stats
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.removeAll(keepingCapacity: false)
            let lengths = h.headers["content-length"]
            if let text = lengths.first {
                // A length that is not a number, or several that differ, is no length to trust.
                guard lengths.allSatisfy({ $0 == text }), let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                    return refuse(APIResponse.error(400, "Content-Length \"\(text)\" is not a byte count"), context: context)
                }
                if n > Self.maxBody { return refuse(tooLarge(), context: context) }
            }
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= Self.maxBody else { return refuse(tooLarge(), context: context) }
            body += buffer.readableBytesView
        case .end:
            guard let head else { return }
            self.head = nil
            var headers: [String: String] = [:]
            for (k, v) in head.headers { headers[k] = v }
            let request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: body)
            body = []
            let router = router, stats = stats, work = work
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let answer: EventLoopFuture<APIResponse>
            if request.method == "POST" && request.path == "/v1/captures" {
                guard work.captureStarting.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
                    let busy = APIResponse.error(429, "another capture is starting (its filter compiling); try again shortly")
                    stats.count(busy.status)
                    return write(busy, keepAlive: head.isKeepAlive, context: context)
                }
                answer = work.captureStarts.runIfActive(eventLoop: context.eventLoop) { () -> APIResponse in
                    defer { work.captureStarting.store(false, ordering: .releasing) }
                    return router.handle(request)
                }
                answer.whenFailure { _ in work.captureStarting.store(false, ordering: .releasing) }
            } else if APIRouter.isSlow(request) {
                answer = work.slow.runIfActive(eventLoop: context.eventLoop) { () -> APIResponse in router.handle(request) }
            } else {
                answer = work.requests.runIfActive(eventLoop: context.eventLoop) { () -> APIResponse in router.handle(request) }
            }
            answer.whenComplete { result in
                let (handler, context) = bound.value
                let response: APIResponse
                switch result {
                case .success(let r): response = r
                case .failure: response = .error(503, "the API is stopping")
                }
                stats.count(response.status)
                guard context.channel.isActive else { return }
                handler.write(response, keepAlive: head.isKeepAlive, context: context)
            }
        }
    }

    func tooLarge() -> APIResponse { .error(413, "request body over \(Self.maxBody) bytes") }

    /// Answers `response` and ends the connection once it is sent: the rest of the request is
    /// never stored. The sending side is shut first and the connection closed 2 s later, so a
    /// client still sending its body reads the answer instead of a reset.
    func refuse(_ response: APIResponse, context: ChannelHandlerContext) {
        refused = true
        head = nil
        body = []
        stats.count(response.status)
        write(response, keepAlive: false, context: context, linger: true)
    }

    func write(_ r: APIResponse, keepAlive: Bool, context: ChannelHandlerContext, linger: Bool = false) {
        if let follow = r.followFile { return stream(r, follow: follow, context: context) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: r.contentType)
        headers.add(name: "Content-Length", value: "\(r.body.count)")
        for (k, v) in r.headers { headers.add(name: k, value: v) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: r.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: r.body.count)
        buffer.writeBytes(r.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in
                guard linger else { return channel.close(promise: nil) }
                channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
                channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
            }
        }
    }

    /// Sends `r`'s body, then whatever is appended to the followed file (whole lines, every
    /// 200 ms), chunked, until the client goes away. Bounded: at most 4 MiB is read per tick,
    /// nothing while the client does not read what was sent (the channel is not writable), and
    /// a line longer than 1 MiB is dropped. After the file is rotated (the path names another
    /// file), the rest of the old one is sent, then the new one from its start.
    func stream(_ r: APIResponse, follow: (path: String, offset: UInt64), context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: r.contentType)
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: r.body.count)
        buffer.writeBytes(r.body)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        guard var handle = FileHandle(forReadingAtPath: follow.path) else { return }
        var offset = follow.offset
        var partial: [UInt8] = []
        let channel = context.channel
        let path = follow.path
        let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { task in
            guard channel.isActive else { task.cancel(); try? handle.close(); return }
            guard channel.isWritable else { return }
            try? handle.seek(toOffset: offset)
            let fresh = handle.readData(ofLength: 4 << 20)
            if fresh.isEmpty {
                // Caught up: when the path now names another file (rotated), follow that one.
                var atPath = stat(), open = stat()
                if stat(path, &atPath) == 0, fstat(handle.fileDescriptor, &open) == 0, atPath.st_ino != open.st_ino,
                   let next = FileHandle(forReadingAtPath: path) {
                    try? handle.close()
                    handle = next
                    offset = 0
                    partial.removeAll()
                }
                return
            }
            offset += UInt64(fresh.count)
            partial += fresh
            guard let end = partial.lastIndex(of: 0x0A) else {
                if partial.count > 1 << 20 { partial.removeAll() }
                return
            }
            var b = channel.allocator.buffer(capacity: end + 1)
            b.writeBytes(partial[...end])
            partial.removeFirst(end + 1)
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(b)), promise: nil)
        }
        channel.closeFuture.whenComplete { _ in task.cancel() }
    }
}
