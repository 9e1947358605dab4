/// What became of one fragment handed to `Defragmenter.insert`.
public enum DefragResult {
    /// Held; its datagram still has holes or lacks its last fragment.
    case incomplete
    /// It completed its datagram: a whole IP datagram (header + payload), valid until the next
    /// call on the same defragmenter.
    case reassembled(UnsafeRawBufferPointer)
    /// Rejected, alone or with its datagram; the reason is in the counters.
    case dropped
}
