import HTTP2
import L7Core
import Output

/// What the `http2` and `http1` (after an h2c upgrade) targets hand HTTP/2 streams to: the
/// EVE writer the L7 stage uses, over an in-memory buffer, and every lent byte read.
struct HTTP2FuzzSink: HTTP2Sink, ~Copyable {
    var eve = JSONBuffer(fd: -1, capacity: 16384)
    var sum: UInt8 = 0

    mutating func http2Stream(_ s: borrowing HTTP2StreamInfo) {
        eve.reserve(4096)
        eve.beginObject()
        HTTP2Eve.write(s, into: &eve)
        eve.endObject()
        eve.endLine()
    }

    mutating func http2RequestHeaders(_ s: borrowing HTTP2StreamInfo) {
        if let (service, method) = s.path.withBytes({ GRPC.split(path: $0) }) {
            sum &+= touch(service) &+ touch(method)
        }
    }

    mutating func http2Data(_ bytes: UnsafeRawBufferPointer, toServer: Bool, stream: borrowing HTTP2StreamInfo) {
        sum &+= touch(bytes)
    }
}
