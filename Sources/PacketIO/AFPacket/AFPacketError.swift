#if os(Linux)
import Glibc

/// A failed system call on an AF_PACKET socket: which interface, which call, which errno.
/// Built only on the failure path, so the hot path never formats a String.
public struct AFPacketError: Error, CustomStringConvertible, Sendable {
    /// The interface the socket is (or was to be) bound to.
    public var interface: String
    /// The call that failed, e.g. "setsockopt(PACKET_RX_RING)".
    public var call: String
    /// The errno it returned.
    public var code: Int32

    /// Creates an error; `code` is a positive errno value.
    public init(interface: String, call: String, code: Int32) {
        self.interface = interface
        self.call = call
        self.code = code
    }

    /// "eth0: setsockopt(PACKET_FANOUT): Invalid argument (errno 22)".
    public var description: String {
        "\(interface): \(call): \(String(cString: strerror(code))) (errno \(code))"
    }

    /// The same failure as the `PacketSource` protocol's error type.
    public var sourceError: PacketSourceError { PacketSourceError(description) }

    /// Throws when a shim call returned -errno; returns its non-negative result otherwise.
    /// Both names are autoclosures: they are built only when the call failed, so a check on the
    /// packet path (poll) costs no String work.
    @discardableResult
    static func check(_ result: Int32, _ interface: @autoclosure () -> String,
                      _ call: @autoclosure () -> String) throws(AFPacketError) -> Int32 {
        if result < 0 { throw AFPacketError(interface: interface(), call: call(), code: -result) }
        return result
    }
}
#endif
