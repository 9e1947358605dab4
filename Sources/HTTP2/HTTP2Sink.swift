/// Receives what an `HTTP2Parser` finds. A generic parameter of `feed`, never an existential,
/// so calls specialise and inline into the L7 stage. Streams are lent only for the call.
public protocol HTTP2Sink: ~Copyable {
    /// A stream finished: both sides ended, it was reset, or the connection ended (then
    /// `unfinished` is set).
    mutating func http2Stream(_ s: borrowing HTTP2StreamInfo)
    /// The request header block of a stream is complete (sensors look at URL/headers here).
    mutating func http2RequestHeaders(_ s: borrowing HTTP2StreamInfo)
    /// DATA payload bytes of a stream (padding removed), borrowed for the call only.
    mutating func http2Data(_ bytes: UnsafeRawBufferPointer, toServer: Bool, stream: borrowing HTTP2StreamInfo)
    /// The connection ended having carried SETTINGS or GOAWAY on stream 0 (Suricata logs them
    /// as a stream-0 transaction). Defaults to ignoring it.
    mutating func http2Connection(_ c: borrowing HTTP2Connection)
}

extension HTTP2Sink where Self: ~Copyable {
    /// Ignores stream 0, for sinks that only want streams.
    @inlinable public mutating func http2Connection(_ c: borrowing HTTP2Connection) {}
}

/// What a parser counted over its flow.
public struct HTTP2Counters: Sendable {
    /// Frame headers read (both directions).
    public var frames: UInt64 = 0
    /// Frames of types RFC 9113 does not define (skipped, as the RFC requires).
    public var unknownFrames: UInt64 = 0
    /// Frames that broke a length or sequencing rule (their content was ignored).
    public var malformedFrames: UInt64 = 0
    /// Streams given a slot.
    public var streams: UInt64 = 0
    /// Streams that found every slot taken (not tracked; their frames are skipped).
    public var streamOverflow: UInt64 = 0
    /// Directions whose HPACK decoding was lost (error, oversize block or gap): 0, 1 or 2.
    public var hpackLost: UInt64 = 0
    /// Of `hpackLost`: representations that broke HPACK's encoding (an integer over 2^28, a
    /// string running past its block, a block cut off by another frame).
    public var hpackMalformed: UInt64 = 0
    /// Of `hpackLost`: indices beyond the static and dynamic tables.
    public var hpackBadIndex: UInt64 = 0
    /// Of `hpackLost`: invalid Huffman strings (EOS, bad padding).
    public var hpackBadHuffman: UInt64 = 0
    /// Of `hpackLost`: table size updates beyond SETTINGS_HEADER_TABLE_SIZE or the decoder's 4 KiB.
    public var hpackBadSizeUpdates: UInt64 = 0
    /// Header representations too big for the header-block buffer.
    public var oversizedBlocks: UInt64 = 0
    /// Directions that ended in the middle of a frame.
    public var truncatedFrames: UInt64 = 0
    /// Gaps reported by reassembly.
    public var gaps: UInt64 = 0
    /// Directions that did not start with what HTTP/2 requires (the client preface).
    public var notHTTP2: UInt64 = 0
    /// GOAWAY frames, and the error code of the last one.
    public var goaways: UInt64 = 0
    /// Error code of the last GOAWAY.
    public var lastGoAwayCode: UInt32 = 0

    /// All zero.
    public init() {}
}
