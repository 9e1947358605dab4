/// Limits of one HTTP parser. Values are clamped to what the parser's inline storage can hold,
/// so a bad configuration can shrink the parser's work but never make it write out of bounds.
public struct HTTPConfig: Sendable {
    /// Most decompressed bytes handed to the sink per body; the rest is cut and counted
    /// (`HTTPCounters.decompressionCut`), which is what stops a decompression bomb.
    public var maxDecompressedBody: Int = 1 << 20
    /// Most `Content-Encoding` layers undone per body (Suricata's
    /// `response-body-decompress-layer-limit`); 0 turns decompression off. At most 3.
    public var decompressionLayers: Int = 3
    /// Requests kept waiting for their responses (pipelining); more are counted as overflow
    /// and delivered without a response. At most `HTTPParser.maxPipeline`.
    public var pipelineDepth: Int = HTTPParser.maxPipeline

    /// The defaults: 1 MiB decompressed per body, 3 layers, 8 pipelined requests.
    public init() {}
}

/// What one parser saw go wrong or get cut, for the L7 stage to add to its counters.
public struct HTTPCounters: Sendable {
    /// Transactions handed to the sink.
    public var transactions: UInt64 = 0
    /// Start or header lines longer than the line buffer (cut, parsing stayed in sync).
    public var longLines: UInt64 = 0
    /// Requests that found the pipeline queue full and were delivered without a response.
    public var pipelineOverflows: UInt64 = 0
    /// Request lines that were not HTTP (that direction stopped).
    public var malformedRequests: UInt64 = 0
    /// Status lines that were not HTTP (the rest of that response was read as body).
    public var malformedResponses: UInt64 = 0
    /// Chunk-size lines without a hex number, or with one of 16 digits or more (2^60 and up).
    public var badChunks: UInt64 = 0
    /// Content-Length values that were not one decimal number below 2^62 (negative, signed,
    /// spaced, too long) or that conflicted with an earlier one.
    public var badContentLengths: UInt64 = 0
    /// Bodies whose decompressed output hit `maxDecompressedBody`.
    public var decompressionCut: UInt64 = 0
    /// Bodies with more `Content-Encoding` layers than `decompressionLayers` (the outer ones
    /// were undone, the rest reached the sink compressed).
    public var layersCut: UInt64 = 0
    /// Compressed bodies zlib rejected partway.
    public var inflateErrors: UInt64 = 0
    /// Compressed bodies left raw because the inflater pool had no free slot.
    public var inflaterPoolEmpty: UInt64 = 0
    /// Gaps skipped inside a body with the parser still in sync.
    public var gapsSkipped: UInt64 = 0
    /// Gaps the parser could not step over (not inside a body of known length): the message
    /// they hit is cut, and the direction hunts for the next request or status line.
    public var directionsLost: UInt64 = 0
    /// Times a direction found its place again after such a gap.
    public var resyncs: UInt64 = 0

    /// All zero.
    public init() {}
}
