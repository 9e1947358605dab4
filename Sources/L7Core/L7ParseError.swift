/// Why an application parser gave up on, or had to distrust, part of a flow: the reasons the
/// L7 stage adds up per worker when a flow's parser is released, so a hostile or broken peer
/// shows in the summary and in `/metrics` (`sluice_l7_parse_errors_total{reason}`) rather than
/// only inside a parser that is reset for the next flow. Raw values index a `ReasonCounts`.
public enum L7ParseError: UInt8, CaseIterable, Sendable {
    /// HTTP/1 request lines that were not HTTP (that direction stopped).
    case httpMalformedRequest
    /// HTTP/1 status lines that were not HTTP.
    case httpMalformedResponse
    /// Chunk-size lines without a hex number or past 2^60.
    case httpBadChunk
    /// Content-Length values that were not one decimal below 2^62, or that conflicted.
    case httpBadContentLength
    /// Start or header lines longer than the line buffer.
    case httpLongLine
    /// Bodies with more Content-Encoding layers than configured.
    case httpEncodingLayersCut
    /// Compressed bodies zlib rejected part-way.
    case httpInflateError
    /// Compressed bodies left raw because no inflater was free.
    case httpInflaterPoolEmpty
    /// HTTP/1 directions given up after a gap.
    case httpDirectionLost
    /// HTTP/2 frames that broke a length or sequencing rule.
    case http2MalformedFrame
    /// HTTP/2 streams that found every slot taken.
    case http2StreamOverflow
    /// HPACK representations that broke the encoding (integers past 2^28 among them).
    case hpackMalformed
    /// HPACK indices beyond the tables.
    case hpackBadIndex
    /// Invalid Huffman strings.
    case hpackBadHuffman
    /// HPACK table size updates beyond what was allowed.
    case hpackBadSizeUpdate
    /// Datastore directions stopped at a length or header that cannot be right.
    case datastoreBadFraming
    /// Datastore lengths or element counts too large to follow.
    case datastoreLengthOverflow
    /// Datastore directions stopped by a gap.
    case datastoreGapLost
    /// SSH identification lines that were not `SSH-proto-software`, or too many lines first.
    case sshBadBanner
    /// SSH packet lengths that cannot be right (past 256 KiB, no room for the code or padding).
    case sshBadPacketLength
    /// SSH KEXINITs whose name-lists ran past the message.
    case sshMalformedKexInit
    /// SSH KEXINITs too long to keep (no HASSH for that side).
    case sshOversizedKexInit

    /// The label value in metrics and the word in the summary.
    public var name: String {
        switch self {
        case .httpMalformedRequest: "http_malformed_request"
        case .httpMalformedResponse: "http_malformed_response"
        case .httpBadChunk: "http_bad_chunk"
        case .httpBadContentLength: "http_bad_content_length"
        case .httpLongLine: "http_long_line"
        case .httpEncodingLayersCut: "http_encoding_layers_cut"
        case .httpInflateError: "http_inflate_error"
        case .httpInflaterPoolEmpty: "http_inflater_pool_empty"
        case .httpDirectionLost: "http_direction_lost"
        case .http2MalformedFrame: "http2_malformed_frame"
        case .http2StreamOverflow: "http2_stream_overflow"
        case .hpackMalformed: "hpack_malformed"
        case .hpackBadIndex: "hpack_bad_index"
        case .hpackBadHuffman: "hpack_bad_huffman"
        case .hpackBadSizeUpdate: "hpack_bad_size_update"
        case .datastoreBadFraming: "datastore_bad_framing"
        case .datastoreLengthOverflow: "datastore_length_overflow"
        case .datastoreGapLost: "datastore_gap_lost"
        case .sshBadBanner: "ssh_bad_banner"
        case .sshBadPacketLength: "ssh_bad_packet_length"
        case .sshMalformedKexInit: "ssh_malformed_kexinit"
        case .sshOversizedKexInit: "ssh_oversized_kexinit"
        }
    }
}
