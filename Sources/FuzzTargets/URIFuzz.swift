import HTTP
import HTTP2
import L7Core

/// URIs and hosts: `URINormalizer` into outputs of several sizes (a cut output must stay
/// in bounds), gRPC's path split, and the same bytes as an HTTP/1 request target (origin or
/// absolute form) and Host header, which reach the parser's host and authority handling.
///
/// Input: one mode byte (bit 0: also as a request; bit 1: absolute form `http://…`), then
/// the URI.
enum URIFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let mode = input.byte()
        let raw = input.rest()
        var tiny = FixedBytes<4>(), small = FixedBytes<64>(), field = FixedBytes<384>(), line = FixedBytes<2048>()
        _ = URINormalizer.normalize(raw, into: &tiny)
        _ = URINormalizer.normalize(raw, into: &small)
        _ = URINormalizer.normalize(raw, into: &field)
        _ = URINormalizer.normalize(raw, into: &line)
        var sum = field.withBytes { touch($0) }
        if let (service, method) = GRPC.split(path: raw) { sum &+= touch(service) &+ touch(method) }
        if mode & 1 != 0 {
            var request = Array("GET ".utf8)
            if mode & 2 != 0 { request += Array("http://".utf8) }
            request += Array(raw)
            request += Array(" HTTP/1.1\r\nHost: ".utf8)
            request += Array(raw)
            request += Array("\r\n\r\n".utf8)
            var sink = HTTP1FuzzSink()
            var p = HTTPParser()
            request.withUnsafeBytes { _ = p.feed($0, toServer: true, sink: &sink) }
            p.finish(sink: &sink)
            sum &+= sink.sum
        }
        _ = sum
    }
}
