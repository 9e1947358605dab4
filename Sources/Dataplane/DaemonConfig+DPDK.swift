import ConfigYAML

/// `io: dpdk`'s settings (`dpdk:` in the daemon config; docs/dpdk.md). The interfaces' `pair`
/// entries then name DPDK ports: a vdev's name (`net_af_packet0`) or a PCI address.
public struct DPDKDaemonSettings: Sendable, Equatable {
    /// EAL's arguments, `--vdev` strings included; nil: no hugepages, no PCI, one lcore
    /// (`DPDKEAL.defaultArguments()`). A per-process `--file-prefix` and `-l 0` are added when
    /// missing.
    public var eal: [String]?
    /// mbufs in the pool every port receives into.
    public var mbufs = 16_383
    /// Descriptors per RX and per TX queue.
    public var ringSize = 1024

    /// The defaults.
    public init() {}
}

extension DaemonConfig {
    /// Reads `dpdk: { eal: [...], mbufs: N, ring_size: N }`.
    static func parseDPDK(_ top: ConfigMap, into c: inout DaemonConfig) throws(ConfigError) {
        guard let d = try top.map("dpdk") else { return }
        try d.allowOnly(["eal", "mbufs", "ring_size"])
        if let e = d.value("eal") {
            guard let seq = e.sequence, seq.count <= 256 else { throw d.error("eal", "expected a list of EAL arguments (at most 256)") }
            c.dpdk.eal = try seq.map { n throws(ConfigError) -> String in
                guard let s = n.scalar?.string else { throw d.error("eal", "expected an argument", at: n) }
                return s
            }
        }
        c.dpdk.mbufs = try d.int("mbufs", in: 1023...16_777_215) ?? c.dpdk.mbufs
        c.dpdk.ringSize = try d.int("ring_size", in: 64...16_384) ?? c.dpdk.ringSize
    }
}
