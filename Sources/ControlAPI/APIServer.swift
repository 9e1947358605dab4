import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The local API over HTTP/1.1: on a Unix socket (mode 0600) and, when asked, on TCP.
/// Requests are read whole (bodies up to 4 MiB) and answered by an ``APIRouter``.
public final class APIServer: Sendable {
    let group: MultiThreadedEventLoopGroup
    let channels: [Channel]

    /// Listens on `socketPath` (replacing a stale socket file) and on `listen` (`host:port`)
    /// when given; the router decides every response.
    public init(socketPath: String?, listen: String?, router: APIRouter) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(APIHandler(router: router))
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
                channels.append(try bootstrap.bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true).wait())
                chmod(socketPath, 0o600)
            }
            if let listen {
                let (host, port) = try Self.split(listen)
                channels.append(try bootstrap.bind(host: host, port: port).wait())
            }
        } catch {
            for c in channels { try? c.close().wait() }
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        self.channels = channels
    }

    /// The TCP port actually bound (for `listen` with port 0), nil without TCP.
    public var tcpPort: Int? { channels.compactMap { $0.localAddress?.port }.first }

    /// Stops listening and waits for the event loop to end.
    public func stop() {
        for c in channels { try? c.close().wait() }
        try? group.syncShutdownGracefully()
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

/// Collects one request and writes the router's response.
final class APIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: APIRouter
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false
    static let maxBody = 4 << 20

    init(router: APIRouter) { self.router = router }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.removeAll(keepingCapacity: true)
            tooLarge = false
        case .body(let buffer):
            if body.count + buffer.readableBytes > Self.maxBody { tooLarge = true } else { body += buffer.readableBytesView }
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (k, v) in head.headers { headers[k] = v }
            let request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: body)
            if !tooLarge && APIRouter.isSlow(request) {
                answerOffLoop(request, keepAlive: head.isKeepAlive, context: context)
                self.head = nil
                return
            }
            let response = tooLarge ? APIResponse.error(413, "request body over \(Self.maxBody) bytes") : router.handle(request)
            write(response, keepAlive: head.isKeepAlive, context: context)
            self.head = nil
        }
    }

    /// Slow requests (one at a time, in arrival order) are answered on this queue, and the
    /// response is written back on the event loop, which meanwhile serves other requests.
    static let slowQueue = DispatchQueue(label: "sluice.api.slow")

    func answerOffLoop(_ request: APIRequest, keepAlive: Bool, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let router = self.router
        Self.slowQueue.async {
            let response = router.handle(request)
            loop.execute {
                let (handler, context) = bound.value
                handler.write(response, keepAlive: keepAlive, context: context)
            }
        }
    }

    func write(_ r: APIResponse, keepAlive: Bool, context: ChannelHandlerContext) {
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
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Sends `r`'s body, then whatever is appended to the followed file (whole lines, every
    /// 200 ms), chunked, until the client goes away.
    func stream(_ r: APIResponse, follow: (path: String, offset: UInt64), context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: r.contentType)
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: r.body.count)
        buffer.writeBytes(r.body)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        guard let handle = FileHandle(forReadingAtPath: follow.path) else { return }
        var offset = follow.offset
        var partial: [UInt8] = []
        let channel = context.channel
        let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { task in
            guard channel.isActive else { task.cancel(); try? handle.close(); return }
            try? handle.seek(toOffset: offset)
            let fresh = handle.readDataToEndOfFile()
            guard !fresh.isEmpty else { return }
            offset += UInt64(fresh.count)
            partial += fresh
            guard let end = partial.lastIndex(of: 0x0A) else { return }
            var b = channel.allocator.buffer(capacity: end + 1)
            b.writeBytes(partial[...end])
            partial.removeFirst(end + 1)
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(b)), promise: nil)
        }
        channel.closeFuture.whenComplete { _ in task.cancel() }
    }
}
