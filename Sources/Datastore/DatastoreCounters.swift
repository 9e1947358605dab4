/// Why a datastore parser stopped reading a direction of its flow, and the gaps it stepped
/// over: what was wrong with the bytes, counted instead of trusted (a length or count off the
/// wire is never followed past what it can mean). The L7 stage adds these up per worker.
public struct DatastoreCounters: Sendable, Equatable {
    /// Why a direction stopped.
    public enum Loss: UInt8, Sendable {
        /// A length outside what the protocol allows, a header that contradicts itself, or
        /// bytes that are not the protocol's framing.
        case badFraming
        /// A length or element count too large to follow (RESP, memcached text).
        case lengthOverflow
        /// A gap fell where the framing could not step over it.
        case gap
    }

    /// Directions stopped for `badFraming`.
    public var badFraming: UInt32 = 0
    /// Directions stopped for `lengthOverflow`.
    public var lengthOverflow: UInt32 = 0
    /// Directions stopped by a gap.
    public var gapsLost: UInt32 = 0
    /// Gaps stepped over inside a body being skipped, with framing kept.
    public var gapsSkipped: UInt32 = 0

    /// All zero.
    @inlinable public init() {}

    @inlinable mutating func count(_ why: Loss) {
        switch why {
        case .badFraming: badFraming &+= 1
        case .lengthOverflow: lengthOverflow &+= 1
        case .gap: gapsLost &+= 1
        }
    }
}
