import HTTP2
import L7Core

/// Both directions of one HTTP/2 flow through `HTTP2Parser`: frames of every type, padding,
/// header blocks over CONTINUATIONs with HPACK, SETTINGS, resets, gRPC message framing, gaps.
///
/// Input: one flag byte (bit 0: the client preface is fed first, so inputs need not spell it;
/// bit 1: the flow starts as after an `h2c` upgrade, stream 1 already open), then
/// `DirectionalStep`s.
enum HTTP2Fuzz {
    static let preface: StaticString = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let flags = input.byte()
        var sink = HTTP2FuzzSink()
        var p = HTTP2Parser()
        if flags & 2 != 0 {
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            let path: StaticString = "/pkg.Service/Method"
            p.startAfterUpgrade(method: empty, path: UnsafeRawBufferPointer(start: path.utf8Start, count: path.utf8CodeUnitCount),
                                authority: empty)
        }
        if flags & 1 != 0 {
            p.feed(UnsafeRawBufferPointer(start: preface.utf8Start, count: preface.utf8CodeUnitCount), toServer: true, sink: &sink)
        }
        while let step = DirectionalStep.next(&input) {
            if let gap = step.gap { p.gap(toServer: step.toServer, length: gap); continue }
            step.forEachChunk { p.feed($0, toServer: step.toServer, sink: &sink) }
        }
        p.finish(sink: &sink)
        precondition(p.openStreams == 0, "streams left open after finish")
        _ = sink.sum
    }
}
