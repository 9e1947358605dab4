/// Where capture-on-alert saves a flow's packets, named in its `alert` and `policy` records:
/// `DIRECTORY/alert-FLOW_ID.pcapng`. Built once; writing it into a record allocates nothing.
public struct AlertCapturePath: Sendable {
    @usableFromInline let prefix: [UInt8]

    /// Paths under `directory`.
    public init(directory: String) { prefix = Array((directory + "/alert-").utf8) }

    /// The path for flow `flowID`, as a String (off the packet path).
    public func path(flowID: UInt64) -> String { String(decoding: prefix, as: UTF8.self) + "\(flowID).pcapng" }

    /// Writes `"capture_file":"PATH"` for flow `flowID` into `out` (Suricata's field for the
    /// capture holding an alert's packets).
    @inlinable
    public func write(flowID: UInt64, into out: inout JSONBuffer) {
        withUnsafeTemporaryAllocation(byteCount: prefix.count + 28, alignment: 1) { buf in
            var n = 0
            for b in prefix { buf[n] = b; n += 1 }
            var digits = InlineArray<20, UInt8>(repeating: 0)
            var v = flowID, d = 0
            repeat { digits[d] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; d += 1 } while v > 0
            while d > 0 { d -= 1; buf[n] = digits[d]; n += 1 }
            for b in ".pcapng".utf8 { buf[n] = b; n += 1 }
            out.field("capture_file", bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[0..<n]))
        }
    }
}
