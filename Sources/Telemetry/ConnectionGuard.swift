import NIOCore
import NIOHTTP1
import Synchronization

/// Bounds what idle or abusive clients can hold of one HTTP server (the API, `/metrics`): at
/// most `maxConnections` open at once (a connection beyond that is closed as soon as it is
/// accepted, so descriptors stay available for legitimate clients), and each request must
/// arrive whole within `requestTimeout` of the connection opening or of the previous response
/// (a client that sends nothing, or trickles its request, is closed). Counts what it refused.
/// One guard per server, shared by all its listeners; add ``handler()`` to each accepted
/// channel after the HTTP codec.
public final class ConnectionGuard: Sendable {
    /// Connections allowed open at once.
    public let maxConnections: Int
    /// How long a request may take to arrive.
    public let requestTimeout: TimeAmount
    let open = Atomic<Int>(0)
    let rejected = Atomic<UInt64>(0)
    let timedOut = Atomic<UInt64>(0)

    /// A guard allowing `maxConnections` at once and `requestTimeout` per request.
    public init(maxConnections: Int = 256, requestTimeout: TimeAmount = .seconds(10)) {
        self.maxConnections = max(1, maxConnections)
        self.requestTimeout = requestTimeout
    }

    /// Connections open now.
    public var openConnections: Int { open.load(ordering: .relaxed) }
    /// Connections closed at accept because `maxConnections` were open.
    public var rejectedConnections: UInt64 { rejected.load(ordering: .relaxed) }
    /// Connections closed because a request did not arrive within `requestTimeout`.
    public var timedOutConnections: UInt64 { timedOut.load(ordering: .relaxed) }

    /// The handler for one accepted connection.
    public func handler() -> ConnectionGuardHandler { ConnectionGuardHandler(guard: self) }

    /// Writes the three metrics of `guards` (one sample each, labelled `listener`):
    /// `PREFIX_connections_open`, `PREFIX_connections_rejected_total` and
    /// `PREFIX_connections_timed_out_total`.
    public static func write(_ guards: [(listener: String, limits: ConnectionGuard)], into w: inout PrometheusWriter,
                             prefix: String, what: String) {
        w.family("\(prefix)_connections_open", .gauge, help: "\(what) connections open.")
        for g in guards { w.sample("\(prefix)_connections_open", [("listener", g.listener)], UInt64(max(0, g.limits.openConnections))) }
        w.family("\(prefix)_connections_rejected_total", .counter,
                 help: "\(what) connections closed on accept because the most allowed were open.")
        for g in guards { w.sample("\(prefix)_connections_rejected_total", [("listener", g.listener)], g.limits.rejectedConnections) }
        w.family("\(prefix)_connections_timed_out_total", .counter,
                 help: "\(what) connections closed because no whole request came within the request timeout.")
        for g in guards { w.sample("\(prefix)_connections_timed_out_total", [("listener", g.listener)], g.limits.timedOutConnections) }
    }
}

/// Enforces a ``ConnectionGuard`` on one connection. The request timer runs while the server
/// waits for a request (from accept, and from the end of each response); it stops when a
/// request has arrived whole, so a slow handler or a streamed response (the event follow
/// mode) is never cut.
public final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias InboundOut = HTTPServerRequestPart
    public typealias OutboundIn = HTTPServerResponsePart
    public typealias OutboundOut = HTTPServerResponsePart

    let limits: ConnectionGuard
    var counted = false
    var timer: Scheduled<Void>?

    init(guard limits: ConnectionGuard) { self.limits = limits }

    public func channelActive(context: ChannelHandlerContext) {
        let now = limits.open.wrappingAdd(1, ordering: .relaxed).newValue
        counted = true
        if now > limits.maxConnections {
            limits.rejected.wrappingAdd(1, ordering: .relaxed)
            context.close(promise: nil)
            return
        }
        arm(context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) { release() }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { timer?.cancel(); timer = nil }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    func arm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        let limits = limits
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: limits.requestTimeout) {
            limits.timedOut.wrappingAdd(1, ordering: .relaxed)
            channel.close(promise: nil)
        }
    }

    func release() {
        timer?.cancel()
        timer = nil
        if counted {
            counted = false
            limits.open.wrappingSubtract(1, ordering: .relaxed)
        }
    }
}
