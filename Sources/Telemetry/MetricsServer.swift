import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The Prometheus endpoint: an HTTP/1.1 server on its own listen address that answers
/// `GET /metrics` with `Content-Type: text/plain; version=0.0.4` and the text `render`
/// returns (called on the server's thread at each scrape), 404 elsewhere. No token, as
/// exporters do: bind it to an address only the scraper reaches.
public final class MetricsServer: Sendable {
    /// The address to listen on (`127.0.0.1`, `0.0.0.0`, `::1`, a host's address).
    public let host: String
    /// The port asked for; 0 lets the system choose (see `port`).
    public let requestedPort: Int
    /// The path served (`/metrics`).
    public let path: String
    private let render: @Sendable () -> String
    /// The connection limit and request timeout (a scraper needs one connection; thousands
    /// of idle ones must not take the descriptors the dataplane needs).
    public let limits: ConnectionGuard
    private let state = Mutex<(group: MultiThreadedEventLoopGroup, channel: any Channel)?>(nil)

    /// A server for `host`:`port` serving `render()` at `path`; nothing listens until `start`.
    public init(host: String, port: Int, path: String = "/metrics", limits: ConnectionGuard = ConnectionGuard(maxConnections: 64),
                render: @escaping @Sendable () -> String) {
        self.limits = limits
        self.host = host
        self.requestedPort = port
        self.path = path
        self.render = render
    }

    /// Binds and starts serving on one event-loop thread; returns the port bound. Throws if
    /// the address cannot be bound or the server already runs.
    @discardableResult
    public func start() throws -> Int {
        try state.withLock { s in
            guard s == nil else { throw MetricsServerError.alreadyRunning }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let path = self.path, render = self.render, limits = self.limits
            let bootstrap = ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 64)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(limits.handler())
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(path: path, render: render))
                    }
                }
            do {
                let channel = try bootstrap.bind(host: host, port: requestedPort).wait()
                s = (group, channel)
                return channel.localAddress?.port ?? requestedPort
            } catch {
                try? group.syncShutdownGracefully()
                throw error
            }
        }
    }

    /// The port listened on while running, nil otherwise.
    public var port: Int? {
        state.withLock { $0?.channel.localAddress?.port }
    }

    /// Stops listening, closes open connections and waits until the server's thread is gone.
    /// Does nothing if the server is not running.
    public func stop() throws {
        guard let s = state.withLock({ s -> (group: MultiThreadedEventLoopGroup, channel: any Channel)? in
            defer { s = nil }
            return s
        }) else { return }
        try? s.channel.close().wait()
        try s.group.syncShutdownGracefully()
    }
}

/// Why `MetricsServer.start` failed beside a bind error.
public enum MetricsServerError: Error, Sendable {
    /// `start` was called on a server already running.
    case alreadyRunning
}
