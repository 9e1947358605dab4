/// Receives what an `HTTPParser` finds. Generic, never an existential, so calls specialise
/// into the L7 stage.
public protocol HTTPSink: ~Copyable {
    /// A transaction is complete: its response ended, or the flow ended without one.
    mutating func httpTransaction(_ tx: borrowing HTTPTransaction)
    /// Request headers are complete.
    mutating func httpRequestHeaders(_ tx: borrowing HTTPTransaction)
    /// The request target exactly as sent, whole up to the line buffer (2 KiB; the
    /// transaction's copy is cut at 384 bytes), when the request line is read: what `url`
    /// sensors match, so padding a URL cannot push an attack out of their sight. Bytes are
    /// valid only during the call. Has a do-nothing default.
    mutating func httpRequestTarget(_ uri: UnsafeRawBufferPointer, tx: borrowing HTTPTransaction)
    /// Body bytes after de-chunking and decompression; `raw` is false when they were
    /// decompressed. Bytes are valid only during the call.
    mutating func httpBody(_ bytes: UnsafeRawBufferPointer, toServer: Bool, raw: Bool, tx: borrowing HTTPTransaction)
    /// One header (or chunked trailer) as sent, folded lines joined, name and value trimmed.
    /// Bytes are valid only during the call. Has a do-nothing default.
    mutating func httpHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, toServer: Bool,
                             tx: borrowing HTTPTransaction)
}

extension HTTPSink where Self: ~Copyable {
    /// Request targets are ignored unless a sink wants them.
    @inlinable public mutating func httpRequestTarget(_ uri: UnsafeRawBufferPointer, tx: borrowing HTTPTransaction) {}

    /// Headers are ignored unless a sink wants them.
    @inlinable public mutating func httpHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                                               toServer: Bool, tx: borrowing HTTPTransaction) {}
}

/// Where HTTP/1 ended on a flow and what follows it.
public struct HTTPUpgrade: Sendable, Equatable {
    /// What the flow turned into.
    public enum Kind: UInt8, Sendable {
        /// Still HTTP/1.
        case none
        /// `Upgrade: h2c` accepted with 101: HTTP/2 follows in both directions.
        case h2c
        /// `Upgrade: websocket` accepted with 101.
        case websocket
        /// Another protocol accepted with 101.
        case other
        /// CONNECT answered 2xx: an opaque tunnel follows.
        case tunnel
    }
    /// What the flow turned into.
    public var kind: Kind = .none
    /// Stream offset (bytes from the start of the client's stream) where HTTP/1 ended toward
    /// the server: the end of the request that asked for the switch.
    public var toServerOffset: UInt64 = 0
    /// Stream offset where HTTP/1 ended toward the client: the end of the 101/2xx header.
    public var toClientOffset: UInt64 = 0

    /// No upgrade.
    @inlinable public init() {}
}
