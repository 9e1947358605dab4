/// Limits for one worker's reassembly table. `Defragmenter.init` sizes all of its memory from
/// these, so nothing is allocated while packets flow.
///
/// Overlap policy: FIRST WINS. When fragments overlap, the bytes that arrived first are kept and a
/// later fragment only fills holes; such a fragment is counted in `DefragCounters.overlaps`. This
/// matches the BSD/"first" policy and, unlike "last wins", stops a later fragment from rewriting
/// bytes an earlier inspection may already have relied on. Hosts that resolve overlaps differently
/// can still see other bytes than we do, which is why the counter exists: overlaps are themselves
/// a signal of evasion attempts.
public struct DefragConfig: Sendable {
    /// Datagrams held at once per worker (clamped to 1...65536). When every slot is busy the
    /// oldest datagram is evicted and counted as `tableFull`, so a flood of first fragments
    /// cannot lock out new traffic.
    public var maxDatagrams: Int = 1024
    /// Fragments one datagram may receive, duplicates included (clamped to at least 1). More
    /// drops the datagram as `tooManyFragments`: bounds the work and range memory per datagram.
    public var maxFragmentsPerDatagram: Int = 64
    /// How long a datagram may wait for its missing fragments, from its first fragment.
    public var timeoutNanos: UInt64 = 60_000_000_000
    /// Largest rebuilt datagram, header included, in bytes (clamped to 0...65575). Each slot
    /// reserves this much address space; IPv4 is further capped at 65535 by its length field.
    public var maxDatagramSize: Int = 65535 + 40

    /// The defaults: 1024 datagrams of up to 64 fragments, 60 s timeout, any legal size.
    public init() {}
}
