import L7Core

/// What gRPC adds to a stream: set when the request's content-type is `application/grpc`
/// (with or without a `+proto`/`+json` suffix). Service and method are not stored: they
/// are the two parts of the `:path` (`/pkg.Service/Method`), see `GRPC.split`.
public struct GRPCInfo: Sendable {
    /// Whether the request is gRPC.
    public var isGRPC = false
    /// `grpc-status` from the response trailers (or a trailers-only response), -1 if none.
    public var status: Int32 = -1
    /// `grpc-message`, percent-encoded as on the wire.
    public var message = FixedBytes<32>()
    /// Length-prefixed messages started client to server.
    public var requestMessages: UInt32 = 0
    /// Length-prefixed messages started server to client.
    public var responseMessages: UInt32 = 0
    /// Messages with the compressed flag set, both directions.
    public var compressedMessages: UInt32 = 0
    /// Framing state per direction (0 client to server, 1 server to client): prefix bytes
    /// still to read (0 means between messages), then message bytes left to skip.
    @usableFromInline var prefixHave: (UInt8, UInt8) = (0, 0)
    @usableFromInline var prefixValue: (UInt64, UInt64) = (0, 0)
    @usableFromInline var messageLeft: (UInt32, UInt32) = (0, 0)

    /// None seen.
    public init() {}

    /// Counts message prefixes in one direction's DATA bytes: 1 byte compressed flag and a
    /// 4-byte big-endian length, then the message (RFC-less: gRPC's PROTOCOL-HTTP2.md).
    @inlinable public mutating func consume(_ bytes: UnsafeRawBufferPointer, toServer: Bool) {
        var have = toServer ? prefixHave.0 : prefixHave.1
        var acc = toServer ? prefixValue.0 : prefixValue.1
        var left = toServer ? messageLeft.0 : messageLeft.1
        var p = 0
        let n = bytes.count
        while p < n {
            if left > 0 {
                let k = min(Int(left), n - p)
                left -= UInt32(k)
                p += k
                continue
            }
            acc = acc << 8 | UInt64(bytes[p])
            have += 1
            p += 1
            if have == 5 {
                if toServer { requestMessages &+= 1 } else { responseMessages &+= 1 }
                if (acc >> 32) & 1 != 0 { compressedMessages &+= 1 }
                left = UInt32(truncatingIfNeeded: acc)
                have = 0
                acc = 0
            }
        }
        if toServer { prefixHave.0 = have; prefixValue.0 = acc; messageLeft.0 = left }
        else { prefixHave.1 = have; prefixValue.1 = acc; messageLeft.1 = left }
    }
}

/// gRPC helpers.
public enum GRPC {
    /// Whether a content-type names gRPC: `application/grpc` alone or followed by `+` or `;`.
    @inlinable public static func isGRPC(contentType: UnsafeRawBufferPointer) -> Bool {
        let prefix: StaticString = "application/grpc"
        let n = prefix.utf8CodeUnitCount
        guard contentType.count >= n else { return false }
        for i in 0..<n where lower(contentType[i]) != prefix.utf8Start[i] { return false }
        return contentType.count == n || contentType[n] == UInt8(ascii: "+") || contentType[n] == UInt8(ascii: ";")
    }

    /// Splits a gRPC path `/pkg.Service/Method` into service and method; nil when the path
    /// does not have that shape.
    @inlinable public static func split(path: UnsafeRawBufferPointer)
        -> (service: UnsafeRawBufferPointer, method: UnsafeRawBufferPointer)? {
        guard path.count >= 3, path[0] == UInt8(ascii: "/") else { return nil }
        var slash = -1
        for i in 1..<path.count where path[i] == UInt8(ascii: "/") {
            guard slash < 0 else { return nil }
            slash = i
        }
        guard slash > 1, slash < path.count - 1 else { return nil }
        return (UnsafeRawBufferPointer(rebasing: path[1..<slash]),
                UnsafeRawBufferPointer(rebasing: path[(slash + 1)...]))
    }

    @inlinable static func lower(_ b: UInt8) -> UInt8 {
        b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
    }
}
