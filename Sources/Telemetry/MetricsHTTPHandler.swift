import NIOCore
import NIOHTTP1

/// Answers each HTTP/1.1 request on one connection: `GET /metrics` (or `HEAD`) with the
/// rendered exposition, another method on `/metrics` with 405, any other path with 404.
/// Runs on the connection's event loop; keep-alive and pipelining as the client asks.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let path: String
    let render: @Sendable () -> String
    private var head: HTTPRequestHead?

    init(path: String, render: @escaping @Sendable () -> String) {
        self.path = path
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let h = head else { return }
            head = nil
            respond(context, h)
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ request: HTTPRequestHead) {
        let target = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        let body: String
        if target != path {
            status = .notFound
            body = "not found; metrics are at \(path)\n"
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        } else if request.method == .GET || request.method == .HEAD {
            status = .ok
            body = render()
            headers.add(name: "Content-Type", value: PrometheusText.contentType)
        } else {
            status = .methodNotAllowed
            body = "method not allowed\n"
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            headers.add(name: "Allow", value: "GET, HEAD")
        }
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        let done = context.eventLoop.makePromise(of: Void.self)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
