import L7Core

/// What went unusual in a transaction; several can be set at once.
public struct HTTPFlags: OptionSet, Sendable {
    /// The bit set.
    public var rawValue: UInt32
    /// A set from its bits.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The request body was chunked.
    public static let requestChunked = HTTPFlags(rawValue: 1 << 0)
    /// The response body was chunked.
    public static let responseChunked = HTTPFlags(rawValue: 1 << 1)
    /// A body was gzip/deflate encoded and was inflated for inspection.
    public static let compressed = HTTPFlags(rawValue: 1 << 2)
    /// The server switched protocols (101); HTTP/1 parsing ended.
    public static let upgrade = HTTPFlags(rawValue: 1 << 3)
    /// A CONNECT succeeded; what follows is a tunnel.
    public static let tunnel = HTTPFlags(rawValue: 1 << 4)
    /// A start or header line was longer than the line buffer and was cut.
    public static let longLine = HTTPFlags(rawValue: 1 << 5)
    /// The request line was not HTTP.
    public static let malformedRequest = HTTPFlags(rawValue: 1 << 6)
    /// The status line was not HTTP; the response was read as a body.
    public static let malformedResponse = HTTPFlags(rawValue: 1 << 7)
    /// A chunk-size line had no hex number.
    public static let badChunk = HTTPFlags(rawValue: 1 << 8)
    /// Decompressed output reached the configured cap and was cut.
    public static let decompressionCut = HTTPFlags(rawValue: 1 << 9)
    /// zlib rejected the compressed body partway.
    public static let inflateError = HTTPFlags(rawValue: 1 << 10)
    /// A body ended early: flow end or a gap inside it.
    public static let bodyTruncated = HTTPFlags(rawValue: 1 << 11)
    /// The flow ended before a response came.
    public static let noResponse = HTTPFlags(rawValue: 1 << 12)
    /// A response came with no request to pair it with (midstream pickup, or extra responses).
    public static let noRequest = HTTPFlags(rawValue: 1 << 13)
    /// The URI held an invalid percent escape (left as is in the normalized URI).
    public static let uriInvalidEscape = HTTPFlags(rawValue: 1 << 14)
    /// The URI was percent-encoded twice (`%25xx`), a classic filter evasion.
    public static let uriDoubleEncoded = HTTPFlags(rawValue: 1 << 15)
    /// A header was folded over several lines (obsolete line folding).
    public static let headerFolded = HTTPFlags(rawValue: 1 << 16)
    /// Conflicting or unparsable Content-Length.
    public static let badContentLength = HTTPFlags(rawValue: 1 << 17)
    /// A 1xx interim response preceded the final one.
    public static let interim = HTTPFlags(rawValue: 1 << 18)
    /// A header line had no colon.
    public static let badHeader = HTTPFlags(rawValue: 1 << 19)
    /// A gap fell inside a body (bytes skipped, parser in sync).
    public static let gap = HTTPFlags(rawValue: 1 << 20)
    /// The request queue was full; this request was delivered without waiting for a response.
    public static let pipelineOverflow = HTTPFlags(rawValue: 1 << 21)
    /// The URI resolved `..` above its root.
    public static let uriAboveRoot = HTTPFlags(rawValue: 1 << 22)
}

/// One request and its response, as far as they were seen. Fields are bounded inline copies;
/// `truncated` on a field says it was cut. Kept inline (no heap) because requests wait in the
/// parser's queue until their responses arrive.
public struct HTTPTransaction: Sendable {
    /// Request method, e.g. "GET".
    public var method = FixedBytes<24>()
    /// The URI exactly as sent.
    public var uri = FixedBytes<384>()
    /// Path and query after percent-decoding and dot-segment resolution (see `URINormalizer`).
    public var normalizedURI = FixedBytes<384>()
    /// Request protocol, e.g. "HTTP/1.1"; empty for HTTP/0.9.
    public var requestProtocol = FixedBytes<16>()
    /// Host without port, lower-cased: from an absolute URI, else from the Host header.
    public var host = FixedBytes<96>()
    /// User-Agent header.
    public var userAgent = FixedBytes<160>()
    /// Referer header.
    public var referer = FixedBytes<160>()
    /// Request Content-Type header.
    public var requestContentType = FixedBytes<64>()
    /// Response Content-Type header.
    public var responseContentType = FixedBytes<64>()
    /// Response protocol, e.g. "HTTP/1.1".
    public var responseProtocol = FixedBytes<16>()
    /// Final status code; 0 when no valid status line came.
    public var status: UInt16 = 0
    /// Response body bytes after de-chunking, before decompression (Suricata's `length`).
    public var responseBodyLength: UInt64 = 0
    /// Request body bytes after de-chunking, before decompression.
    public var requestBodyLength: UInt64 = 0
    /// Response body bytes handed to the sink after decompression.
    public var responseDecodedLength: UInt64 = 0
    /// Position of the transaction in its flow, from 0 (Suricata's tx_id).
    public var index: UInt64 = 0
    /// What went unusual.
    public var flags: HTTPFlags = []
    /// Whether a request was seen for it.
    public var hasRequest = false
    @usableFromInline var requestDone = false
    @usableFromInline var responseDone = false

    /// An empty transaction.
    @inlinable public init() {}

    @inlinable mutating func reset(index: UInt64) {
        self = HTTPTransaction()
        self.index = index
    }

    /// Whether the request method is `name` (ASCII case-sensitive, as methods are).
    @inlinable public func methodIs(_ name: StaticString) -> Bool { method.equals(name) }
}
