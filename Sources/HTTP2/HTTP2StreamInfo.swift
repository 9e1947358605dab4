import L7Core

/// What one HTTP/2 stream (one request and its response) revealed. Inline and bounded so a
/// parser's stream slots never allocate; longer values are cut (`FixedBytes.truncated`).
public struct HTTP2StreamInfo: Sendable {
    /// The stream identifier (odd: client-initiated; even: server push).
    public var streamID: UInt32 = 0
    /// Request `:method`.
    public var method = FixedBytes<8>()
    /// Request `:scheme`.
    public var scheme = FixedBytes<8>()
    /// Request `:authority`, or the `host` header when there is no `:authority`.
    public var authority = FixedBytes<64>()
    /// Request `:path`.
    public var path = FixedBytes<128>()
    /// Request `user-agent`.
    public var userAgent = FixedBytes<48>()
    /// Request `content-type`.
    public var requestContentType = FixedBytes<24>()
    /// Response `:status` (0 before a response).
    public var status: UInt16 = 0
    /// Response `content-type`.
    public var responseContentType = FixedBytes<24>()
    /// Response `content-length` (-1 when absent).
    public var contentLength: Int64 = -1
    /// DATA payload bytes (padding excluded) client to server.
    public var requestBytes: UInt64 = 0
    /// DATA payload bytes server to client.
    public var responseBytes: UInt64 = 0
    /// Whether the client ended its side (END_STREAM).
    public var clientEnded = false
    /// Whether the server ended its side.
    public var serverEnded = false
    /// Whether the request header block is complete.
    public var requestHeadersDone = false
    /// Response header blocks completed (a second one is the trailers).
    public var responseHeaderBlocks: UInt8 = 0
    /// RST_STREAM error code, when the stream was reset.
    public var resetCode: UInt32? = nil
    /// Whether the server sent the RST_STREAM.
    public var resetByServer = false
    /// Whether the stream was promised by the server (PUSH_PROMISE).
    public var pushed = false
    /// Whether some header could not be decoded (HPACK lost, or a block too big): fields
    /// may be missing.
    public var headersIncomplete = false
    /// Whether the flow ended (or gave up) before the stream did.
    public var unfinished = false
    /// gRPC fields (meaningful when `grpc.isGRPC`).
    public var grpc = GRPCInfo()

    /// Empty.
    public init() {}

    /// Whether both sides ended or the stream was reset.
    @inlinable public var isComplete: Bool { (clientEnded && serverEnded) || resetCode != nil }
}
