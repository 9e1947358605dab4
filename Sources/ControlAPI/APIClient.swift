import NIOCore
import NIOHTTP1
import NIOPosix

/// A client of the local API (what `sluice ctl` and the control plane use): one request per
/// connection over the Unix socket or TCP, with the bearer token.
public struct APIClient: Sendable {
    /// Where the API listens.
    public enum Endpoint: Sendable, Equatable {
        /// A Unix socket path.
        case unix(String)
        /// `host`, `port`.
        case tcp(String, Int)
    }

    /// A response.
    public struct Response: Sendable {
        /// HTTP status.
        public var status: Int
        /// Headers by lower-cased name.
        public var headers: [String: String]
        /// The body.
        public var body: [UInt8]
    }

    let endpoint: Endpoint
    let token: String

    /// A client of `endpoint` sending `token`.
    public init(endpoint: Endpoint, token: String) {
        self.endpoint = endpoint
        self.token = token
    }

    /// Sends one request and waits for the whole response (at most `timeoutSeconds`).
    public func send(_ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:],
                     timeoutSeconds: Int64 = 10) throws -> Response {
        try exchange(method, path, body: body, headers: headers, timeoutSeconds: timeoutSeconds, onBody: nil)
    }

    /// GETs `path` and hands each piece of the body to `onBody` as it arrives, until the server
    /// ends the response or the connection drops (the event stream in follow mode).
    public func stream(_ path: String, onBody: @escaping @Sendable ([UInt8]) -> Void) throws -> Response {
        try exchange("GET", path, body: [], headers: [:], timeoutSeconds: nil, onBody: onBody)
    }

    func exchange(_ method: String, _ path: String, body: [UInt8], headers: [String: String],
                  timeoutSeconds: Int64?, onBody: (@Sendable ([UInt8]) -> Void)?) throws -> Response {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let promise = group.next().makePromise(of: Response.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(timeoutSeconds ?? 10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, onBody: onBody))
                }
            }
        let channel: Channel
        do {
            switch endpoint {
            case .unix(let path): channel = try bootstrap.connect(unixDomainSocketPath: path).wait()
            case .tcp(let host, let port): channel = try bootstrap.connect(host: host, port: port).wait()
            }
        } catch {
            promise.fail(error) // NIO insists every promise is completed
            throw error
        }
        var h = HTTPHeaders()
        h.add(name: "Host", value: "sluice")
        h.add(name: "Authorization", value: "Bearer \(token)")
        h.add(name: "Content-Length", value: "\(body.count)")
        h.add(name: "Connection", value: "close")
        for (k, v) in headers { h.add(name: k, value: v) }
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path, headers: h)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        var buffer = channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        // A server that never answers: closing the channel fails the collector's promise.
        let timeout = timeoutSeconds.map { s in channel.eventLoop.scheduleTask(in: .seconds(s)) { channel.close(promise: nil) } }
        defer { timeout?.cancel(); channel.close(promise: nil) }
        return try promise.futureResult.wait()
    }
}

/// Gathers one response.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    let promise: EventLoopPromise<APIClient.Response>
    var response = APIClient.Response(status: 0, headers: [:], body: [])
    var done = false
    let onBody: (@Sendable ([UInt8]) -> Void)?

    init(promise: EventLoopPromise<APIClient.Response>, onBody: (@Sendable ([UInt8]) -> Void)?) {
        self.promise = promise
        self.onBody = onBody
    }

    func finish(_ result: Result<APIClient.Response, Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            response.status = Int(h.status.code)
            for (k, v) in h.headers { response.headers[k.lowercased()] = v }
        case .body(let b):
            if let onBody, response.status == 200 { onBody(Array(b.readableBytesView)) } else { response.body += b.readableBytesView }
        case .end:
            finish(.success(response))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A streamed response ends when the connection does.
        finish(onBody != nil && response.status != 0 ? .success(response) : .failure(ChannelError.eof))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }
}
