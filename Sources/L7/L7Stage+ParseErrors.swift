import Codecs
import Datastore
import HTTP
import HTTP2
import L7Core

// A parser's counters live with the parser and are reset with it for the next flow; these add
// the ones that say "this peer sent something wrong" into the worker's `parseErrors` as the
// parser is released, so they survive the flow and reach the summary and `/metrics`.
extension ReasonCounts {
    @inlinable mutating func count(_ reason: L7ParseError, _ n: UInt64) {
        if n != 0 { self[Int(reason.rawValue)] &+= n }
    }

    @inlinable mutating func add(_ c: HTTPCounters) {
        count(.httpMalformedRequest, c.malformedRequests)
        count(.httpMalformedResponse, c.malformedResponses)
        count(.httpBadChunk, c.badChunks)
        count(.httpBadContentLength, c.badContentLengths)
        count(.httpLongLine, c.longLines)
        count(.httpEncodingLayersCut, c.layersCut)
        count(.httpInflateError, c.inflateErrors)
        count(.httpInflaterPoolEmpty, c.inflaterPoolEmpty)
        count(.httpDirectionLost, c.directionsLost)
    }

    @inlinable mutating func add(_ c: HTTP2Counters) {
        count(.http2MalformedFrame, c.malformedFrames)
        count(.http2StreamOverflow, c.streamOverflow)
        count(.hpackMalformed, c.hpackMalformed)
        count(.hpackBadIndex, c.hpackBadIndex)
        count(.hpackBadHuffman, c.hpackBadHuffman)
        count(.hpackBadSizeUpdate, c.hpackBadSizeUpdates)
    }

    @inlinable mutating func add(_ c: DatastoreCounters) {
        count(.datastoreBadFraming, UInt64(c.badFraming))
        count(.datastoreLengthOverflow, UInt64(c.lengthOverflow))
        count(.datastoreGapLost, UInt64(c.gapsLost))
    }
}

extension L7Stage {
    /// The summary line for `parseErrors`; empty when there were none.
    public func parseErrorLine() -> String {
        let parts = L7ParseError.allCases.compactMap { r -> String? in
            let n = counters.parseErrors[Int(r.rawValue)]
            return n == 0 ? nil : "\(r.name) \(n)"
        }
        return parts.isEmpty ? "" : "  parse errors " + parts.joined(separator: "  ") + "\n"
    }
}
