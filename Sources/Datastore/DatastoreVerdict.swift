import L7Core

/// What a probe concluded from a stream prefix or a datagram. Mirrors `AppDetector.Verdict` so the
/// detector can map it one to one without this module depending on the detector.
public enum DatastoreVerdict: Equatable, Sendable {
    /// The bytes are this protocol.
    case match(AppProto)
    /// The bytes cannot be this protocol (or these protocols).
    case noMatch
    /// Too few bytes to decide; call again with a longer prefix.
    case needMore
}
