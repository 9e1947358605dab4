#if os(Linux)
/// How an AF_PACKET receive socket and its TPACKET_V3 ring are set up.
public struct AFPacketConfig: Sendable {
    /// Bytes per ring block: a power of two, a multiple of the page size, and larger than
    /// the largest frame (a GSO super-frame is up to 64 KiB), or frames are truncated.
    public var blockSize: UInt32 = 1 << 20
    /// Blocks in the ring; the ring is blockSize × blockCount bytes of locked kernel memory.
    public var blockCount: UInt32 = 32
    /// The kernel's frame-count granularity; V3 packs frames of any size, so this only has
    /// to divide blockSize and be a multiple of 16.
    public var frameSize: UInt32 = 2048
    /// tp_retire_blk_tov: a partly filled block is handed over after this many ms. It bounds
    /// latency at low rates, which matters inline (every hop waits up to this long).
    public var blockTimeoutMs: UInt32 = 10
    /// Put the interface in promiscuous mode for the socket's lifetime.
    public var promiscuous = true
    /// PACKET_IGNORE_OUTGOING: capture only frames arriving from the wire, not ones this host
    /// (or our own transmitter) sends. Inline forwarding requires it, or it would loop.
    public var ignoreOutgoing = true
    /// PACKET_VNET_HDR: receive each frame's GSO and checksum-offload metadata, needed to
    /// forward offloaded frames unchanged (see docs/afpacket.md).
    public var vnetHeader = false
    /// Join this PACKET_FANOUT group (hash + defrag): sockets in one group split the flows.
    public var fanoutGroup: UInt16? = nil
    /// TPACKET_V2 rings (`AFPacketFrameRing`): bytes per slot, a multiple of the page size
    /// holding the largest frame with its headers (a 64 KiB GSO super-frame, its vnet header
    /// and the tpacket2 header fit in 68 KiB).
    public var slotSize: UInt32 = 69_632
    /// TPACKET_V2 slots per ring (slotSize × slotCount bytes of kernel memory).
    public var slotCount: UInt32 = 128

    /// Defaults for passive capture.
    public init() {}

    /// Defaults for inline forwarding: vnet headers on; inline pairs receive on TPACKET_V2
    /// slots (`slotSize`, `slotCount`); the block settings apply when a V3 ring is opened
    /// with this config (a frame then waits in an unfinished block until it is retired).
    public static var inline: AFPacketConfig {
        var c = AFPacketConfig()
        c.vnetHeader = true
        c.blockTimeoutMs = 1
        c.blockSize = 1 << 18
        c.blockCount = 64
        return c
    }
}
#endif
