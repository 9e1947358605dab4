/// Every scan a ``SensorEngine`` made, in order, with its bytes: what a benchmark replays
/// through raw Hyperscan (the same databases, the same calls) to compare the engine's cost
/// with Hyperscan's own. Allocates as it grows, so it is for benchmarks only, never the
/// packet path (``SensorEngine/record(into:)``).
public final class ScanRecorder {
    /// What one recorded call did.
    public enum Kind: UInt8, Sendable {
        /// A block scan of the url, header or query database.
        case url, header, query
        /// The next chunk of the stream in `slot` of the body or raw-stream scanners.
        case body, stream
        /// The end of the stream in `slot` (end-of-data matches; the stream is reset).
        case bodyEnd, streamEnd
    }

    /// One call: its kind, the stream slot (streamed kinds), and its bytes in ``bytes``.
    public struct Call: Sendable {
        /// What the call did.
        public var kind: Kind
        /// The scanner slot of a streamed call, else -1.
        public var slot: Int32
        /// Where its bytes start in ``bytes``.
        public var offset: Int
        /// How many bytes it scanned.
        public var count: Int
    }

    /// The calls, in order.
    public private(set) var calls: [Call] = []
    /// Every scanned byte, in call order.
    public private(set) var bytes: [UInt8] = []

    /// An empty record.
    public init() {}

    /// Appends one call.
    @usableFromInline func add(_ kind: Kind, slot: Int32, _ data: UnsafeRawBufferPointer) {
        calls.append(Call(kind: kind, slot: slot, offset: bytes.count, count: data.count))
        bytes.append(contentsOf: data)
    }

    /// Bytes scanned, end calls excluded.
    public var scannedBytes: Int { bytes.count }
}
