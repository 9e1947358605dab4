/// One step of a two-way conversation read from a fuzzer's input: bytes for one direction,
/// fed in chunks of a size the input picks (so every split point is reachable), or a gap.
/// Shared by the targets that drive a parser with both sides of a flow (`http1`, `http2`,
/// `datastore`).
///
/// Format of one step: an op byte, then a length-prefixed record (`FuzzInput.record`).
/// - op bit 0: the direction (1 toward the server).
/// - op bits 6 and 7 both set: a gap of `record.count << (op >> 1 & 0x1f)` bytes (so gaps
///   far beyond any body are reachable); the record's bytes are not fed.
/// - otherwise op bits 1-6: the chunk size the record is fed in (0: whole).
struct DirectionalStep {
    var toServer: Bool
    var bytes: UnsafeRawBufferPointer
    /// Missing bytes, when this step is a gap (then `bytes` is not fed).
    var gap: Int?

    /// The next step, nil at the end of the input.
    static func next(_ input: inout FuzzInput) -> DirectionalStep? {
        guard !input.isAtEnd else { return nil }
        let op = input.byte()
        guard let record = input.record() else { return nil }
        if op & 0xc0 == 0xc0 {
            return DirectionalStep(toServer: op & 1 != 0, bytes: record, gap: record.count << Int((op >> 1) & 0x1f))
        }
        return DirectionalStep(toServer: op & 1 != 0, bytes: record, gap: nil, chunk: Int((op >> 1) & 0x3f))
    }

    /// Chunk size the bytes are fed in (0: whole).
    var chunk = 0

    init(toServer: Bool, bytes: UnsafeRawBufferPointer, gap: Int?, chunk: Int = 0) {
        self.toServer = toServer
        self.bytes = bytes
        self.gap = gap
        self.chunk = chunk
    }

    /// Calls `body` with each chunk of `bytes` in order.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) -> Void) {
        let size = chunk > 0 ? chunk : max(bytes.count, 1)
        var at = 0
        while at < bytes.count {
            let end = min(at + size, bytes.count)
            body(UnsafeRawBufferPointer(rebasing: bytes[at..<end]))
            at = end
        }
    }
}

/// Reads every byte of a buffer a sink is lent, so AddressSanitizer sees a parser hand out
/// memory it does not own (the sum keeps the reads from being optimised away).
@inline(never) func touch(_ b: UnsafeRawBufferPointer) -> UInt8 {
    var s: UInt8 = 0
    for c in b { s &+= c }
    return s
}
